/** Deterministic test audio for benchmarks. */

/** Pink-ish noise (Paul Kellet's economy filter on xorshift white noise), peak ≈ `amp`. */
export function pinkNoise(n: number, amp: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    const white = (s / 4294967296) * 2 - 1;
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    out[i] = (b0 + b1 + b2 + white * 0.1848) * amp * 0.25;
  }
  return out;
}
