/**
 * Writes a batch's staged rows (staged-writes.ts) in its transaction on `c`:
 * one multi-row statement per table (`INSERT … SELECT FROM unnest(…)`, named
 * and so prepared once per connection), the level records through the
 * PostgreSQL levels writer, and the evidence leaves with the subtrees they
 * complete, checked to land at the indexes the steps were given.
 */
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import { appendInTransaction } from '../evidence-log.ts';
import type { PgLevelsWriter } from '../levels-writer.ts';
import type { OverflowRow, StagedWrites } from './staged-writes.ts';

const Q = {
  messages: {
    name: 'earshot-batch-messages',
    text: `INSERT INTO messages (device, seq, type, envelope_sha256, received_at)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bytea[], $5::bigint[])`,
  },
  status: {
    name: 'earshot-batch-status',
    text: `INSERT INTO status (device, seq, sent_at, received_at, clock_synced, clock_offset_ms, body)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::double precision[], $7::text[])`,
  },
  events: {
    name: 'earshot-batch-events',
    text: `INSERT INTO events (device, seq, device_time, received_at, clock_synced, clock_offset_ms, clock_flag, event_id, kind, body, envelope, signature, case_ref, attach_reason, leaf_index)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::double precision[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bytea[], $12::bytea[], $13::text[], $14::text[], $15::bigint[])`,
  },
  clips: {
    name: 'earshot-batch-clips',
    text: `INSERT INTO clips (device, seq, device_time, received_at, clock_synced, clock_offset_ms, clock_flag, clip_id, event_id, sha256, bytes, chunks, chunk_bytes, body, envelope, signature, state, case_ref, attach_reason, leaf_index)
      SELECT d, s, dt, ra, cs, co, cf, ci, ei, sh, b, ch, cb, bo, en, si, 'incomplete', cr, ar, li
      FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::double precision[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[],
        $14::text[], $15::bytea[], $16::bytea[], $17::text[], $18::text[], $19::bigint[]) AS x (d, s, dt, ra, cs, co, cf, ci, ei, sh, b, ch, cb, bo, en, si, cr, ar, li)`,
  },
  chunks: {
    name: 'earshot-batch-clip-chunks',
    text: `INSERT INTO clip_chunks (device, clip_id, n, data, received_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::bigint[]) ON CONFLICT DO NOTHING`,
  },
  quarantine: {
    name: 'earshot-batch-quarantine',
    text: `INSERT INTO quarantine (id, received_at, client_id, device, topic, code, detail, raw, raw_bytes, raw_sha256, raw_dropped, raw_dropped_at)
      SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::bigint[], $10::text[], $11::text[], $12::bigint[])`,
  },
  // store/quarantine.ts `overflow`, a row per (device, code, day) the batch counted.
  overflow: {
    name: 'earshot-batch-quarantine-overflow',
    text: `INSERT INTO quarantine_overflow (device, code, day, messages, bytes, first_at, last_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
      ON CONFLICT (device, code, day) DO UPDATE SET messages = quarantine_overflow.messages + excluded.messages,
        bytes = quarantine_overflow.bytes + excluded.bytes, last_at = excluded.last_at`,
  },
} as const;

const col = <T, K extends keyof T>(rows: readonly T[], k: K): T[K][] => rows.map((r) => r[k]);

/** One row per (device, code, day): ON CONFLICT may not touch a row twice in one statement. */
function overflowTotals(rows: readonly OverflowRow[]): { device: string; code: string; day: string; messages: number; bytes: number; first: number; last: number }[] {
  const by = new Map<string, { device: string; code: string; day: string; messages: number; bytes: number; first: number; last: number }>();
  for (const r of rows) {
    const key = `${r.device}\0${r.code}\0${r.day}`;
    const t = by.get(key);
    if (t === undefined) by.set(key, { device: r.device, code: r.code, day: r.day, messages: 1, bytes: r.bytes, first: r.at, last: r.at });
    else {
      t.messages += 1;
      t.bytes += r.bytes;
      t.last = r.at;
    }
  }
  return [...by.values()];
}

export async function flushStaged(c: pg.ClientBase, w: StagedWrites, levels: PgLevelsWriter, logSize: number | null): Promise<void> {
  if (w.messages.length > 0) {
    const m = w.messages;
    await c.query({ ...Q.messages, values: [col(m, 'device'), col(m, 'seq'), col(m, 'type'), col(m, 'sha256'), col(m, 'receivedAt')] });
  }
  if (w.status.length > 0) {
    const s = w.status;
    await c.query({ ...Q.status, values: [col(s, 'device'), col(s, 'seq'), col(s, 'sentAt'), col(s, 'receivedAt'), col(s, 'synced'), col(s, 'offsetMs'), col(s, 'body')] });
  }
  if (w.events.length > 0) {
    const e = w.events;
    await c.query({
      ...Q.events,
      values: [col(e, 'device'), col(e, 'seq'), col(e, 'deviceTime'), col(e, 'receivedAt'), col(e, 'synced'), col(e, 'offsetMs'), col(e, 'clockFlag'), col(e, 'eventId'), col(e, 'kind'),
        col(e, 'body'), col(e, 'envelope'), col(e, 'signature'), col(e, 'caseRef'), col(e, 'attachReason'), col(e, 'leafIndex')],
    });
  }
  if (w.clips.length > 0) {
    const k = w.clips;
    await c.query({
      ...Q.clips,
      values: [col(k, 'device'), col(k, 'seq'), col(k, 'deviceTime'), col(k, 'receivedAt'), col(k, 'synced'), col(k, 'offsetMs'), col(k, 'clockFlag'), col(k, 'clipId'), col(k, 'eventId'), col(k, 'sha256'),
        col(k, 'bytes'), col(k, 'chunks'), col(k, 'chunkBytes'), col(k, 'body'), col(k, 'envelope'), col(k, 'signature'), col(k, 'caseRef'), col(k, 'attachReason'), col(k, 'leafIndex')],
    });
  }
  if (w.chunks.length > 0) {
    const k = w.chunks;
    await c.query({ ...Q.chunks, values: [col(k, 'device'), col(k, 'clipId'), col(k, 'n'), col(k, 'data'), col(k, 'receivedAt')] });
  }
  if (w.quarantine.length > 0) {
    const q = w.quarantine;
    await c.query({
      ...Q.quarantine,
      values: [col(q, 'id'), col(q, 'receivedAt'), col(q, 'clientId'), col(q, 'device'), col(q, 'topic'), col(q, 'code'), col(q, 'detail'), col(q, 'raw'), col(q, 'rawBytes'), col(q, 'rawSha256'),
        col(q, 'rawDropped'), col(q, 'rawDroppedAt')],
    });
  }
  if (w.overflow.length > 0) {
    const o = overflowTotals(w.overflow);
    await c.query({ ...Q.overflow, values: [col(o, 'device'), col(o, 'code'), col(o, 'day'), col(o, 'messages'), col(o, 'bytes'), col(o, 'first'), col(o, 'last')] });
  }
  if (w.levels.length > 0) await levels.write(c, w.levels);
  if (w.leaves.length > 0) {
    const appended = await appendInTransaction(c, w.leaves.map((l) => ({ leaf: l.bytes, appendedAt: l.appendedAt })));
    if (appended[0]!.leafIndex !== logSize) {
      throw new EarshotError('EARSHOT_E_STORE_FAILED', `evidence leaves landed at ${appended[0]!.leafIndex}, not at ${logSize} as the batch was told`);
    }
  }
}
