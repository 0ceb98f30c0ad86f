/**
 * Stored receipts' coverage on PostgreSQL (receipts/coverage-port.ts). Several
 * `earshot serve` processes may share the store and one broker's shared
 * subscription, so a device's consecutive seqs may be stored by different
 * processes: what a receipt covers is read from the database, never from what
 * this process stored.
 *
 * One query per drain, for its devices (receipts.ts picks up to MAX_PER_TURN):
 * each device's mark — the higher of this process's and receipt_marks', or,
 * with neither, the run of stored seqs from 0 (the rule of receipts/coverage.ts
 * initialMark) — and the ledger's seqs above it, up to WINDOW, that count as
 * stored: every message, a clip manifest only once all its chunks are stored or
 * its reassembly has settled (complete, or corrupt and kept), exactly as
 * coverage.ts. The walk then runs in memory over that view; a walk that reaches
 * the window's end goes on at the next drain.
 *
 * Marks are written with GREATEST, so a process whose memory is behind never
 * lowers one another process wrote; rows in device order, so two processes
 * writing overlapping marks take their row locks in the same order (no deadlock).
 */
import type pg from 'pg';
import type { AsyncReceiptCoverage, CoverageView } from '../../receipts/coverage-port.ts';

/**
 * Seqs read above a device's mark in one drain. A monitor sends ~0.1 levels messages a second plus heartbeats and
 * events, so a drain normally finds a handful; 4,096 covers a monitor's backlog of over ten hours in one go.
 */
export const WINDOW = 4_096;

/** Counts as stored: a manifest only with all its chunks, or once settled (receipts/coverage.ts, DESIGN §4). */
const CLIP_DONE = `(c.state <> 'incomplete' OR (SELECT count(*) FROM clip_chunks k WHERE k.device = c.device AND k.clip_id = c.clip_id) >= c.chunks)`;

const Q = {
  load: {
    name: 'earshot-receipt-coverage',
    text: `WITH d AS (
        SELECT q.device, GREATEST(q.known, r.stored) AS mark
        FROM unnest($1::text[], $2::bigint[]) AS q (device, known) LEFT JOIN receipt_marks r ON r.device = q.device
      ), s AS (
        SELECT d.device, coalesce(d.mark, CASE
          WHEN NOT EXISTS (SELECT 1 FROM messages m WHERE m.device = d.device AND m.seq = 0) THEN -1
          ELSE (SELECT CASE WHEN u.seq IS NOT NULL AND u.seq <= g.seq THEN u.seq - 1 ELSE g.seq END
            FROM (SELECT m.seq FROM messages m WHERE m.device = d.device
                    AND NOT EXISTS (SELECT 1 FROM messages n WHERE n.device = m.device AND n.seq = m.seq + 1)
                  ORDER BY m.seq LIMIT 1) g,
                 (SELECT min(c.seq) AS seq FROM clips c WHERE c.device = d.device AND NOT ${CLIP_DONE}) u)
        END) AS mark
        FROM d
      )
      SELECT s.device, s.mark, w.seq
      FROM s LEFT JOIN LATERAL (
        SELECT m.seq FROM messages m
        WHERE m.device = s.device AND m.seq > s.mark AND m.seq <= s.mark + $3::bigint
          AND (m.type <> 'clip' OR EXISTS (SELECT 1 FROM clips c WHERE c.device = m.device AND c.seq = m.seq AND ${CLIP_DONE}))
      ) w ON true`,
  },
  write: {
    name: 'earshot-receipt-marks',
    text: `INSERT INTO receipt_marks (device, stored, at)
      SELECT u.device, u.stored, $3::bigint FROM unnest($1::text[], $2::bigint[]) AS u (device, stored) ORDER BY u.device
      ON CONFLICT (device) DO UPDATE SET stored = GREATEST(receipt_marks.stored, excluded.stored), at = excluded.at`,
  },
} as const;

export interface PgReceiptCoverageOptions {
  /** Seqs read above a mark per drain (WINDOW by default; tests make it small). */
  readonly window?: number;
}

interface Loaded {
  readonly mark: number;
  readonly stored: Set<number>;
}

export function pgReceiptCoverage(pool: pg.Pool, opts: PgReceiptCoverageOptions = {}): AsyncReceiptCoverage {
  const window = opts.window ?? WINDOW;
  return {
    async load(known) {
      const devices = [...known.keys()];
      const rows = (await pool.query<{ device: string; mark: number; seq: number | null }>({
        ...Q.load, values: [devices, devices.map((d) => known.get(d) ?? null), window],
      })).rows;
      const by = new Map<string, Loaded>();
      for (const r of rows) {
        let l = by.get(r.device);
        if (l === undefined) {
          l = { mark: r.mark, stored: new Set() };
          by.set(r.device, l);
        }
        if (r.seq !== null) l.stored.add(r.seq);
      }
      const view: CoverageView = {
        mark: (device) => by.get(device)?.mark ?? -1,
        stored: (device, seq) => by.get(device)?.stored.has(seq) === true,
        through: (device) => (by.get(device)?.mark ?? -1) + window,
      };
      return view;
    },
    async writeMarks(marks, atMs) {
      if (marks.size === 0) return;
      const devices = [...marks.keys()];
      await pool.query({ ...Q.write, values: [devices, devices.map((d) => marks.get(d)!), atMs] });
    },
  };
}
