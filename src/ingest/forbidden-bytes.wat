;; forbidden-bytes.ts's question of a window of a document's bytes: may its text hold a character
;; XML forbids? In UTF-8 and the single-byte Latin encodings such a C0 control is its own byte
;; (0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F); U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
;; Sixteen bytes are tested at once; a group with a control byte but tab, LF or CR, or with
;; 0xEF, is read one byte at a time. Compiled into forbidden-bytes-wasm.ts by `npm run wasm`.
;;
;; Memory: the window's bytes from offset 0, then the two bytes that follow it in the document
;; (0 past its end), so that a sequence starting in the window's last bytes is read whole.
(module
  (memory (export "memory") 2)

  ;; Whether a forbidden character starts at byte i.
  (func $startsForbidden (param $i i32) (result i32)
    (local $b i32)
    (local.set $b (i32.load8_u (local.get $i)))
    (if (i32.lt_u (local.get $b) (i32.const 0x20))
      (then (return (i32.eqz (i32.or
        (i32.or (i32.eq (local.get $b) (i32.const 9)) (i32.eq (local.get $b) (i32.const 10)))
        (i32.eq (local.get $b) (i32.const 13)))))))
    (if (i32.ne (local.get $b) (i32.const 0xef)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u offset=1 (local.get $i)) (i32.const 0xbf)) (then (return (i32.const 0))))
    (i32.ge_u (i32.load8_u offset=2 (local.get $i)) (i32.const 0xbe)))

  ;; Whether one starts in [from, to).
  (func $anyIn (param $from i32) (param $to i32) (result i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
      (if (call $startsForbidden (local.get $from)) (then (return (i32.const 1))))
      (local.set $from (i32.add (local.get $from) (i32.const 1)))
      (br $next)))
    (i32.const 0))

  ;; 1 when a forbidden character starts in the window's len bytes, else 0.
  (func (export "scan") (param $len i32) (result i32)
    (local $i i32) (local $v v128)
    (block $tail (loop $group
      (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $len)))
      (local.set $v (v128.load (local.get $i)))
      (if (v128.any_true (v128.or
            (v128.andnot
              (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
              (v128.or
                (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 9))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 10))))
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 13)))))
            (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xef)))))
        (then (if (call $anyIn (local.get $i) (i32.add (local.get $i) (i32.const 16))) (then (return (i32.const 1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $group)))
    (call $anyIn (local.get $i) (local.get $len)))
)
