/** GET /api/cases, GET /api/cases/:ref, GET /api/cases/:ref/timeline. Case page and timeline reads are logged. */
import type { FastifyInstance } from 'fastify';
import { listCases, showCase } from '../cases/case-queries.ts';
import { listDeployments } from '../cases/deployments.ts';
import { contactClock, diaryCorrections, listContacts, listDiary, listPlanNotes, markCaseSeen } from '../cases/index.ts';
import { createMonitorHealth } from '../dashboard/index.ts';
import { requireSession, requireUser } from './auth.ts';
import { createCaseFacts } from './case-list.ts';
import { type RouteContext, requireVisibleCase } from './context.ts';
import { CaseListOut, CaseOut, CaseParams, TimelineOut, TimelineQuery } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

const WEEK_MS = 7 * 86_400_000;

export function caseRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const facts = createCaseFacts(ctx.db);
  const health = createMonitorHealth(ctx.db);
  const nameOf = (username: string): string => ctx.users.get(username)?.displayName ?? username;
  const contactTimes = ctx.db.prepare<[string], { first: number | null; last: number | null }>('SELECT min(at_ms) AS first, max(at_ms) AS last FROM case_contacts WHERE case_ref = ?');
  const createdAt = ctx.db.prepare<[string], { id: number; created_at: string }>('SELECT id, created_at FROM diary_entries WHERE case_ref = ?');

  app.get('/api/cases', async (request) => {
    const user = requireUser(ctx.users, request);
    const now = ctx.now();
    const cases = listCases(ctx.db)
      .filter((c) => ctx.users.canSeeCase(user, c.officer))
      .map((c) => ({
        ref: c.ref, status: c.status, category: c.category, officer: c.officer, address: c.address, openedAt: c.openedAt,
        responseDueAt: c.responseDueAt, responseDueDate: c.responseDueDate, ...facts(c, now),
      }));
    // Issue 11 item 16: the list shows addresses, so reading it is logged, naming the cases shown.
    ctx.accessLog.record({ username: user.username, action: 'case-list', caseRef: null, target: cases.map((c) => c.ref).join(' ') });
    return checkResponse(CaseListOut, { cases });
  });

  app.get('/api/cases/:ref', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    requireVisibleCase(ctx, user, ref);
    const now = ctx.now();
    const c = showCase(ctx.db, ref);
    const deployments = listDeployments(ctx.db, { caseRef: ref });
    // The last week of monitoring (or of the case, before any deployment).
    const first = deployments[0];
    const end = first === undefined ? now : Math.min(now, Math.max(...deployments.map((d) => (d.removedAt === null ? now : Date.parse(d.removedAt)))));
    const began = first === undefined ? Date.parse(c.openedAt) : Date.parse(first.installedAt);
    const start = began < end ? Math.max(began, end - WEEK_MS) : end - WEEK_MS;
    ctx.accessLog.record({ username: user.username, action: 'case', caseRef: ref, target: ref });
    markCaseSeen(ctx.db, user.username, ref, now);
    const k = contactTimes.get(ref);
    const corrections = diaryCorrections(ctx.db, ref);
    const replaced = new Map([...corrections.values()].map((x) => [x.replacementId, x.correctedId]));
    const created = new Map(createdAt.all(ref).map((r) => [r.id, r.created_at]));
    const devices = new Set(deployments.map((d) => d.deviceId));
    return checkResponse(CaseOut, {
      ref: c.ref, status: c.status, category: c.category, officer: c.officer, address: c.address, openedAt: c.openedAt,
      responseDueAt: c.responseDueAt, responseDueDate: c.responseDueDate, ...facts(c, now),
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
      contacts: listContacts(ctx.db, ref).map((x) => ({ id: x.id, at: x.at, method: x.method, by: x.by, byName: nameOf(x.by), summary: x.summary, leafIndex: x.leafIndex })),
      plan: listPlanNotes(ctx.db, ref).map((p) => ({ ...p, byName: nameOf(p.by) })),
      diary: listDiary(ctx.db, ref).map((d) => {
        const corr = corrections.get(d.id);
        return {
          id: d.id, startedAt: d.startedAt, endedAt: d.endedAt, source: d.source, heard: d.content?.heard ?? null, effect: d.content?.effect ?? null,
          recordedBy: d.content?.recordedBy ?? null, createdAt: created.get(d.id) ?? null, leafIndex: d.leafIndex,
          correctedBy: corr === undefined ? null : { replacementId: corr.replacementId, by: corr.by, byName: nameOf(corr.by), reason: corr.reason, at: corr.at },
          corrects: replaced.get(d.id) ?? null,
        };
      }),
      monitors: health(now, { deviceIds: devices }).map((m) => ({ ...m })),
    });
  });

  /** The complainant's name and contact details: only on request, and each reading is access-logged. */
  app.get('/api/cases/:ref/complainant', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    requireVisibleCase(ctx, user, ref);
    const c = showCase(ctx.db, ref, { includeComplainant: true });
    ctx.accessLog.record({ username: user.username, action: 'complainant', caseRef: ref, target: ref });
    return { complainant: c.complainant ?? null };
  });

  app.get('/api/cases/:ref/timeline', async (request) => {
    const { user, sessionId } = requireSession(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const q = parseRequest(TimelineQuery, request.query, 'query');
    requireVisibleCase(ctx, user, ref);
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    const tl = ctx.timeline.build({ caseRef: ref, from, to, width: q.width });
    ctx.accessLog.record({ username: user.username, action: 'timeline', caseRef: ref, target: `${tl.from}/${tl.to}` });
    const now = ctx.now();
    const clips = tl.clips.map((c) => ({
      ...c,
      url: c.state === 'complete' ? ctx.signer.sign(`/api/clips/${c.deviceId}/${c.clipId}`, user.username, sessionId, now) : null,
    }));
    return checkResponse(TimelineOut, { ...tl, clips });
  });
}
