/** The stable code a call fails with: null when it does not fail, and a note when it fails other than with an EarshotError. */
import { EarshotError } from '@earshot/shared';

export function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (e) {
    return e instanceof EarshotError ? e.code : 'not an EarshotError';
  }
  return null;
}

/** codeOf for a promise. */
export async function codeOfAsync(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
  } catch (e) {
    return e instanceof EarshotError ? e.code : 'not an EarshotError';
  }
  return null;
}
