;; utf8-decode.ts's decoding of bytes already known to be valid UTF-8 into UTF-16 code units.
;; Sixteen bytes at a time while they are ASCII: those are widened to code units as they are. A
;; group with a byte of 0x80 or more is widened up to that byte, and the character there decoded
;; alone. The bytes must be valid UTF-8 (decode.ts checks them first): nothing here checks them.
;; Compiled into utf8-decode-wasm.ts by `npm run wasm` (scripts/wasm.ts).
;;
;; Memory: the bytes from offset 0; the code units from the offset `out` the caller passes, past
;; the bytes, with room for a unit a byte: a group is always written whole, 16 units, though fewer
;; may count, and never reaches past the units of the bytes read so far plus 16.
(module
  (memory (export "memory") 2)

  ;; Decodes len bytes into code units at out; returns how many units there are.
  (func (export "decode") (param $len i32) (param $out i32) (result i32)
    (local $i i32) (local $o i32) (local $v v128) (local $ascii i32) (local $b i32) (local $c i32)
    (local.set $o (local.get $out))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $len))
        (then
          (local.set $v (v128.load (local.get $i)))
          (v128.store (local.get $o) (i16x8.extend_low_i8x16_u (local.get $v)))
          (v128.store offset=16 (local.get $o) (i16x8.extend_high_i8x16_u (local.get $v)))
          ;; How many of the group's bytes are ASCII before the first that is not: 16 when all are.
          (local.set $ascii (i32.ctz (i32.or (i8x16.bitmask (local.get $v)) (i32.const 0x10000))))
          (local.set $i (i32.add (local.get $i) (local.get $ascii)))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $ascii) (i32.const 1))))
          (br_if $next (i32.eq (local.get $ascii) (i32.const 16)))))
      (local.set $b (i32.load8_u (local.get $i)))
      (if (i32.lt_u (local.get $b) (i32.const 0x80))
        (then
          (i32.store16 (local.get $o) (local.get $b))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (br $next)))
      (if (i32.lt_u (local.get $b) (i32.const 0xe0))
        (then
          (i32.store16 (local.get $o) (i32.or
            (i32.shl (i32.and (local.get $b) (i32.const 0x1f)) (i32.const 6))
            (i32.and (i32.load8_u offset=1 (local.get $i)) (i32.const 0x3f))))
          (local.set $i (i32.add (local.get $i) (i32.const 2)))
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (br $next)))
      (if (i32.lt_u (local.get $b) (i32.const 0xf0))
        (then
          (i32.store16 (local.get $o) (i32.or (i32.or
            (i32.shl (i32.and (local.get $b) (i32.const 0x0f)) (i32.const 12))
            (i32.shl (i32.and (i32.load8_u offset=1 (local.get $i)) (i32.const 0x3f)) (i32.const 6)))
            (i32.and (i32.load8_u offset=2 (local.get $i)) (i32.const 0x3f))))
          (local.set $i (i32.add (local.get $i) (i32.const 3)))
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (br $next)))
      ;; Four bytes: a code point past U+FFFF, written as a surrogate pair.
      (local.set $c (i32.sub (i32.or (i32.or (i32.or
        (i32.shl (i32.and (local.get $b) (i32.const 0x07)) (i32.const 18))
        (i32.shl (i32.and (i32.load8_u offset=1 (local.get $i)) (i32.const 0x3f)) (i32.const 12)))
        (i32.shl (i32.and (i32.load8_u offset=2 (local.get $i)) (i32.const 0x3f)) (i32.const 6)))
        (i32.and (i32.load8_u offset=3 (local.get $i)) (i32.const 0x3f)))
        (i32.const 0x10000)))
      (i32.store16 (local.get $o) (i32.add (i32.const 0xd800) (i32.shr_u (local.get $c) (i32.const 10))))
      (i32.store16 offset=2 (local.get $o) (i32.add (i32.const 0xdc00) (i32.and (local.get $c) (i32.const 0x3ff))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (local.set $o (i32.add (local.get $o) (i32.const 4)))
      (br $next)))
    (i32.shr_u (i32.sub (local.get $o) (local.get $out)) (i32.const 1)))
)
