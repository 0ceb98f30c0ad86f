/**
 * The PostgreSQL adapter of the evidence-log port (tables in
 * schema/evidence.ts): the same leaf bytes, node hashes, roots and proofs as
 * the SQLite store.
 *
 * Appends are serialised across every process sharing the database by a
 * transaction-scoped advisory lock, pg_advisory_xact_lock, taken before the
 * size is read. Chosen over a single appender process: any ingest process can
 * append in the same transaction as the rows the leaf records (a message and
 * its leaf commit together, as in SQLite), there is no appender to elect, fail
 * over or wait on across the network, and a process killed mid-append releases
 * the lock with its connection. The lock is held only from the size read to
 * COMMIT (a few statements), which bounds the log's append rate, not the rest
 * of the ingest. In READ COMMITTED each statement takes a new snapshot
 * (https://www.postgresql.org/docs/15/transaction-iso.html#XACT-READ-COMMITTED),
 * so the size read in the statement after the lock sees every append committed
 * before it: reading it in the same statement as the lock would not.
 */
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import { consistencyProof, inclusionProof, leafHash, nodeHash, rootAt } from '../../evidence/merkle.ts';
import type { Appended, EvidenceLogPort, LeafToAppend, NodeRef, StoredLeaf, StoredTreeHead } from '../evidence-log-port.ts';
import { rightEdge, withNodes } from '../node-plan.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from './advisory-locks.ts';
import { inTransaction } from './transaction.ts';

interface LeafRow {
  leaf_index: number;
  leaf: Buffer;
  leaf_hash: Buffer;
  appended_at: string;
}

interface HeadRow {
  id: number;
  tree_size: number;
  sth: Buffer;
  signature: Buffer;
}

const toLeaf = (r: LeafRow): StoredLeaf => ({ leafIndex: r.leaf_index, leaf: r.leaf, leafHash: r.leaf_hash, appendedAt: r.appended_at });
const toHead = (r: HeadRow): StoredTreeHead => ({ id: r.id, treeSize: r.tree_size, bytes: r.sth, signature: r.signature });

// Named statements are prepared once per connection (https://node-postgres.com/features/queries#prepared-statements).
const Q = {
  lock: { name: 'earshot-log-lock', text: 'SELECT pg_advisory_xact_lock($1, $2)' },
  size: { name: 'earshot-log-size', text: 'SELECT coalesce(max(leaf_index), -1) + 1 AS n FROM evidence_leaves' },
  // The size and, in the same snapshot, its right edge (node_plan.ts rightEdge, largest first): for each
  // set bit b of the size n, the complete subtree at level b of index (n >> (b + 1)) << 1.
  sizeAndEdge: {
    name: 'earshot-log-size-edge',
    text: `WITH s AS (SELECT coalesce(max(leaf_index), -1) + 1 AS n FROM evidence_leaves),
      e AS (SELECT g.b AS level, (s.n >> (g.b + 1)) << 1 AS node_index FROM s, generate_series(0, 62) AS g (b) WHERE (s.n >> g.b) & 1 = 1)
      SELECT s.n, e.level, e.node_index, coalesce(nd.hash, lf.leaf_hash) AS hash
      FROM s LEFT JOIN e ON true
      LEFT JOIN evidence_nodes nd ON e.level > 0 AND nd.level = e.level AND nd.node_index = e.node_index
      LEFT JOIN evidence_leaves lf ON e.level = 0 AND lf.leaf_index = e.node_index
      ORDER BY e.level DESC`,
  },
  // Leaves and the nodes they complete in one statement (a data-modifying WITH runs whether or not it is read).
  insert: {
    name: 'earshot-log-insert',
    text: `WITH l AS (INSERT INTO evidence_leaves (leaf_index, leaf, leaf_hash, appended_at)
        SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::text[]) ORDER BY 1)
      INSERT INTO evidence_nodes (level, node_index, hash) SELECT * FROM unnest($5::bigint[], $6::bigint[], $7::bytea[])`,
  },
  nodes: {
    name: 'earshot-log-nodes',
    text: `SELECT q.i, coalesce(n.hash, l.leaf_hash) AS hash
      FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS q (level, node_index, i)
      LEFT JOIN evidence_nodes n ON q.level > 0 AND n.level = q.level AND n.node_index = q.node_index
      LEFT JOIN evidence_leaves l ON q.level = 0 AND l.leaf_index = q.node_index`,
  },
  leaf: { name: 'earshot-log-leaf', text: 'SELECT leaf_index, leaf, leaf_hash, appended_at FROM evidence_leaves WHERE leaf_index = $1' },
  page: { name: 'earshot-log-page', text: 'SELECT leaf_index, leaf, leaf_hash, appended_at FROM evidence_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2' },
  recordHead: { name: 'earshot-log-record-head', text: 'INSERT INTO evidence_tree_heads (tree_size, sth, signature) VALUES ($1, $2, $3) RETURNING id' },
  latestHead: { name: 'earshot-log-latest-head', text: 'SELECT id, tree_size, sth, signature FROM evidence_tree_heads ORDER BY id DESC LIMIT 1' },
  heads: { name: 'earshot-log-heads', text: 'SELECT id, tree_size, sth, signature FROM evidence_tree_heads ORDER BY tree_size, id' },
} as const;

export type Queryable = pg.Pool | pg.ClientBase;

async function fetchNodes(q: Queryable, refs: readonly NodeRef[]): Promise<(Buffer | null)[]> {
  if (refs.length === 0) return [];
  const r = await q.query<{ i: number; hash: Buffer | null }>({ ...Q.nodes, values: [refs.map((x) => x.level), refs.map((x) => x.index)] });
  const out: (Buffer | null)[] = refs.map(() => null);
  for (const row of r.rows) out[row.i - 1] = row.hash;
  return out;
}

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Appends in the caller's open transaction on `c` (so rows and their leaves commit together):
 * takes the append lock, reads the size, writes the leaves and every subtree they complete.
 */
export async function appendInTransaction(c: pg.ClientBase, leaves: readonly LeafToAppend[]): Promise<Appended[]> {
  await c.query({ ...Q.lock, values: [EARSHOT_LOCK_CLASS, LOCK.evidenceAppend] });
  return appendLocked(c, leaves);
}

/** As appendInTransaction, in a transaction of its own: BEGIN and the lock in one round trip, four in all. */
function appendOwnTransaction(pool: pg.Pool, leaves: readonly LeafToAppend[]): Promise<Appended[]> {
  // Constants only, so BEGIN and the lock can go as one simple query.
  return inTransaction(pool, `BEGIN; SELECT pg_advisory_xact_lock(${EARSHOT_LOCK_CLASS}, ${LOCK.evidenceAppend})`, (c) => appendLocked(c, leaves));
}

async function appendLocked(c: pg.ClientBase, leaves: readonly LeafToAppend[]): Promise<Appended[]> {
  const rows = (await c.query<{ n: number; level: number | null; node_index: number | null; hash: Buffer | null }>(Q.sizeAndEdge)).rows;
  const start = rows[0]!.n;
  // The right edge of the tree so far: the left siblings the new leaves complete subtrees with.
  const edgeRefs = rightEdge(start);
  const edge = edgeRefs.map((r, i) => {
    const row = rows[i];
    if (row === undefined || row.level !== r.level || row.node_index !== r.index || row.hash === null) {
      throw new EarshotError('EARSHOT_E_NODE_MISMATCH', `level ${r.level} node ${r.index} is missing below leaf ${start}`);
    }
    return row.hash;
  });
  const idx: number[] = [];
  const bytes: Buffer[] = [];
  const hashes: Buffer[] = [];
  const at: string[] = [];
  const nLevel: number[] = [];
  const nIndex: number[] = [];
  const nHash: Buffer[] = [];
  const out: Appended[] = [];
  leaves.forEach((l, k) => {
    const index = start + k;
    const b = toBuffer(l.leaf);
    const hash = leafHash(b);
    idx.push(index);
    bytes.push(b);
    hashes.push(hash);
    at.push(l.appendedAt);
    out.push({ leafIndex: index, leafHash: hash });
    // Each odd index at a level completes its parent (RFC 6962 §2.1: h(left, right)).
    let h = hash;
    let i = index;
    let level = 0;
    while (i % 2 === 1) {
      h = nodeHash(edge.pop()!, h);
      i = (i - 1) / 2;
      level++;
      nLevel.push(level);
      nIndex.push(i);
      nHash.push(h);
    }
    edge.push(h);
  });
  if (idx.length > 0) await c.query({ ...Q.insert, values: [idx, bytes, hashes, at, nLevel, nIndex, nHash] });
  return out;
}

/** The number of leaves, as seen by `q` (a pool, or a client inside its own transaction). */
export async function logSizeIn(q: Queryable): Promise<number> {
  return (await q.query<{ n: number }>(Q.size)).rows[0]!.n;
}

/** MTH of the first `treeSize` leaves as seen by `q` (RFC 6962 §2.1). */
export function rootIn(q: Queryable, treeSize: number): Promise<Buffer> {
  return withNodes((refs) => fetchNodes(q, refs), (src) => rootAt(src, treeSize));
}

export function postgresEvidenceLog(pool: pg.Pool): EvidenceLogPort {
  const size = (): Promise<number> => logSizeIn(pool);
  const outside = async (treeSize: number): Promise<EarshotError> => new EarshotError('EARSHOT_E_PROOF_RANGE', `tree size ${treeSize} (the log holds ${await size()} leaves)`);
  /**
   * Runs a root or proof computation for a tree of `treeSize` leaves, fetching leaf treeSize − 1's hash
   * with the nodes it reads: when that leaf is missing the tree is larger than the log, found without a
   * separate size query (some proofs, e.g. of a one-leaf tree, read no node at all).
   */
  const overTree = async <T>(treeSize: number, compute: Parameters<typeof withNodes<T>>[1]): Promise<T> => {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw await outside(treeSize);
    try {
      return await withNodes(nodes, (src) => {
        if (treeSize > 0) src.node(0, treeSize - 1);
        return compute(src);
      });
    } catch (e) {
      if (e instanceof EarshotError && e.code === 'EARSHOT_E_PROOF_RANGE') throw await outside(treeSize);
      throw e;
    }
  };
  const nodes = (refs: readonly NodeRef[]): Promise<(Buffer | null)[]> => fetchNodes(pool, refs);
  return {
    store: 'postgres',
    size,
    async append(leaf, appendedAt) {
      return (await appendOwnTransaction(pool, [{ leaf, appendedAt }]))[0]!;
    },
    appendAll: (leaves) => appendOwnTransaction(pool, leaves),
    async leaf(index) {
      const r = await pool.query<LeafRow>({ ...Q.leaf, values: [index] });
      return r.rows[0] === undefined ? null : toLeaf(r.rows[0]);
    },
    async leafPage(from, limit) {
      return (await pool.query<LeafRow>({ ...Q.page, values: [from, limit] })).rows.map(toLeaf);
    },
    nodes,
    async root(treeSize) {
      const n = treeSize ?? (await size());
      return overTree(n, (src) => rootAt(src, n));
    },
    async inclusionProof(m, n) {
      if (Number.isSafeInteger(n) && n >= 0 && (!Number.isSafeInteger(m) || m < 0 || m >= n)) {
        throw n > (await size()) ? await outside(n) : new EarshotError('EARSHOT_E_PROOF_RANGE', `leaf ${m} is not in a tree of ${n} leaves`);
      }
      return overTree(n, (src) => inclusionProof(src, m, n));
    },
    async consistencyProof(m, n) {
      if (Number.isSafeInteger(n) && n >= 0 && (!Number.isSafeInteger(m) || m < 0 || m > n)) {
        throw n > (await size()) ? await outside(n) : new EarshotError('EARSHOT_E_PROOF_RANGE', `a tree of ${m} leaves is not a prefix of one of ${n}`);
      }
      return overTree(n, (src) => consistencyProof(src, m, n));
    },
    async recordTreeHead(treeSize, bytes, signature) {
      const r = await pool.query<{ id: number }>({ ...Q.recordHead, values: [treeSize, bytes, signature] });
      return { id: r.rows[0]!.id, treeSize, bytes, signature };
    },
    async latestTreeHead() {
      const r = await pool.query<HeadRow>(Q.latestHead);
      return r.rows[0] === undefined ? null : toHead(r.rows[0]);
    },
    async treeHeads() {
      return (await pool.query<HeadRow>(Q.heads)).rows.map(toHead);
    },
  };
}
