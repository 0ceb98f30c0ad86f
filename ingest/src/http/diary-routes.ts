/**
 * The diary in the browser (issue 12): add an entry, correct one (a new entry
 * and a correction leaf; the old stays, shown as corrected), import a CSV. The
 * account that recorded each entry is kept with it.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import { addDiaryEntry, correctDiaryEntry, importDiaryCsv } from '../cases/index.ts';
import { requireUser } from './auth.ts';
import { type RouteContext, requireCases, requireVisibleCase } from './context.ts';
import { CaseParams } from './schemas.ts';
import { DiaryBody, DiaryCorrectionBody, DiaryImportBody, DiaryParams } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

/** A CSV import may be larger than the API's 64 KiB default; the import bounds itself (cases/diary-import.ts). */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

export function diaryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/cases/:ref/diary', async (request, reply) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(DiaryBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    const e = addDiaryEntry(requireCases(ctx), ref, { ...b, recordedBy: user.displayName });
    return reply.code(201).send({ id: e.id, leafIndex: e.leafIndex });
  });

  app.post('/api/cases/:ref/diary/:id/correction', async (request, reply) => {
    const user = requireUser(ctx.users, request);
    const { ref, id } = parseRequest(DiaryParams, request.params, 'path');
    const { reason, ...entry } = parseRequest(DiaryCorrectionBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    const c = correctDiaryEntry(requireCases(ctx), ref, { entryId: id, reason, by: user.username, replacement: { ...entry, recordedBy: user.displayName } });
    return reply.code(201).send(c);
  });

  app.post('/api/cases/:ref/diary/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(DiaryImportBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    const r = importDiaryCsv(requireCases(ctx), ref, b.csv);
    if (!r.ok) {
      const lines = r.problems.slice(0, 20).map((p) => `line ${p.line}: ${p.problem}`).join('; ');
      throw new EarshotError('EARSHOT_E_DIARY_CSV_INVALID', lines);
    }
    return { imported: r.imported.length, skipped: r.skipped.length };
  });
}
