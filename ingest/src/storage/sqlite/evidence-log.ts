/**
 * The SQLite adapter of the evidence-log port: today's LogStore and
 * TreeHeadStore (evidence/log-store.ts, tree-head-store.ts), unchanged,
 * behind the asynchronous port. Every call is the synchronous store's call.
 */
import type { Db } from '../../db/open.ts';
import { LogStore } from '../../evidence/log-store.ts';
import { TreeHeadStore } from '../../evidence/tree-head-store.ts';
import type { EvidenceLogPort, LeafToAppend, NodeRef } from '../evidence-log-port.ts';

export function sqliteEvidenceLog(db: Db): EvidenceLogPort {
  const log = new LogStore(db);
  const heads = new TreeHeadStore(db);
  const appendAll = db.transaction((leaves: readonly LeafToAppend[]) => leaves.map((l) => log.append(l.leaf, l.appendedAt)));
  const run = async <T>(f: () => T): Promise<T> => f();
  return {
    store: 'sqlite',
    size: () => run(() => log.size),
    append: (leaf, appendedAt) => run(() => log.append(leaf, appendedAt)),
    appendAll: (leaves) => run(() => appendAll.immediate(leaves)),
    leaf: (index) => run(() => log.leaf(index)),
    leafPage: (from, limit) => run(() => {
      const out = [];
      for (const l of log.leaves(from, limit)) {
        out.push(l);
        if (out.length === limit) break;
      }
      return out;
    }),
    nodes: (refs: readonly NodeRef[]) => run(() => refs.map((r) => (r.level === 0 ? (log.leaf(r.index)?.leafHash ?? null) : log.storedNode(r.level, r.index)))),
    root: (treeSize) => run(() => (treeSize === undefined ? log.root() : log.root(treeSize))),
    inclusionProof: (m, n) => run(() => log.inclusionProof(m, n)),
    consistencyProof: (m, n) => run(() => log.consistencyProof(m, n)),
    recordTreeHead: (treeSize, bytes, signature) => run(() => heads.record(treeSize, bytes, signature)),
    latestTreeHead: () => run(() => heads.latest()),
    treeHeads: () => run(() => heads.all()),
  };
}
