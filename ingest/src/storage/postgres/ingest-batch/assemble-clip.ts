/**
 * Reassembles a clip on PostgreSQL once its manifest and every chunk are
 * stored (store/clips.ts assemble, with the file in clip_files instead of the
 * clips folder): in one transaction, its chunks in order, each of the size the
 * signed manifest says, their SHA-256 against the manifest's; then the bytes
 * into clip_files under `<sha256>.wav` (the database checks the name is the
 * content's hash), the clip marked complete and its chunks dropped — or the
 * clip marked corrupt with the reason, its chunks kept. A failure changes
 * nothing: the clip stays incomplete with its chunks, to be assembled again.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { chunkSize } from '../../../store/clips.ts';

export type AssemblyResult = { readonly state: 'complete'; readonly file: string } | { readonly state: 'corrupt' | 'incomplete'; readonly problem: string };

interface ManifestRow { sha256: string; bytes: number; chunks: number; chunk_bytes: number; state: string }

const Q = {
  manifest: { name: 'earshot-assemble-manifest', text: 'SELECT sha256, bytes, chunks, chunk_bytes, state FROM clips WHERE device = $1 AND clip_id = $2 FOR UPDATE' },
  chunks: { name: 'earshot-assemble-chunks', text: 'SELECT n, data FROM clip_chunks WHERE device = $1 AND clip_id = $2 ORDER BY n' },
  file: { name: 'earshot-assemble-file', text: 'INSERT INTO clip_files (file, bytes, data, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT (file) DO NOTHING' },
  complete: { name: 'earshot-assemble-complete', text: "UPDATE clips SET state = 'complete', file = $1, completed_at = $2, problem = NULL WHERE device = $3 AND clip_id = $4" },
  corrupt: { name: 'earshot-assemble-corrupt', text: "UPDATE clips SET state = 'corrupt', problem = $1 WHERE device = $2 AND clip_id = $3" },
  drop: { name: 'earshot-assemble-drop', text: 'DELETE FROM clip_chunks WHERE device = $1 AND clip_id = $2' },
} as const;

export async function assembleClip(pool: pg.Pool, device: string, clipId: string, now: number): Promise<AssemblyResult> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const m = (await c.query<ManifestRow>({ ...Q.manifest, values: [device, clipId] })).rows[0];
    if (m === undefined || m.state !== 'incomplete') {
      await c.query('ROLLBACK');
      return m?.state === 'complete' ? { state: 'complete', file: `${m.sha256}.wav` } : { state: 'incomplete', problem: m === undefined ? 'no manifest received' : `the clip is ${m.state}` };
    }
    const rows = (await c.query<{ n: number; data: Buffer }>({ ...Q.chunks, values: [device, clipId] })).rows;
    const size = (n: number): number => chunkSize(m, m.chunk_bytes, n);
    const hash = createHash('sha256');
    let total = 0;
    let problem: string | null = null;
    for (const [i, r] of rows.entries()) {
      if (r.n !== i || r.n >= m.chunks) { problem = `chunk ${r.n} out of place`; break; }
      if (r.data.length !== size(r.n)) { problem = `chunk ${r.n} has ${r.data.length} bytes, the manifest says ${size(r.n)}`; break; }
      hash.update(r.data);
      total += r.data.length;
    }
    if (problem === null && rows.length !== m.chunks) {
      await c.query('ROLLBACK');
      return { state: 'incomplete', problem: `${m.chunks - rows.length} of ${m.chunks} chunks missing` };
    }
    if (problem === null && total !== m.bytes) problem = `${total} bytes, the manifest says ${m.bytes}`;
    if (problem === null) {
      const sha = hash.digest('hex');
      if (sha !== m.sha256) problem = `EARSHOT_E_CLIP_HASH_MISMATCH: sha256 ${sha}, the signed manifest says ${m.sha256}`;
    }
    if (problem !== null) {
      await c.query({ ...Q.corrupt, values: [problem, device, clipId] });
      await c.query('COMMIT');
      return { state: 'corrupt', problem };
    }
    const file = `${m.sha256}.wav`;
    await c.query({ ...Q.file, values: [file, m.bytes, Buffer.concat(rows.map((r) => r.data), m.bytes), now] });
    await c.query({ ...Q.complete, values: [file, now, device, clipId] });
    await c.query({ ...Q.drop, values: [device, clipId] });
    await c.query('COMMIT');
    return { state: 'complete', file };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    return { state: 'incomplete', problem: `not assembled: ${(e as Error).message}` };
  } finally {
    c.release();
  }
}
