/**
 * Command-line parsing for the earshot and earshot-device commands: node:util parseArgs for the shape,
 * zod for the values, and EARSHOT_E_USAGE naming the problem for anything wrong.
 */
import { parseArgs } from 'node:util';
import { describeIssues } from './describe-issues.ts';
import { EarshotError } from './errors.ts';
import type { z } from 'zod';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export function parseCommand<S extends z.ZodType>(args: readonly string[], options: OptionSpec, schema: S): z.infer<S> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new EarshotError('EARSHOT_E_USAGE', (e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const result = schema.safeParse({ ...parsed.values, positionals: parsed.positionals });
  if (!result.success) throw new EarshotError('EARSHOT_E_USAGE', describeIssues(result.error));
  return result.data;
}
