/**
 * `earshot log verify` over the evidence-log port (any store): the same checks
 * as evidence/verify-log.ts, which works on the synchronous SQLite store —
 * every leaf present and matching its hash, every stored subtree node matching
 * the leaves below it, every signed tree head's signature, log id and root —
 * in one streaming pass of O(log n) memory. Leaves are read a page at a time,
 * and the nodes a page completes are fetched in one query.
 */
import type { KeyObject } from 'node:crypto';
import { LogAudit } from '../evidence/log-audit.ts';
import type { LogReport, VerifyLogOptions } from '../evidence/verify-log.ts';
import type { EvidenceLogPort, NodeRef } from './evidence-log-port.ts';

const PAGE = 2000;

export async function verifyLogPort(port: EvidenceLogPort, publicKey: KeyObject, options: VerifyLogOptions = {}): Promise<LogReport> {
  const audit = new LogAudit(await port.treeHeads(), publicKey, options.maxFailures);
  let from = 0;
  for (;;) {
    const page = await port.leafPage(from, PAGE);
    const made: (NodeRef & { hash: Buffer })[] = [];
    let gap = false;
    for (const leaf of page) {
      if (!audit.leaf(leaf.leafIndex, leaf.leaf, leaf.leafHash, (level, index, hash) => made.push({ level, index, hash }))) {
        gap = true;
        break;
      }
    }
    const storedNodes = await port.nodes(made);
    made.forEach((m, i) => audit.node(m.level, m.index, m.hash, storedNodes[i] ?? null));
    if (gap || page.length < PAGE) break;
    from = page[page.length - 1]!.leafIndex + 1;
  }
  return audit.report();
}
