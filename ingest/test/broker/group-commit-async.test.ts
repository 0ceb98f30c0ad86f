/**
 * Group commit with an asynchronous pipeline (the PostgreSQL store): one batch
 * in flight at a time, what arrives meanwhile in the next, answers in arrival
 * order, and a batch that cannot commit answered null (not acknowledged).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type BatchPipeline, GroupCommit } from '../../src/broker/group-commit.ts';
import type { Incoming, Outcome } from '../../src/pipeline/types.ts';

const logger = pino({ level: 'silent' });
const msg = (seq: number): Incoming => ({ topic: 'earshot/v1/flat-1/levels', payload: Buffer.from(String(seq)), clientId: 'flat-1', receivedAt: seq });
const stored = (m: Incoming): Outcome => ({ status: 'stored', device: 'flat-1', seq: Number(m.payload.toString()), type: 'levels' });

/** A pipeline whose commits the test completes by hand. */
function manualPipeline(): { pipeline: BatchPipeline; batches: { msgs: readonly Incoming[]; commit(): void; fail(): void }[] } {
  const batches: { msgs: readonly Incoming[]; commit(): void; fail(): void }[] = [];
  return {
    batches,
    pipeline: {
      prepare: () => false,
      processBatch: (msgs) => new Promise<Outcome[]>((resolve, reject) => {
        batches.push({ msgs: [...msgs], commit: () => resolve(msgs.map(stored)), fail: () => reject(new Error('commit failed')) });
      }),
    },
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('GroupCommit with an asynchronous pipeline', () => {
  it('keeps one batch in flight and commits what came meanwhile next, in arrival order', async () => {
    const { pipeline, batches } = manualPipeline();
    const commit = new GroupCommit(pipeline, logger);
    const answers: (number | null)[] = [];
    const done = (o: Outcome | null): void => void answers.push(o === null ? null : o.status === 'stored' ? o.seq : -1);
    commit.push(msg(0), done);
    commit.push(msg(1), done);
    await turn();
    expect(batches.map((b) => b.msgs.length)).toEqual([2]);
    commit.push(msg(2), done);
    commit.push(msg(3), done);
    await turn();
    // The second batch waits for the first to commit.
    expect(batches.length).toBe(1);
    expect(answers).toEqual([]);
    batches[0]!.commit();
    await turn();
    await turn();
    expect(answers).toEqual([0, 1]);
    expect(batches.map((b) => b.msgs.map((m) => m.receivedAt))).toEqual([[0, 1], [2, 3]]);
    batches[1]!.commit();
    await commit.settled();
    expect(answers).toEqual([0, 1, 2, 3]);
  });

  it('answers null for every message of a batch that cannot commit, then goes on', async () => {
    const { pipeline, batches } = manualPipeline();
    const commit = new GroupCommit(pipeline, logger);
    const answers: (Outcome | null)[] = [];
    commit.push(msg(0), (o) => answers.push(o));
    commit.push(msg(1), (o) => answers.push(o));
    await turn();
    commit.push(msg(2), (o) => answers.push(o));
    batches[0]!.fail();
    await turn();
    await turn();
    expect(answers).toEqual([null, null]);
    expect(batches.length).toBe(2);
    batches[1]!.commit();
    await commit.settled();
    expect(answers.slice(2)).toEqual([stored(msg(2))]);
  });

  it('settles at once with nothing in flight, and after the last commit otherwise', async () => {
    const { pipeline, batches } = manualPipeline();
    const commit = new GroupCommit(pipeline, logger);
    await commit.settled();
    let answered = false;
    commit.push(msg(0), () => { answered = true; });
    commit.flush();
    const settled = commit.settled();
    batches[0]!.commit();
    await settled;
    expect(answered).toBe(true);
  });
});
