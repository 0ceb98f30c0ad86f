/**
 * PostgreSQL array literals (https://www.postgresql.org/docs/15/arrays.html#ARRAYS-IO)
 * built in one pass, for the levels writer's multi-row statements
 * (`unnest($1::float8[], …)`): cheaper than node-postgres's generic array
 * serialisation, which inspects every element's type.
 *
 * A double is written as JavaScript's shortest round-trip form, which float8
 * reads back to the same bits; −0 is written "0", as SQLite keeps it (a REAL
 * −0.0 reads back as 0 there), so both stores hold the same value.
 */

/** `{1,2.5,NULL}` from numbers (and nulls). */
export function numberArray(values: readonly (number | null)[]): string {
  // Without nulls, join writes each number as String() does (and −0 as "0").
  if (!values.includes(null)) return `{${values.join(',')}}`;
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) s += ',';
    s += v === null || v === undefined ? 'NULL' : String(v);
  }
  return `${s}}`;
}

/** `{"a","b\"c"}`: every element quoted, `"` and `\` escaped. */
export function textArray(values: readonly string[]): string {
  // A batch names few devices many times: each is quoted once.
  const quoted = new Map<string, string>();
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let q = quoted.get(v);
    if (q === undefined) quoted.set(v, (q = `"${v.replace(/["\\]/g, '\\$&')}"`));
    if (i > 0) s += ',';
    s += q;
  }
  return `${s}}`;
}

/** `{"\\x0102",…}`: each Buffer in bytea's hex form (the backslash escaped inside the array literal). */
export function byteaArray(values: readonly Uint8Array[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) s += ',';
    s += `"\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}"`;
  }
  return `${s}}`;
}
