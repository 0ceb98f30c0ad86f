/** GET /api/cases, GET /api/cases/:ref, GET /api/cases/:ref/timeline. Case page and timeline reads are logged. */
import type { FastifyInstance } from 'fastify';
import { listCasesSteps, showCaseSteps } from '../cases/case-queries.ts';
import { listDeploymentsSteps } from '../cases/deployments.ts';
import { markCaseSeenSteps } from '../cases/case-views.ts';
import { contactClock, listContactsSteps } from '../cases/contacts.ts';
import { diaryCorrectionsSteps } from '../cases/diary-correction.ts';
import { listDiarySteps } from '../cases/diary.ts';
import { listPlanNotesSteps } from '../cases/plan-notes.ts';
import { monitorHealthSteps } from '../dashboard/index.ts';
import { all, get } from '../storage/record/steps.ts';
import { timelineSteps } from '../timeline/index.ts';
import type { User } from '../users/index.ts';
import { accountNames } from './account-names.ts';
import { requireSession, requireUser } from './auth.ts';
import { caseFactsSteps, casesFactsSteps } from './case-list.ts';
import { logAccess, type RouteContext, requireVisibleCase } from './context.ts';
import { CaseListOut, CaseOut, CaseParams, TimelineOut, TimelineQuery } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

const WEEK_MS = 7 * 86_400_000;

/** The cases this account may see, each with its list facts, in one snapshot. */
function* caseListSteps(ctx: RouteContext, user: User, now: number) {
  const cases = (yield* listCasesSteps()).filter((c) => ctx.users.canSeeCase(user, c.officer));
  const facts = yield* casesFactsSteps(cases, now);
  return cases.map((c, i) => ({
    ref: c.ref, status: c.status, category: c.category, officer: c.officer, address: c.address, openedAt: c.openedAt,
    responseDueAt: c.responseDueAt, responseDueDate: c.responseDueDate, ...facts[i]!,
  }));
}

/** Everything the case page shows, read in one snapshot. */
function* casePageSteps(ref: string, now: number) {
  const c = yield* showCaseSteps(ref);
  const deployments = yield* listDeploymentsSteps({ caseRef: ref });
  const contactTimes = yield* get<{ first: number | null; last: number | null }>('SELECT min(at_ms) AS first, max(at_ms) AS last FROM case_contacts WHERE case_ref = ?', ref);
  const created = yield* all<{ id: number; created_at: string }>('SELECT id, created_at FROM diary_entries WHERE case_ref = ?', ref);
  return {
    c, deployments, contactTimes, created,
    facts: yield* caseFactsSteps(c, now),
    corrections: yield* diaryCorrectionsSteps(ref),
    contacts: yield* listContactsSteps(ref),
    plan: yield* listPlanNotesSteps(ref),
    diary: yield* listDiarySteps(ref),
    monitors: yield* monitorHealthSteps(now, { deviceIds: new Set(deployments.map((d) => d.deviceId)) }),
  };
}

export function caseRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/cases', async (request) => {
    const user = await requireUser(ctx.users, request);
    const cases = await ctx.record.read(caseListSteps(ctx, user, ctx.now()));
    // Issue 11 item 16: the list shows addresses, so reading it is logged, naming the cases shown.
    await logAccess(ctx, { username: user.username, action: 'case-list', caseRef: null, target: cases.map((c) => c.ref).join(' ') });
    return checkResponse(CaseListOut, { cases });
  });

  app.get('/api/cases/:ref', async (request) => {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    await requireVisibleCase(ctx, user, ref);
    const now = ctx.now();
    const { c, deployments, contactTimes: k, created, facts, corrections, contacts, plan, diary, monitors } = await ctx.record.read(casePageSteps(ref, now));
    const nameOf = await accountNames(ctx.users);
    // The last week of monitoring (or of the case, before any deployment).
    const first = deployments[0];
    const end = first === undefined ? now : Math.min(now, Math.max(...deployments.map((d) => (d.removedAt === null ? now : Date.parse(d.removedAt)))));
    const began = first === undefined ? Date.parse(c.openedAt) : Date.parse(first.installedAt);
    const start = began < end ? Math.max(began, end - WEEK_MS) : end - WEEK_MS;
    await logAccess(ctx, { username: user.username, action: 'case', caseRef: ref, target: ref });
    await ctx.record.write(markCaseSeenSteps(user.username, ref, now));
    const replaced = new Map([...corrections.values()].map((x) => [x.replacementId, x.correctedId]));
    const createdAt = new Map(created.map((r) => [r.id, r.created_at]));
    return checkResponse(CaseOut, {
      ref: c.ref, status: c.status, category: c.category, officer: c.officer, address: c.address, openedAt: c.openedAt,
      responseDueAt: c.responseDueAt, responseDueDate: c.responseDueDate, ...facts,
      history: c.history.map((h) => ({ ...h, by: nameOf(h.by) })),
      deployments: deployments.map((d) => ({
        deploymentId: d.id, deviceId: d.deviceId, from: d.installedAt, to: d.removedAt, audioMode: d.audioMode, driftDb: d.driftDb,
        installedBy: d.installedBy, removedBy: d.removedBy,
        calibrationAtInstall: d.calibration.atInstall === null ? null : {
          at: d.calibration.atInstall.at, referenceDb: d.calibration.atInstall.referenceDb, measuredDb: d.calibration.atInstall.measuredDb, fullScaleDb: d.calibration.atInstall.fullScaleDb,
        },
        position: d.equipment === null ? null : { ...d.equipment },
      })),
      suggestedPeriod: { from: new Date(start).toISOString(), to: new Date(end).toISOString() },
      officerName: nameOf(c.officer),
      ...contactClock(c.status, c.responseDueAt, k?.first ?? null, k?.last ?? null, now),
      contacts: contacts.map((x) => ({ id: x.id, at: x.at, method: x.method, by: x.by, byName: nameOf(x.by), summary: x.summary, leafIndex: x.leafIndex })),
      plan: plan.map((p) => ({ ...p, byName: nameOf(p.by) })),
      diary: diary.map((d) => {
        const corr = corrections.get(d.id);
        return {
          id: d.id, startedAt: d.startedAt, endedAt: d.endedAt, source: d.source, heard: d.content?.heard ?? null, effect: d.content?.effect ?? null,
          recordedBy: d.content?.recordedBy ?? null, createdAt: createdAt.get(d.id) ?? null, leafIndex: d.leafIndex,
          correctedBy: corr === undefined ? null : { replacementId: corr.replacementId, by: corr.by, byName: nameOf(corr.by), reason: corr.reason, at: corr.at },
          corrects: replaced.get(d.id) ?? null,
        };
      }),
      monitors: monitors.map((m) => ({ ...m })),
    });
  });

  /** The complainant's name and contact details: only on request, and each reading is access-logged. */
  app.get('/api/cases/:ref/complainant', async (request) => {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    await requireVisibleCase(ctx, user, ref);
    const c = await ctx.record.read(showCaseSteps(ref, { includeComplainant: true }));
    await logAccess(ctx, { username: user.username, action: 'complainant', caseRef: ref, target: ref });
    return { complainant: c.complainant ?? null };
  });

  app.get('/api/cases/:ref/timeline', async (request) => {
    const { user, sessionId } = await requireSession(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const q = parseRequest(TimelineQuery, request.query, 'query');
    await requireVisibleCase(ctx, user, ref);
    const tl = await ctx.record.read(timelineSteps({ caseRef: ref, from: Date.parse(q.from), to: Date.parse(q.to), width: q.width }, ctx.now()));
    await logAccess(ctx, { username: user.username, action: 'timeline', caseRef: ref, target: `${tl.from}/${tl.to}` });
    const now = ctx.now();
    const clips = tl.clips.map((c) => ({
      ...c,
      url: c.state === 'complete' ? ctx.signer.sign(`/api/clips/${c.deviceId}/${c.clipId}`, user.username, sessionId, now) : null,
    }));
    return checkResponse(TimelineOut, { ...tl, clips });
  });
}
