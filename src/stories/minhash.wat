;; nestedMinHash of minhash.ts, four hash functions at a time in 128-bit lanes. Each function is
;; the shingle's base hash xor its seed, through MurmurHash3's finalizer, as in minhash.ts; the
;; minimums are unsigned. Compiled into minhash-simd.ts by `npm run wasm` (scripts/wasm.ts).
;;
;; Memory, by byte offset (all multiples of 16): the seeds at 0, then wherever the caller puts
;; them the whole set's k minimums, the inner set's innerK minimums, and the base hashes (the
;; inner set's nInner, then the outer set's nOuter). k and innerK are multiples of 4, innerK <= k.
(module
  (memory (export "memory") 1)
  (func (export "nestedMinHash") (param $whole i32) (param $innerMins i32) (param $bases i32)
      (param $nInner i32) (param $nOuter i32) (param $k i32) (param $innerK i32)
    (local $at i32) (local $end i32) (local $v i32) (local $base v128) (local $h v128)
    (local $kBytes i32) (local $innerBytes i32)
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $innerBytes (i32.shl (local.get $innerK) (i32.const 2)))
    ;; Every minimum starts at 0xffffffff.
    (local.set $v (i32.const 0))
    (block $done (loop $fill
      (br_if $done (i32.ge_u (local.get $v) (local.get $kBytes)))
      (v128.store (i32.add (local.get $whole) (local.get $v)) (v128.const i32x4 -1 -1 -1 -1))
      (if (i32.lt_u (local.get $v) (local.get $innerBytes))
        (then (v128.store (i32.add (local.get $innerMins) (local.get $v)) (v128.const i32x4 -1 -1 -1 -1))))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (br $fill)))
    ;; The inner set: its first innerK functions count for both sets, the others for the whole.
    ;; The finalizer is written out at each use: a call per four hashes cost twice the time.
    (local.set $at (local.get $bases))
    (local.set $end (i32.add (local.get $bases) (i32.shl (local.get $nInner) (i32.const 2))))
    (block $innerDone (loop $inner
      (br_if $innerDone (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $base (i32x4.splat (i32.load (local.get $at))))
      (local.set $v (i32.const 0))
      (block $both (loop $bothLoop
        (br_if $both (i32.ge_u (local.get $v) (local.get $innerBytes)))
        (local.set $h (v128.xor (local.get $base) (v128.load (local.get $v))))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (v128.store (i32.add (local.get $whole) (local.get $v))
          (i32x4.min_u (v128.load (i32.add (local.get $whole) (local.get $v))) (local.get $h)))
        (v128.store (i32.add (local.get $innerMins) (local.get $v))
          (i32x4.min_u (v128.load (i32.add (local.get $innerMins) (local.get $v))) (local.get $h)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $bothLoop)))
      (block $rest (loop $restLoop
        (br_if $rest (i32.ge_u (local.get $v) (local.get $kBytes)))
        (local.set $h (v128.xor (local.get $base) (v128.load (local.get $v))))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (v128.store (i32.add (local.get $whole) (local.get $v))
          (i32x4.min_u (v128.load (i32.add (local.get $whole) (local.get $v))) (local.get $h)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $restLoop)))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $inner)))
    ;; The outer set: every function, for the whole set only.
    (local.set $end (i32.add (local.get $end) (i32.shl (local.get $nOuter) (i32.const 2))))
    (block $outerDone (loop $outer
      (br_if $outerDone (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $base (i32x4.splat (i32.load (local.get $at))))
      (local.set $v (i32.const 0))
      (block $all (loop $allLoop
        (br_if $all (i32.ge_u (local.get $v) (local.get $kBytes)))
        (local.set $h (v128.xor (local.get $base) (v128.load (local.get $v))))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (v128.store (i32.add (local.get $whole) (local.get $v))
          (i32x4.min_u (v128.load (i32.add (local.get $whole) (local.get $v))) (local.get $h)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $allLoop)))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $outer))))
)
