/**
 * A real ingest for the resident's diary (issue 13): a data folder opened as the
 * service opens it (every migration, the evidence log with the server key), an
 * open case with a monitor deployed, an officer account, and the HTTP app wired
 * as `earshot serve` wires it (with the real bundle exporter). The clock is the
 * real one plus an offset the test may move (a phone written to offline, received
 * later).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { createBundleExporter } from '../../src/export/index.ts';
import { type HttpApp, createHttpApp } from '../../src/http/index.ts';
import { type IssuedLink, issueLink } from '../../src/resident/index.ts';
import { clipsFolderKeeper } from '../../src/resident/intake.ts';
import type { ResidentLimits } from '../../src/resident/limits.ts';
import { residentRoutes } from '../../src/resident/routes.ts';
import { type Ingest, openIngest } from '../../src/service/open-ingest.ts';
import { clipsFolder } from '../../src/http/clip-store.ts';
import { embeddedRecord } from '../../src/storage/record/embedded-record.ts';
import { type AccessLog, type Users, accessPortFor, createAccessLog, createUsers } from '../../src/users/index.ts';

export const REF = 'ASB-2026-0001';
export const OTHER_REF = 'ASB-2026-0002';
export const PASSWORD = 'correct horse battery';
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface ResidentFixture {
  readonly dir: string;
  readonly ingest: Ingest;
  readonly users: Users;
  readonly accessLog: AccessLog;
  readonly http: HttpApp;
  readonly deploymentId: number;
  readonly otherDeploymentId: number;
  /** Milliseconds added to the real clock. */
  offsetMs: number;
  now(): number;
  issue(deploymentId?: number): IssuedLink;
  login(username?: string): Promise<string>;
  close(): Promise<void>;
}

export async function makeResidentFixture(options: { limits?: Partial<ResidentLimits> } = {}): Promise<ResidentFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-resident-'));
  const state = { offsetMs: 0 };
  const now = (): number => Date.now() + state.offsetMs;
  const ingest = openIngest(join(dir, 'data'), now);
  const cases = ingest.cases;
  openCase(cases, { ref: REF, category: 'general', officer: 'jsmith', address: '1 Acacia Avenue', complainant: { name: 'A. Resident', contact: '07700 900000' } });
  openCase(cases, { ref: OTHER_REF, category: 'high-risk', officer: 'bjones', address: '2 Acacia Avenue' });
  const installedAt = new Date(now() - 3 * 86_400_000).toISOString();
  const d1 = startDeployment(cases, { caseRef: REF, deviceId: 'mon-001', installedAt, installedBy: 'T. Tech' });
  const d2 = startDeployment(cases, { caseRef: OTHER_REF, deviceId: 'mon-002', installedAt, installedBy: 'T. Tech' });
  const users = createUsers(ingest.db, { now, scrypt: TEST_SCRYPT });
  await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: PASSWORD });
  const evidence = accessPortFor(ingest.log, now);
  const accessLog = createAccessLog(ingest.db, evidence, now);
  const logger = pino({ level: 'silent' });
  const record = embeddedRecord(cases, evidence, now);
  const http = await createHttpApp({
    record, users, exportBundle: createBundleExporter(ingest, { outDir: join(dir, 'bundles') }), clips: clipsFolder(ingest.dir.clips), logger, now,
    // With limits of its own, the resident's routes are mounted by the test (the app mounts them with the defaults).
    ...(options.limits === undefined ? { resident: { keep: clipsFolderKeeper(ingest.dir.clips) } } : {}),
  });
  if (options.limits !== undefined) await http.app.register(residentRoutes({ record, keep: clipsFolderKeeper(ingest.dir.clips), now, limits: options.limits }));
  const fx: ResidentFixture = {
    dir, ingest, users, accessLog, http, deploymentId: d1.id, otherDeploymentId: d2.id,
    get offsetMs() { return state.offsetMs; },
    set offsetMs(v: number) { state.offsetMs = v; },
    now,
    issue: (deploymentId = d1.id) => issueLink({ db: ingest.db, accessLog, now }, deploymentId, 'jsmith'),
    async login(username = 'jsmith') {
      const r = await http.app.inject({ method: 'POST', url: '/api/login', payload: { username, password: PASSWORD } });
      return (r.json() as { token: string }).token;
    },
    async close() {
      await http.jobs.idle();
      await http.app.close();
      ingest.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fx;
}
