;; The 1/3-octave filter bank's inner loops (filter-bank.ts), in WebAssembly with 128-bit SIMD.
;;
;; Each decimation stage holds up to four bands (three at most sample rates): they run side by
;; side in the four f32 lanes of one v128, so one pass over a stage's samples filters all its
;; bands at once. Every band is a cascade of four sections (1 − c·z⁻²)/(1 + a1·z⁻¹ + a2·z⁻²),
;; c = 1 (the band-pass numerator 1 − z⁻², filter-bank-design.ts; the sections' gains are applied
;; to the mean square outside) except in the last section of a band that has three, where
;; c = a1 = a2 = 0 passes the signal through unchanged. The squared output is summed per band in
;; f64 (two f64x2 accumulators). The half-band decimator is computed at the output rate only,
;; four outputs at a time, from its input split into even (centre tap) and odd (the other
;; non-zero taps) samples.
;;
;; Everything is addressed through the layout filter-bank-wasm.ts writes: byte offsets into the
;; memory the module is given (grown once, before any use, when a layout needs more than it has):
;; the bank's own, or the engine's, shared with its level chain (measure/wasm/level-chain.wat),
;; which then writes stage 0's input itself.
;; Compiled by wabt (wat2wasm) into filter-bank-binary.ts: `node --import tsx firmware/src/measure/bands/wasm/compile.ts`.
(module
  (import "env" "memory" (memory 1))

  ;; One stage's bands over n samples (f32) at $in. $g is the stage's group block:
  ;;   0..127   a1, a2 of sections 0..3 (f32x4 each: a1_0 a2_0 a1_1 a2_1 …)
  ;;   128      c of section 3 (f32x4: 1, or 0 in a lane whose band has three sections)
  ;;   144..271 state: s1, s2 of sections 0..3, negated (below)
  ;;   272, 288 Σ y3² of lanes 0–1 and of lanes 2–3 (f64x2)
  ;; Each section (1 − c·z⁻²)/(1 + a1·z⁻¹ + a2·z⁻²) runs in transposed direct form II with its two
  ;; state words kept negated, so that it costs two multiplies and three adds and moves no history:
  ;;   y = u − s1;  s1 ← s2 + a1·y;  s2 ← c·u + a2·y   (c = 1 written as u alone in sections 0–2).
  ;; Two samples a turn: their squares are added in f32, then summed per band in f64.
  (func $bands (param $g i32) (param $in i32) (param $n i32)
    (local $end i32) (local $u v128) (local $y v128) (local $sq v128) (local $lo v128) (local $hi v128)
    (local $s1_0 v128) (local $s2_0 v128) (local $s1_1 v128) (local $s2_1 v128) (local $s1_2 v128) (local $s2_2 v128) (local $s1_3 v128) (local $s2_3 v128)
    (local.set $s1_0 (v128.load offset=144 (local.get $g)))
    (local.set $s2_0 (v128.load offset=160 (local.get $g)))
    (local.set $s1_1 (v128.load offset=176 (local.get $g)))
    (local.set $s2_1 (v128.load offset=192 (local.get $g)))
    (local.set $s1_2 (v128.load offset=208 (local.get $g)))
    (local.set $s2_2 (v128.load offset=224 (local.get $g)))
    (local.set $s1_3 (v128.load offset=240 (local.get $g)))
    (local.set $s2_3 (v128.load offset=256 (local.get $g)))
    (local.set $lo (v128.load offset=272 (local.get $g)))
    (local.set $hi (v128.load offset=288 (local.get $g)))
    ;; The pairs: $end is where the last whole pair ends.
    (local.set $end (i32.add (local.get $in) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $pairs
      (br_if $pairs (i32.ge_u (local.get $in) (local.get $end)))
      (loop $pair
        (local.set $u (f32x4.splat (f32.load offset=0 (local.get $in))))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_0)))
        (local.set $s1_0 (f32x4.add (local.get $s2_0) (f32x4.mul (v128.load offset=0 (local.get $g)) (local.get $y))))
        (local.set $s2_0 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=16 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_1)))
        (local.set $s1_1 (f32x4.add (local.get $s2_1) (f32x4.mul (v128.load offset=32 (local.get $g)) (local.get $y))))
        (local.set $s2_1 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=48 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_2)))
        (local.set $s1_2 (f32x4.add (local.get $s2_2) (f32x4.mul (v128.load offset=64 (local.get $g)) (local.get $y))))
        (local.set $s2_2 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=80 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_3)))
        (local.set $s1_3 (f32x4.add (local.get $s2_3) (f32x4.mul (v128.load offset=96 (local.get $g)) (local.get $y))))
        (local.set $s2_3 (f32x4.add (f32x4.mul (v128.load offset=128 (local.get $g)) (local.get $u))
                                        (f32x4.mul (v128.load offset=112 (local.get $g)) (local.get $y))))
        (local.set $sq (f32x4.mul (local.get $y) (local.get $y)))
        (local.set $u (f32x4.splat (f32.load offset=4 (local.get $in))))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_0)))
        (local.set $s1_0 (f32x4.add (local.get $s2_0) (f32x4.mul (v128.load offset=0 (local.get $g)) (local.get $y))))
        (local.set $s2_0 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=16 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_1)))
        (local.set $s1_1 (f32x4.add (local.get $s2_1) (f32x4.mul (v128.load offset=32 (local.get $g)) (local.get $y))))
        (local.set $s2_1 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=48 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_2)))
        (local.set $s1_2 (f32x4.add (local.get $s2_2) (f32x4.mul (v128.load offset=64 (local.get $g)) (local.get $y))))
        (local.set $s2_2 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=80 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_3)))
        (local.set $s1_3 (f32x4.add (local.get $s2_3) (f32x4.mul (v128.load offset=96 (local.get $g)) (local.get $y))))
        (local.set $s2_3 (f32x4.add (f32x4.mul (v128.load offset=128 (local.get $g)) (local.get $u))
                                        (f32x4.mul (v128.load offset=112 (local.get $g)) (local.get $y))))
        (local.set $sq (f32x4.add (local.get $sq) (f32x4.mul (local.get $y) (local.get $y))))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $sq))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sq) (local.get $sq)))))
        (local.set $in (i32.add (local.get $in) (i32.const 8)))
        (br_if $pair (i32.lt_u (local.get $in) (local.get $end)))))
    ;; An odd last sample.
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $u (f32x4.splat (f32.load offset=0 (local.get $in))))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_0)))
        (local.set $s1_0 (f32x4.add (local.get $s2_0) (f32x4.mul (v128.load offset=0 (local.get $g)) (local.get $y))))
        (local.set $s2_0 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=16 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_1)))
        (local.set $s1_1 (f32x4.add (local.get $s2_1) (f32x4.mul (v128.load offset=32 (local.get $g)) (local.get $y))))
        (local.set $s2_1 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=48 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_2)))
        (local.set $s1_2 (f32x4.add (local.get $s2_2) (f32x4.mul (v128.load offset=64 (local.get $g)) (local.get $y))))
        (local.set $s2_2 (f32x4.add (local.get $u) (f32x4.mul (v128.load offset=80 (local.get $g)) (local.get $y))))
        (local.set $u (local.get $y))
        (local.set $y (f32x4.sub (local.get $u) (local.get $s1_3)))
        (local.set $s1_3 (f32x4.add (local.get $s2_3) (f32x4.mul (v128.load offset=96 (local.get $g)) (local.get $y))))
        (local.set $s2_3 (f32x4.add (f32x4.mul (v128.load offset=128 (local.get $g)) (local.get $u))
                                        (f32x4.mul (v128.load offset=112 (local.get $g)) (local.get $y))))
        (local.set $sq (f32x4.mul (local.get $y) (local.get $y)))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $sq))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sq) (local.get $sq)))))))
    (v128.store offset=144 (local.get $g) (local.get $s1_0))
    (v128.store offset=160 (local.get $g) (local.get $s2_0))
    (v128.store offset=176 (local.get $g) (local.get $s1_1))
    (v128.store offset=192 (local.get $g) (local.get $s2_1))
    (v128.store offset=208 (local.get $g) (local.get $s1_2))
    (v128.store offset=224 (local.get $g) (local.get $s2_2))
    (v128.store offset=240 (local.get $g) (local.get $s1_3))
    (v128.store offset=256 (local.get $g) (local.get $s2_3))
    (v128.store offset=272 (local.get $g) (local.get $lo))
    (v128.store offset=288 (local.get $g) (local.get $hi)))

  ;; Half-band filter and keep every second sample: n samples (f32) at $in into $out; returns
  ;; the number written. $line is the decimator's block:
  ;;   0   phase (i32): 1 when an even sample waits for its odd partner
  ;;   4   E: the even samples (the centre tap's), f32, the 12 before the next output first
  ;;   8   O: the odd samples, f32, the 23 before the next output first
  ;; $taps: h1, h3, …, h23 (12 × f32x4, each tap in all four lanes).
  ;; Output g (completed by odd sample O_g) is ½·E_(g−11) + Σ_j h_(2j+1)·(O_(g−12−j) + O_(g−11+j)),
  ;; j = 0 … 11, summed in that order: the scalar code's sum over the 47-tap window.
  (func $decimate (param $line i32) (param $taps i32) (param $in i32) (param $n i32) (param $out i32) (result i32)
    (local $ph i32) (local $e i32) (local $o i32) (local $o0 i32) (local $end i32) (local $count i32)
    (local $m i32) (local $ce i32) (local $co i32) (local $acc v128) (local $v0 v128) (local $v1 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128) (local $h4 v128) (local $h5 v128) (local $h6 v128) (local $h7 v128) (local $h8 v128) (local $h9 v128) (local $h10 v128) (local $h11 v128)
    (local.set $ph (i32.load (local.get $line)))
    (local.set $e (i32.add (i32.load offset=4 (local.get $line)) (i32.shl (i32.add (i32.const 12) (local.get $ph)) (i32.const 2))))
    (local.set $o0 (i32.add (i32.load offset=8 (local.get $line)) (i32.const 92)))
    (local.set $o (local.get $o0))
    (local.set $end (i32.add (local.get $in) (i32.shl (local.get $n) (i32.const 2))))
    ;; Split the input into its even and odd samples: an odd one completing a waiting pair first,
    ;; then eight at a time, then the rest one by one.
    (if (i32.and (local.get $ph) (i32.lt_u (local.get $in) (local.get $end)))
      (then
        (f32.store (local.get $o) (f32.load (local.get $in)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $in (i32.add (local.get $in) (i32.const 4)))
        (local.set $ph (i32.const 0))))
    (block $eights
      (loop $eight
        (br_if $eights (i32.gt_u (i32.add (local.get $in) (i32.const 32)) (local.get $end)))
        (local.set $v0 (v128.load (local.get $in)))
        (local.set $v1 (v128.load offset=16 (local.get $in)))
        (v128.store (local.get $e) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v0) (local.get $v1)))
        (v128.store (local.get $o) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v0) (local.get $v1)))
        (local.set $e (i32.add (local.get $e) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $in (i32.add (local.get $in) (i32.const 32)))
        (br $eight)))
    (block $split
      (br_if $split (i32.ge_u (local.get $in) (local.get $end)))
      (loop $next
        (f32.store (select (local.get $o) (local.get $e) (local.get $ph)) (f32.load (local.get $in)))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $ph) (i32.const 2))))
        (local.set $e (i32.add (local.get $e) (i32.shl (i32.xor (local.get $ph) (i32.const 1)) (i32.const 2))))
        (local.set $ph (i32.xor (local.get $ph) (i32.const 1)))
        (local.set $in (i32.add (local.get $in) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $in) (local.get $end)))))
    (local.set $count (i32.shr_u (i32.sub (local.get $o) (local.get $o0)) (i32.const 2)))
    ;; Four outputs at a time (the last vector may run past $count: the buffers have room, and
    ;; what it writes beyond is recomputed by the next call).
    (local.set $h0 (v128.load offset=0 (local.get $taps)))
    (local.set $h1 (v128.load offset=16 (local.get $taps)))
    (local.set $h2 (v128.load offset=32 (local.get $taps)))
    (local.set $h3 (v128.load offset=48 (local.get $taps)))
    (local.set $h4 (v128.load offset=64 (local.get $taps)))
    (local.set $h5 (v128.load offset=80 (local.get $taps)))
    (local.set $h6 (v128.load offset=96 (local.get $taps)))
    (local.set $h7 (v128.load offset=112 (local.get $taps)))
    (local.set $h8 (v128.load offset=128 (local.get $taps)))
    (local.set $h9 (v128.load offset=144 (local.get $taps)))
    (local.set $h10 (v128.load offset=160 (local.get $taps)))
    (local.set $h11 (v128.load offset=176 (local.get $taps)))
    (local.set $ce (i32.add (i32.load offset=4 (local.get $line)) (i32.const 4)))
    (local.set $co (i32.load offset=8 (local.get $line)))
    (local.set $m (i32.const 0))
    (block $done
      (br_if $done (i32.ge_u (local.get $m) (local.get $count)))
      (loop $four
        ;; E_(g−11) is E[m + 1]; O_(g−12−j) is O[m + 11 − j] and O_(g−11+j) is O[m + 12 + j].
        (local.set $acc (f32x4.mul (f32x4.splat (f32.const 0.5)) (v128.load (local.get $ce))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h0)
          (f32x4.add (v128.load offset=44 (local.get $co)) (v128.load offset=48 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h1)
          (f32x4.add (v128.load offset=40 (local.get $co)) (v128.load offset=52 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h2)
          (f32x4.add (v128.load offset=36 (local.get $co)) (v128.load offset=56 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h3)
          (f32x4.add (v128.load offset=32 (local.get $co)) (v128.load offset=60 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h4)
          (f32x4.add (v128.load offset=28 (local.get $co)) (v128.load offset=64 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h5)
          (f32x4.add (v128.load offset=24 (local.get $co)) (v128.load offset=68 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h6)
          (f32x4.add (v128.load offset=20 (local.get $co)) (v128.load offset=72 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h7)
          (f32x4.add (v128.load offset=16 (local.get $co)) (v128.load offset=76 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h8)
          (f32x4.add (v128.load offset=12 (local.get $co)) (v128.load offset=80 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h9)
          (f32x4.add (v128.load offset=8 (local.get $co)) (v128.load offset=84 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h10)
          (f32x4.add (v128.load offset=4 (local.get $co)) (v128.load offset=88 (local.get $co))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $h11)
          (f32x4.add (v128.load offset=0 (local.get $co)) (v128.load offset=92 (local.get $co))))))
        (v128.store (local.get $out) (local.get $acc))
        (local.set $ce (i32.add (local.get $ce) (i32.const 16)))
        (local.set $co (i32.add (local.get $co) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (br_if $four (i32.lt_u (local.get $m) (local.get $count)))))
    ;; Keep the history for the next call at the front: the 12 even samples before the next output
    ;; (13 with one waiting) and the 23 odd, copied forwards 16 and 24 words at a time (the source
    ;; is never before the destination, and the buffers have room for the extra words).
    (local.set $e (i32.load offset=4 (local.get $line)))
    (local.set $ce (i32.add (local.get $e) (i32.shl (local.get $count) (i32.const 2))))
    (v128.store offset=0 (local.get $e) (v128.load offset=0 (local.get $ce)))
    (v128.store offset=16 (local.get $e) (v128.load offset=16 (local.get $ce)))
    (v128.store offset=32 (local.get $e) (v128.load offset=32 (local.get $ce)))
    (v128.store offset=48 (local.get $e) (v128.load offset=48 (local.get $ce)))
    (local.set $o (i32.load offset=8 (local.get $line)))
    (local.set $co (i32.add (local.get $o) (i32.shl (local.get $count) (i32.const 2))))
    (v128.store offset=0 (local.get $o) (v128.load offset=0 (local.get $co)))
    (v128.store offset=16 (local.get $o) (v128.load offset=16 (local.get $co)))
    (v128.store offset=32 (local.get $o) (v128.load offset=32 (local.get $co)))
    (v128.store offset=48 (local.get $o) (v128.load offset=48 (local.get $co)))
    (v128.store offset=64 (local.get $o) (v128.load offset=64 (local.get $co)))
    (v128.store offset=80 (local.get $o) (v128.load offset=80 (local.get $co)))
    (i32.store (local.get $line) (local.get $ph))
    (local.get $count))

  ;; The whole bank over n input samples (f32) already in stage 0's buffer. $table lists the
  ;; stages, 16 bytes each: group block (0: no bands at this stage), input buffer, decimator
  ;; block into the next stage (0: the last stage), samples received this interval (i32).
  ;; $taps: the decimator's taps ($decimate).
  (func (export "run") (param $table i32) (param $taps i32) (param $n i32)
    (local $s i32)
    (local.set $s (local.get $table))
    (block $done
      (loop $stage
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store offset=12 (local.get $s) (i32.add (i32.load offset=12 (local.get $s)) (local.get $n)))
        (if (i32.load (local.get $s))
          (then (call $bands (i32.load (local.get $s)) (i32.load offset=4 (local.get $s)) (local.get $n))))
        (br_if $done (i32.eqz (i32.load offset=8 (local.get $s))))
        (local.set $n (call $decimate (i32.load offset=8 (local.get $s)) (local.get $taps)
                                      (i32.load offset=4 (local.get $s)) (local.get $n)
                                      (i32.load offset=20 (local.get $s))))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $stage)))))
