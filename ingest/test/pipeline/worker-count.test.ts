import { describe, expect, it } from 'vitest';
import { prepareWorkerCount } from '../../src/pipeline/workers/worker-count.ts';

describe('prepare worker count (issue 19)', () => {
  it('uses every core but one, at most four, unless EARSHOT_PIPELINE_WORKERS says otherwise', () => {
    expect(prepareWorkerCount({}, 1)).toBe(0);
    expect(prepareWorkerCount({}, 2)).toBe(1);
    expect(prepareWorkerCount({}, 16)).toBe(4);
    expect(prepareWorkerCount({ EARSHOT_PIPELINE_WORKERS: '0' }, 8)).toBe(0);
    expect(prepareWorkerCount({ EARSHOT_PIPELINE_WORKERS: '3' }, 2)).toBe(3);
  });

  it('refuses a value that is not a small whole number, with the usage code', () => {
    for (const bad of ['-1', 'two', '1.5', '99']) {
      expect(() => prepareWorkerCount({ EARSHOT_PIPELINE_WORKERS: bad }, 2)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_USAGE' }));
    }
  });
});
