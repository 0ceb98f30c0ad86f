/**
 * Runs the synchronous RFC 6962 maths (evidence/merkle.ts) over a store that
 * answers asynchronously, in one round trip: which subtree nodes a root or a
 * proof reads depends only on the sizes, never on the hashes, so a first pass
 * over placeholder hashes lists them, one query fetches them, and a second pass
 * computes over the fetched nodes.
 */
import { EarshotError } from '@earshot/shared';
import type { NodeSource } from '../evidence/merkle.ts';
import type { NodeRef } from './evidence-log-port.ts';

const PLACEHOLDER = Buffer.alloc(32);

function key(level: number, index: number): string {
  return `${level}:${index}`;
}

export async function withNodes<T>(fetch: (refs: readonly NodeRef[]) => Promise<(Buffer | null)[]>, compute: (src: NodeSource) => T): Promise<T> {
  const wanted = new Map<string, NodeRef>();
  compute({
    node(level, index) {
      wanted.set(key(level, index), { level, index });
      return PLACEHOLDER;
    },
  });
  const refs = [...wanted.values()];
  const hashes = refs.length === 0 ? [] : await fetch(refs);
  const got = new Map<string, Buffer>();
  refs.forEach((r, i) => {
    const h = hashes[i];
    if (h !== null && h !== undefined) got.set(key(r.level, r.index), h);
  });
  return compute({
    node(level, index) {
      const h = got.get(key(level, index));
      if (h === undefined) throw new EarshotError('EARSHOT_E_PROOF_RANGE', `no complete subtree at level ${level}, index ${index}`);
      return h;
    },
  });
}

/** The complete subtrees that cover the first `size` leaves, largest first (RFC 6962 §2.1). */
export function rightEdge(size: number): NodeRef[] {
  const out: NodeRef[] = [];
  let at = 0;
  let left = size;
  while (left > 0) {
    let p = 1;
    let level = 0;
    while (p * 2 <= left) {
      p *= 2;
      level++;
    }
    out.push({ level, index: at / p });
    at += p;
    left -= p;
  }
  return out;
}
