/**
 * Clips left unassembled on PostgreSQL (a process killed after its batch's
 * COMMIT, or the last chunks committed by two processes at once) are
 * assembled by the sweep: once, whichever of two processes sweeps, and a clip
 * still missing a chunk is left as it is.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startPgClipSweep } from '../../src/storage/postgres/clip-sweep.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const logger = pino({ level: 'silent' });
const CHUNK = 1_000;

/** A manifest row and `stored` of its chunks, as the pipeline leaves them before an assembly. */
async function storeClip(pool: pg.Pool, clipId: string, data: Buffer, stored: number): Promise<void> {
  const chunks = Math.ceil(data.length / CHUNK);
  const sha = createHash('sha256').update(data).digest('hex');
  await pool.query(
    `INSERT INTO clips (device, clip_id, seq, event_id, sha256, bytes, chunks, chunk_bytes, device_time, received_at, state, body, envelope, signature)
     VALUES ('flat-1', $1, 1, 'ev-1', $2, $3, $4, $5, 0, 0, 'incomplete', '{}', '\\x00', '\\x00')`,
    [clipId, sha, data.length, chunks, CHUNK],
  );
  for (let n = 0; n < stored; n++) {
    await pool.query('INSERT INTO clip_chunks (device, clip_id, n, data, received_at) VALUES ($1, $2, $3, $4, 0)', ['flat-1', clipId, n, data.subarray(n * CHUNK, (n + 1) * CHUNK)]);
  }
}

describe('the PostgreSQL clip sweep', () => {
  it('assembles a clip whose chunks are all stored, once across two sweepers, and leaves one still missing a chunk', async () => {
    const pool = await fx.pool();
    const whole = Buffer.alloc(2_500, 7);
    await storeClip(pool, 'clip-whole', whole, 3);
    await storeClip(pool, 'clip-partial', Buffer.alloc(2_500, 9), 2);
    const a = startPgClipSweep(pool, { logger, everyMs: 60_000 });
    const b = startPgClipSweep(pool, { logger, everyMs: 60_000 });
    await Promise.all([a.runNow(), b.runNow()]);
    await Promise.all([a.stop(), b.stop()]);
    const clips = (await pool.query<{ clip_id: string; state: string; file: string | null }>('SELECT clip_id, state, file FROM clips ORDER BY clip_id')).rows;
    const sha = createHash('sha256').update(whole).digest('hex');
    expect(clips).toEqual([
      { clip_id: 'clip-partial', state: 'incomplete', file: null },
      { clip_id: 'clip-whole', state: 'complete', file: `${sha}.wav` },
    ]);
    const files = (await pool.query<{ file: string; data: Buffer }>('SELECT file, data FROM clip_files')).rows;
    expect(files).toEqual([{ file: `${sha}.wav`, data: whole }]);
    const chunks = (await pool.query<{ clip_id: string; n: number }>('SELECT clip_id, n FROM clip_chunks ORDER BY clip_id, n')).rows;
    expect(chunks).toEqual([{ clip_id: 'clip-partial', n: 0 }, { clip_id: 'clip-partial', n: 1 }]);
  });
});
