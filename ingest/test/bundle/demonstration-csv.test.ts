/** A demonstration bundle's trailing CSV column (issue 17): on every record, never inside a quoted field. */
import { describe, expect, it } from 'vitest';
import { DEMONSTRATION_VALUE, markCsv, markCsvChunks } from '../../src/bundle/demonstration.ts';
import { csvRecord } from '../../src/bundle/csv.ts';

const V = DEMONSTRATION_VALUE;

describe('markCsv', () => {
  it('adds the header and a value to every record, not to a line break inside a quoted field', () => {
    const text = csvRecord(['entry_id', 'text']) + csvRecord([1, 'Music\r\nthrough the "wall", again']) + csvRecord([2, 'plain']);
    expect(markCsv(text, true)).toBe(`entry_id,text,demonstration\r\n1,"Music\r\nthrough the ""wall"", again",${V}\r\n2,plain,${V}\r\n`);
  });

  it('marks chunks of whole records, the header only in the first', async () => {
    const chunks = [csvRecord(['t', 'LAeq']) + csvRecord(['a', 1]), csvRecord(['b', 2])];
    expect([...(markCsvChunks(chunks) as Iterable<string>)].join('')).toBe(`t,LAeq,demonstration\r\na,1,${V}\r\nb,2,${V}\r\n`);
    async function* gen(): AsyncGenerator<string> {
      yield* chunks;
    }
    let all = '';
    for await (const c of markCsvChunks(gen()) as AsyncIterable<string>) all += c;
    expect(all).toBe(`t,LAeq,demonstration\r\na,1,${V}\r\nb,2,${V}\r\n`);
  });
});
