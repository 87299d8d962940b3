;; text-scan.ts's scan of a text chunk, for chunks long enough that copying them here pays: which
;; of the two things the sanitizer looks for the chunk holds. Bit 1: a character escaping changes
;; (& < >) or one XML forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; surrogate halves).
;; Bit 2: whitespace other than single spaces (JavaScript's \s but the space, or two spaces in a
;; row). Eight code units are tested at once; a group with anything but plain printable ASCII is
;; read one unit at a time. Compiled into text-scan-wasm.ts by `npm run wasm` (scripts/wasm.ts).
;;
;; Memory: the chunk's UTF-16 code units from offset 0, followed by one unit of 0 (the caller
;; writes it, so that the last unit's look at the next one finds no space there).
(module
  (memory (export "memory") 4)

  ;; The bits of the unit u, followed by the unit next.
  (func $unit (param $u i32) (param $next i32) (result i32)
    (if (i32.lt_u (local.get $u) (i32.const 0x20))
      (then
        ;; Tab to CR are whitespace; of them, vertical tab and form feed are forbidden in XML too.
        (if (i32.and (i32.ge_u (local.get $u) (i32.const 9)) (i32.le_u (local.get $u) (i32.const 13)))
          (then (return (i32.or (i32.const 2)
            (i32.or (i32.eq (local.get $u) (i32.const 11)) (i32.eq (local.get $u) (i32.const 12)))))))
        (return (i32.const 1))))
    (if (i32.eq (local.get $u) (i32.const 0x20))
      (then (return (i32.shl (i32.eq (local.get $next) (i32.const 0x20)) (i32.const 1)))))
    (if (i32.or (i32.eq (local.get $u) (i32.const 0x26))
          (i32.or (i32.eq (local.get $u) (i32.const 0x3c)) (i32.eq (local.get $u) (i32.const 0x3e))))
      (then (return (i32.const 1))))
    (if (i32.lt_u (local.get $u) (i32.const 0xa0)) (then (return (i32.const 0))))
    (if (i32.eq (local.get $u) (i32.const 0xa0)) (then (return (i32.const 2))))
    (if (i32.and (i32.ge_u (local.get $u) (i32.const 0xd800)) (i32.le_u (local.get $u) (i32.const 0xdfff)))
      (then (return (i32.const 1))))
    (if (i32.ge_u (local.get $u) (i32.const 0xfffe)) (then (return (i32.const 1))))
    (if (i32.or
          (i32.or (i32.eq (local.get $u) (i32.const 0x1680))
            (i32.and (i32.ge_u (local.get $u) (i32.const 0x2000)) (i32.le_u (local.get $u) (i32.const 0x200a))))
          (i32.or
            (i32.or (i32.eq (local.get $u) (i32.const 0x2028)) (i32.eq (local.get $u) (i32.const 0x2029)))
            (i32.or (i32.or (i32.eq (local.get $u) (i32.const 0x202f)) (i32.eq (local.get $u) (i32.const 0x205f)))
              (i32.or (i32.eq (local.get $u) (i32.const 0x3000)) (i32.eq (local.get $u) (i32.const 0xfeff))))))
      (then (return (i32.const 2))))
    (i32.const 0))

  ;; The bits of the units [from, to), added to flags.
  (func $units (param $from i32) (param $to i32) (param $flags i32) (result i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
      (local.set $flags (i32.or (local.get $flags)
        (call $unit (i32.load16_u (i32.shl (local.get $from) (i32.const 1)))
                    (i32.load16_u offset=2 (i32.shl (local.get $from) (i32.const 1))))))
      (local.set $from (i32.add (local.get $from) (i32.const 1)))
      (br $next)))
    (local.get $flags))

  ;; The bits of the chunk of len units; stops reading once both are found.
  (func (export "scan") (param $len i32) (result i32)
    (local $i i32) (local $at i32) (local $flags i32) (local $v v128)
    (block $tail (loop $group
      (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $len)))
      (local.set $at (i32.shl (local.get $i) (i32.const 1)))
      (local.set $v (v128.load (local.get $at)))
      ;; Anything below space or past ASCII, &, < or > (0x3c and 0x3e are one test with bit 1
      ;; cleared), or a space followed by a space.
      (if (v128.any_true (v128.or (v128.or
            (v128.or
              (i16x8.lt_u (local.get $v) (i16x8.splat (i32.const 0x20)))
              (i16x8.ge_u (local.get $v) (i16x8.splat (i32.const 0x80))))
            (v128.or
              (i16x8.eq (local.get $v) (i16x8.splat (i32.const 0x26)))
              (i16x8.eq (v128.and (local.get $v) (i16x8.splat (i32.const 0xfffd))) (i16x8.splat (i32.const 0x3c)))))
            (v128.and
              (i16x8.eq (local.get $v) (i16x8.splat (i32.const 0x20)))
              (i16x8.eq (v128.load offset=2 (local.get $at)) (i16x8.splat (i32.const 0x20))))))
        (then
          (local.set $flags (call $units (local.get $i) (i32.add (local.get $i) (i32.const 8)) (local.get $flags)))
          (br_if $tail (i32.eq (local.get $flags) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $group)))
    (if (result i32) (i32.eq (local.get $flags) (i32.const 3))
      (then (local.get $flags))
      (else (call $units (local.get $i) (local.get $len) (local.get $flags)))))
)
