;; The level chain's per-sample loop (engine.ts; level-chain-scalar.ts is the same arithmetic in
;; JavaScript), in WebAssembly: the Z, C and A weighting biquads, the squares and their sums, the
;; C peak, and the F and S time weightings with their maxima and the F minimum, in f64.
;;
;; It computes exactly what the JavaScript loop computes, operation for operation, so the results
;; are bit-identical (f64 arithmetic in WebAssembly is IEEE 754 with no fused operations). What it
;; changes is where the values live: paired in f64x2 vectors, the chain's state fits the sixteen
;; vector registers of x86-64 and nothing is spilled to the stack inside the loop, which the
;; JavaScript loop, with some 30 numbers live at once, cannot avoid. Pairs:
;;   H = (h1, h2), L = (l1, l2), P = (p1, p2)   each biquad's two state words
;;   W = (fast, slow)                            the time-weighted A squares
;;   M = (fastMax, slowMax), N = (fastMin, ·)    their extremes (N's second lane is unused)
;;   S = (sumC, sumA), K = (peakC, ·)            the interval sums and the C peak
;; A biquad y = b0·x + s1; s1 ← b1·x − a1·y + s2; s2 ← b2·x − a2·y is then
;;   y = b0·x + H[0];  H ← ((b1, b2)·x − (a1, a2)·y) + (H[1], −0)
;; where adding −0 leaves s2 ← b2·x − a2·y exactly as it is (x + −0 = x for every x, −0 included).
;; The maxima and minima are pmax/pmin, which are exactly `if (v > max) max = v` and
;; `if (v < min) min = v` (NaN never replaces the kept value).
;;
;; With $step = 4 each sample is also written as f32 at $out, one after another (the 1/3-octave
;; bank's input, bands/wasm/filter-bank.wat, in the same memory); with $step = 0 the writes all go
;; to one word and nothing reads them.
;;
;; Layout (bytes, written by level-chain-wasm.ts):
;;   0 hb0 (f64)   16 (hb1, hb2)   32 (ha1, ha2)      the shared ω1 high-pass
;;  48 lb0         64 (lb1, lb2)   80 (la1, la2)      the ω4 low-pass (→ C)
;;  96 pb0        112 (pb1, pb2)  128 (pa1, pa2)      the A-only ω2·ω3 high-pass (→ A)
;; 144 (αF, αS)   160 clip level (f64)   176 (−0, −0)
;; 192 H  208 L  224 P  240 W  256 M  272 S  288 K  304 N  320 sumZ (f64)  328 clipped (i32)
;; 512 the input: n f64 samples.
;; Compiled by wabt (wat2wasm) into level-chain-binary.ts: `node --import tsx firmware/src/measure/bands/wasm/compile.ts`.
(module
  (import "env" "memory" (memory 1))

  (func (export "run") (param $n i32) (param $out i32) (param $step i32)
    (local $in i32) (local $end i32) (local $clipped i32)
    (local $x f64) (local $y f64) (local $sumZ f64) (local $clip f64)
    (local $xs v128) (local $vs v128) (local $cs v128) (local $as v128) (local $sq v128) (local $nz v128)
    (local $H v128) (local $L v128) (local $P v128) (local $W v128) (local $M v128) (local $S v128) (local $K v128) (local $N v128)
    (local.set $H (v128.load offset=192 (i32.const 0)))
    (local.set $L (v128.load offset=208 (i32.const 0)))
    (local.set $P (v128.load offset=224 (i32.const 0)))
    (local.set $W (v128.load offset=240 (i32.const 0)))
    (local.set $M (v128.load offset=256 (i32.const 0)))
    (local.set $S (v128.load offset=272 (i32.const 0)))
    (local.set $K (v128.load offset=288 (i32.const 0)))
    (local.set $N (v128.load offset=304 (i32.const 0)))
    (local.set $sumZ (f64.load offset=320 (i32.const 0)))
    (local.set $clipped (i32.load offset=328 (i32.const 0)))
    (local.set $clip (f64.load offset=160 (i32.const 0)))
    (local.set $nz (v128.load offset=176 (i32.const 0)))
    (local.set $in (i32.const 512))
    (local.set $end (i32.add (i32.const 512) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
      (loop $sample
        (local.set $x (f64.load (local.get $in)))
        ;; Clipping (|x| at or beyond full scale) and Σ x².
        (local.set $clipped (i32.add (local.get $clipped) (f64.ge (f64.abs (local.get $x)) (local.get $clip))))
        (local.set $sumZ (f64.add (local.get $sumZ) (f64.mul (local.get $x) (local.get $x))))
        ;; ω1 high-pass: x → v.
        (local.set $xs (f64x2.splat (local.get $x)))
        (local.set $y (f64.add (f64.mul (f64.load offset=0 (i32.const 0)) (local.get $x)) (f64x2.extract_lane 0 (local.get $H))))
        (local.set $vs (f64x2.splat (local.get $y)))
        (local.set $H (f64x2.add
          (f64x2.sub (f64x2.mul (v128.load offset=16 (i32.const 0)) (local.get $xs)) (f64x2.mul (v128.load offset=32 (i32.const 0)) (local.get $vs)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $H) (local.get $nz))))
        ;; ω4 low-pass: v → c.
        (local.set $y (f64.add (f64.mul (f64.load offset=48 (i32.const 0)) (local.get $y)) (f64x2.extract_lane 0 (local.get $L))))
        (local.set $cs (f64x2.splat (local.get $y)))
        (local.set $L (f64x2.add
          (f64x2.sub (f64x2.mul (v128.load offset=64 (i32.const 0)) (local.get $vs)) (f64x2.mul (v128.load offset=80 (i32.const 0)) (local.get $cs)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $L) (local.get $nz))))
        ;; ω2·ω3 high-pass: c → a.
        (local.set $y (f64.add (f64.mul (f64.load offset=96 (i32.const 0)) (local.get $y)) (f64x2.extract_lane 0 (local.get $P))))
        (local.set $as (f64x2.splat (local.get $y)))
        (local.set $P (f64x2.add
          (f64x2.sub (f64x2.mul (v128.load offset=112 (i32.const 0)) (local.get $cs)) (f64x2.mul (v128.load offset=128 (i32.const 0)) (local.get $as)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $P) (local.get $nz))))
        ;; (c², a²): the sums, the C peak, then both time weightings w += α·(a² − w) and their extremes.
        (local.set $sq (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $cs) (local.get $as)))
        (local.set $sq (f64x2.mul (local.get $sq) (local.get $sq)))
        (local.set $S (f64x2.add (local.get $S) (local.get $sq)))
        (local.set $K (f64x2.pmax (local.get $K) (local.get $sq)))
        (local.set $W (f64x2.add (local.get $W) (f64x2.mul (v128.load offset=144 (i32.const 0))
          (f64x2.sub (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $sq) (local.get $sq)) (local.get $W)))))
        (local.set $M (f64x2.pmax (local.get $M) (local.get $W)))
        (local.set $N (f64x2.pmin (local.get $N) (local.get $W)))
        ;; The sample for the bank.
        (f32.store (local.get $out) (f32.demote_f64 (local.get $x)))
        (local.set $out (i32.add (local.get $out) (local.get $step)))
        (local.set $in (i32.add (local.get $in) (i32.const 8)))
        (br_if $sample (i32.lt_u (local.get $in) (local.get $end)))))
    (v128.store offset=192 (i32.const 0) (local.get $H))
    (v128.store offset=208 (i32.const 0) (local.get $L))
    (v128.store offset=224 (i32.const 0) (local.get $P))
    (v128.store offset=240 (i32.const 0) (local.get $W))
    (v128.store offset=256 (i32.const 0) (local.get $M))
    (v128.store offset=272 (i32.const 0) (local.get $S))
    (v128.store offset=288 (i32.const 0) (local.get $K))
    (v128.store offset=304 (i32.const 0) (local.get $N))
    (f64.store offset=320 (i32.const 0) (local.get $sumZ))
    (i32.store offset=328 (i32.const 0) (local.get $clipped))))
