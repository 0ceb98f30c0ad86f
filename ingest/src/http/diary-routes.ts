/**
 * The diary in the browser (issue 12): add an entry, correct one (a new entry
 * and a correction leaf; the old stays, shown as corrected), import a CSV. The
 * account that recorded each entry is kept with it. Each is one transaction of
 * the record, on either store.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import { correctDiaryEntrySteps } from '../cases/diary-correction.ts';
import { importDiaryCsvSteps } from '../cases/diary-import.ts';
import { addDiaryEntrySteps } from '../cases/diary.ts';
import { requireUser } from './auth.ts';
import { type RouteContext, requireVisibleCase, requireWritable } from './context.ts';
import { CaseParams } from './schemas.ts';
import { DiaryBody, DiaryCorrectionBody, DiaryImportBody, DiaryParams } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

/** A CSV import may be larger than the API's 64 KiB default; the import bounds itself (cases/diary-import.ts). */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

export function diaryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/cases/:ref/diary', async (request, reply) => {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(DiaryBody, request.body, 'body');
    requireWritable(ctx);
    await requireVisibleCase(ctx, user, ref);
    const e = await ctx.record.write(addDiaryEntrySteps(ref, { ...b, recordedBy: user.displayName }, ctx.now()));
    return reply.code(201).send({ id: e.id, leafIndex: e.leafIndex });
  });

  app.post('/api/cases/:ref/diary/:id/correction', async (request, reply) => {
    const user = await requireUser(ctx.users, request);
    const { ref, id } = parseRequest(DiaryParams, request.params, 'path');
    const { reason, ...entry } = parseRequest(DiaryCorrectionBody, request.body, 'body');
    requireWritable(ctx);
    await requireVisibleCase(ctx, user, ref);
    const c = await ctx.record.write(correctDiaryEntrySteps(ref, { entryId: id, reason, by: user.username, replacement: { ...entry, recordedBy: user.displayName } }, ctx.now()));
    return reply.code(201).send(c);
  });

  app.post('/api/cases/:ref/diary/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(DiaryImportBody, request.body, 'body');
    requireWritable(ctx);
    await requireVisibleCase(ctx, user, ref);
    const r = await ctx.record.write(importDiaryCsvSteps(ref, b.csv, ctx.now()));
    if (!r.ok) {
      const lines = r.problems.slice(0, 20).map((p) => `line ${p.line}: ${p.problem}`).join('; ');
      throw new EarshotError('EARSHOT_E_DIARY_CSV_INVALID', lines);
    }
    return { imported: r.imported.length, skipped: r.skipped.length };
  });
}
