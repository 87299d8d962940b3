;; The loop of text.ts's addValues, for text without surrogates (hasSurrogate tells): find each
;; word (word-spans.ts's rules), skip a possessive "'s", look the word up in the table of known
;; words, and report only the words the vocabulary keeps, with their position and whether clause
;; punctuation precedes them. What the loop cannot decide (a word not in the table, a word this vocabulary has not
;; judged) it hands back to JavaScript, which answers and calls again: the loop resumes from the
;; state it left in memory. Compiled into word-scan-wasm.ts by `npm run wasm` (scripts/wasm.ts).
;;
;; Memory, by byte offset (word-table.ts names the same places):
;;   0        classes: one byte per UTF-16 code unit, word-spans.ts's classes plus CLAUSE_END (64)
;;            and letter-number-mark (32)
;;   65536    state, i32s: 0 where to read next, 4 words counted, 8 end of the last counted word
;;            (-1 before any), 12 reports written, 16/20/24 the word handed back (start, end,
;;            hash), 28 its entry as JavaScript resolved it (-1: none), 32 the entry to judge
;;   66560    reports, 20 bytes each: start, end, entry, position, clause start (0 or 1)
;;   196608   entry records, 16 bytes each: offset in the pool (code units), length, the number of
;;            the vocabulary that judged it, flags (1 folds to nothing, 2 kept)
;;   1835008  slots, 8 bytes each: hash, entry + 1 (0: empty)
;;   3932160  pool: the code units of every entry's word
;;   8126464  the text, UTF-16 code units
(module
  (memory (export "memory") 130)
  (global $foundEnd (mut i32) (i32.const 0))
  (global $foundHash (mut i32) (i32.const 0))

  ;; The code unit at i, or -1 past the end.
  (func $charAt (param $i i32) (param $len i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $i) (local.get $len))
      (then (i32.load16_u offset=8126464 (i32.shl (local.get $i) (i32.const 1))))
      (else (i32.const -1))))

  ;; The class of the code unit at i; none past the end.
  (func $classAt (param $i i32) (param $len i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $i) (local.get $len))
      (then (i32.load8_u (i32.load16_u offset=8126464 (i32.shl (local.get $i) (i32.const 1)))))
      (else (i32.const 0))))

  ;; FNV-1a over the code units [start, end): word-spans.ts's hashSpan.
  (func $hashSpan (param $start i32) (param $end i32) (result i32)
    (local $h i32)
    (local.set $h (i32.const 0x811c9dc5))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $start) (local.get $end)))
      (local.set $h (i32.mul
        (i32.xor (local.get $h) (i32.load16_u offset=8126464 (i32.shl (local.get $start) (i32.const 1))))
        (i32.const 0x01000193)))
      (local.set $start (i32.add (local.get $start) (i32.const 1)))
      (br $next)))
    (local.get $h))

  ;; word-spans.ts's acronymEnd: the end of a dotted acronym at start, or -1.
  (func $acronymEnd (param $start i32) (param $len i32) (result i32)
    (local $pairs i32) (local $at i32) (local $end i32)
    (local.set $at (i32.add (local.get $start) (i32.const 1)))
    (block $stop (loop $pair
      (br_if $stop (i32.ne (call $charAt (local.get $at) (local.get $len)) (i32.const 46)))
      (br_if $stop (i32.eqz (i32.and (call $classAt (i32.add (local.get $at) (i32.const 1)) (local.get $len)) (i32.const 8))))
      (local.set $pairs (i32.add (local.get $pairs) (i32.const 1)))
      (local.set $at (i32.add (local.get $at) (i32.const 2)))
      (br $pair)))
    (block $none (loop $try
      (br_if $none (i32.lt_s (local.get $pairs) (i32.const 1)))
      (local.set $end (i32.add (local.get $start) (i32.add (i32.const 1) (i32.shl (local.get $pairs) (i32.const 1)))))
      (if (i32.eq (call $charAt (local.get $end) (local.get $len)) (i32.const 46))
        (then (if (i32.eqz (i32.and (call $classAt (i32.add (local.get $end) (i32.const 1)) (local.get $len)) (i32.const 16)))
          (then (return (i32.add (local.get $end) (i32.const 1)))))))
      (if (i32.eqz (i32.and (call $classAt (local.get $end) (local.get $len)) (i32.const 16)))
        (then (return (local.get $end))))
      (local.set $pairs (i32.sub (local.get $pairs) (i32.const 1)))
      (br $try)))
    (i32.const -1))

  ;; The start of the next word at or after i, or -1; its end and hash in $foundEnd, $foundHash.
  (func $findWord (param $i i32) (param $len i32) (result i32)
    (local $code i32) (local $c i32) (local $end i32) (local $h i32) (local $next i32)
    (block $none (loop $scan
      (br_if $none (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $code (i32.load16_u offset=8126464 (i32.shl (local.get $i) (i32.const 1))))
      (local.set $c (i32.load8_u (local.get $code)))
      (if (i32.and (local.get $c) (i32.const 8))
        (then (if (i32.eq (call $charAt (i32.add (local.get $i) (i32.const 1)) (local.get $len)) (i32.const 46))
          (then
            (local.set $end (call $acronymEnd (local.get $i) (local.get $len)))
            (if (i32.gt_s (local.get $end) (i32.const 0))
              (then
                (global.set $foundEnd (local.get $end))
                (global.set $foundHash (call $hashSpan (local.get $i) (local.get $end)))
                (return (local.get $i))))))))
      (if (i32.and (local.get $c) (i32.const 4))
        (then
          (global.set $foundEnd (i32.add (local.get $i) (i32.const 1)))
          (global.set $foundHash (i32.mul (i32.xor (i32.const 0x811c9dc5) (local.get $code)) (i32.const 0x01000193)))
          (return (local.get $i))))
      (if (i32.and (local.get $c) (i32.const 2))
        (then
          (local.set $h (i32.mul (i32.xor (i32.const 0x811c9dc5) (local.get $code)) (i32.const 0x01000193)))
          (local.set $end (i32.add (local.get $i) (i32.const 1)))
          (block $wordEnd (loop $inWord
            (br_if $wordEnd (i32.ge_u (local.get $end) (local.get $len)))
            (local.set $next (i32.load16_u offset=8126464 (i32.shl (local.get $end) (i32.const 1))))
            (br_if $wordEnd (i32.eqz (i32.and (i32.load8_u (local.get $next)) (i32.const 2))))
            (local.set $h (i32.mul (i32.xor (local.get $h) (local.get $next)) (i32.const 0x01000193)))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (br $inWord)))
          (global.set $foundEnd (local.get $end))
          (global.set $foundHash (local.get $h))
          (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scan)))
    (i32.const -1))

  ;; The entry of the word [start, end) whose hash is given, or -1.
  (func $lookup (param $start i32) (param $end i32) (param $hash i32) (param $mask i32) (result i32)
    (local $slot i32) (local $e i32) (local $rec i32) (local $p i32) (local $q i32) (local $qEnd i32)
    (local.set $slot (i32.and (local.get $hash) (local.get $mask)))
    (loop $probe
      (local.set $e (i32.load offset=1835012 (i32.shl (local.get $slot) (i32.const 3))))
      (if (i32.eqz (local.get $e)) (then (return (i32.const -1))))
      (block $differ
        (br_if $differ (i32.ne (i32.load offset=1835008 (i32.shl (local.get $slot) (i32.const 3))) (local.get $hash)))
        (local.set $rec (i32.shl (i32.sub (local.get $e) (i32.const 1)) (i32.const 4)))
        (br_if $differ (i32.ne (i32.load offset=196612 (local.get $rec)) (i32.sub (local.get $end) (local.get $start))))
        ;; Byte addresses, relative to the pool and to the text.
        (local.set $p (i32.shl (i32.load offset=196608 (local.get $rec)) (i32.const 1)))
        (local.set $q (i32.shl (local.get $start) (i32.const 1)))
        (local.set $qEnd (i32.shl (local.get $end) (i32.const 1)))
        (block $tail (loop $four
          (br_if $tail (i32.gt_u (i32.add (local.get $q) (i32.const 8)) (local.get $qEnd)))
          (br_if $differ (i64.ne (i64.load offset=3932160 (local.get $p)) (i64.load offset=8126464 (local.get $q))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br $four)))
        (block $same (loop $one
          (br_if $same (i32.ge_u (local.get $q) (local.get $qEnd)))
          (br_if $differ (i32.ne (i32.load16_u offset=3932160 (local.get $p)) (i32.load16_u offset=8126464 (local.get $q))))
          (local.set $p (i32.add (local.get $p) (i32.const 2)))
          (local.set $q (i32.add (local.get $q) (i32.const 2)))
          (br $one)))
        (return (i32.sub (local.get $e) (i32.const 1))))
      (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
      (br $probe))
    (i32.const -1))

  ;; text.ts's isPossessiveS for a one-unit word at start: "s" after an apostrophe after a letter,
  ;; digit or mark.
  (func $isPossessiveS (param $start i32) (param $len i32) (result i32)
    (local $c i32)
    (local.set $c (call $charAt (local.get $start) (local.get $len)))
    (if (i32.and (i32.ne (local.get $c) (i32.const 115)) (i32.ne (local.get $c) (i32.const 83)))
      (then (return (i32.const 0))))
    (if (i32.lt_s (local.get $start) (i32.const 2)) (then (return (i32.const 0))))
    (local.set $c (call $charAt (i32.sub (local.get $start) (i32.const 1)) (local.get $len)))
    (if (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x27)) (i32.eq (local.get $c) (i32.const 0x2019)))
        (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2bc)) (i32.eq (local.get $c) (i32.const 0x60)))
          (i32.eq (local.get $c) (i32.const 0xb4)))))
      (then (return (i32.const 0))))
    (i32.ne (i32.and (call $classAt (i32.sub (local.get $start) (i32.const 2)) (local.get $len)) (i32.const 32)) (i32.const 0)))

  ;; Whether clause punctuation stands in [previousEnd, start); true before the first word.
  (func $clauseStart (param $previousEnd i32) (param $start i32) (result i32)
    (if (i32.lt_s (local.get $previousEnd) (i32.const 0)) (then (return (i32.const 1))))
    (block $none (loop $gap
      (br_if $none (i32.ge_u (local.get $previousEnd) (local.get $start)))
      (if (i32.and (i32.load8_u (i32.load16_u offset=8126464 (i32.shl (local.get $previousEnd) (i32.const 1)))) (i32.const 64))
        (then (return (i32.const 1))))
      (local.set $previousEnd (i32.add (local.get $previousEnd) (i32.const 1)))
      (br $gap)))
    (i32.const 0))

  ;; Whether the text of len units holds half of a surrogate pair: such text is read in JavaScript
  ;; (text.ts), which takes a pair for one character. Four units are tested at once, as the lanes
  ;; of an i64 (no SIMD here: this module has no way without it): a unit is a surrogate half when
  ;; its top five bits are 11011, so the lane of (unit ^ 0xd800) & 0xf800 is zero, and a zero lane
  ;; is found by the borrow it takes. In news text, typographic quotes and dashes make most texts
  ;; two bytes a unit, where a regular expression took ~0.7 ns a unit to find none.
  (func (export "hasSurrogate") (param $len i32) (result i32)
    (local $at i32) (local $end i32) (local $t i64)
    (local.set $end (i32.shl (local.get $len) (i32.const 1)))
    (block $tail (loop $group
      (br_if $tail (i32.gt_u (i32.add (local.get $at) (i32.const 8)) (local.get $end)))
      (local.set $t (i64.and
        (i64.xor (i64.load offset=8126464 (local.get $at)) (i64.const 0xd800d800d800d800))
        (i64.const 0xf800f800f800f800)))
      (if (i64.ne (i64.const 0) (i64.and
            (i64.and (i64.sub (local.get $t) (i64.const 0x0001000100010001)) (i64.xor (local.get $t) (i64.const -1)))
            (i64.const 0x8000800080008000)))
        (then (return (i32.const 1))))
      (local.set $at (i32.add (local.get $at) (i32.const 8)))
      (br $group)))
    (block $done (loop $one
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (if (i32.eq (i32.and (i32.load16_u offset=8126464 (local.get $at)) (i32.const 0xf800)) (i32.const 0xd800))
        (then (return (i32.const 1))))
      (local.set $at (i32.add (local.get $at) (i32.const 2)))
      (br $one)))
    (i32.const 0))

  ;; Reads the text of length len on from the state. vocabulary: the number of the vocabulary
  ;; that decides (-1: every word is kept). Returns 0 at the end of the text, 1 when outCap
  ;; reports are written, 2 for a word not in the table (JavaScript interns it and puts its entry
  ;; at state 28), 3 for an entry this vocabulary has not judged (at state 32; JavaScript judges
  ;; it and puts it at state 28).
  (func (export "scan") (param $len i32) (param $vocabulary i32) (param $mask i32) (param $outCap i32) (result i32)
    (local $i i32) (local $position i32) (local $previousEnd i32) (local $out i32)
    (local $start i32) (local $end i32) (local $hash i32) (local $entry i32) (local $flags i32) (local $report i32)
    (local.set $i (i32.load offset=65536 (i32.const 0)))
    (local.set $position (i32.load offset=65540 (i32.const 0)))
    (local.set $previousEnd (i32.load offset=65544 (i32.const 0)))
    (local.set $out (i32.load offset=65548 (i32.const 0)))
    (local.set $entry (i32.load offset=65564 (i32.const 0)))
    (i32.store offset=65564 (i32.const 0) (i32.const -1))
    (block $exit (result i32) (loop $words
      (if (i32.ge_s (local.get $entry) (i32.const 0))
        (then
          ;; Resuming with the word handed back, now resolved.
          (local.set $start (i32.load offset=65552 (i32.const 0)))
          (local.set $end (i32.load offset=65556 (i32.const 0))))
        (else
          (local.set $start (call $findWord (local.get $i) (local.get $len)))
          (if (i32.lt_s (local.get $start) (i32.const 0))
            (then (local.set $i (local.get $len)) (br $exit (i32.const 0))))
          (local.set $end (global.get $foundEnd))
          (local.set $hash (global.get $foundHash))
          (local.set $i (local.get $end))
          (if (i32.eq (i32.sub (local.get $end) (local.get $start)) (i32.const 1))
            (then (br_if $words (call $isPossessiveS (local.get $start) (local.get $len)))))
          (local.set $entry (call $lookup (local.get $start) (local.get $end) (local.get $hash) (local.get $mask)))
          (if (i32.lt_s (local.get $entry) (i32.const 0))
            (then
              (i32.store offset=65552 (i32.const 0) (local.get $start))
              (i32.store offset=65556 (i32.const 0) (local.get $end))
              (i32.store offset=65560 (i32.const 0) (local.get $hash))
              (br $exit (i32.const 2))))))
      (local.set $i (local.get $end))
      (local.set $flags (i32.load offset=196620 (i32.shl (local.get $entry) (i32.const 4))))
      (if (i32.and (local.get $flags) (i32.const 1))
        (then (local.set $entry (i32.const -1)) (br $words)))
      (if (i32.ge_s (local.get $vocabulary) (i32.const 0))
        (then (if (i32.ne (i32.load offset=196616 (i32.shl (local.get $entry) (i32.const 4))) (local.get $vocabulary))
          (then
            (i32.store offset=65552 (i32.const 0) (local.get $start))
            (i32.store offset=65556 (i32.const 0) (local.get $end))
            (i32.store offset=65568 (i32.const 0) (local.get $entry))
            (br $exit (i32.const 3))))))
      (if (i32.or (i32.lt_s (local.get $vocabulary) (i32.const 0)) (i32.and (local.get $flags) (i32.const 2)))
        (then
          (local.set $report (i32.add (i32.const 66560) (i32.mul (local.get $out) (i32.const 20))))
          (i32.store (local.get $report) (local.get $start))
          (i32.store offset=4 (local.get $report) (local.get $end))
          (i32.store offset=8 (local.get $report) (local.get $entry))
          (i32.store offset=12 (local.get $report) (local.get $position))
          (i32.store offset=16 (local.get $report) (call $clauseStart (local.get $previousEnd) (local.get $start)))
          (local.set $out (i32.add (local.get $out) (i32.const 1)))))
      (local.set $position (i32.add (local.get $position) (i32.const 1)))
      (local.set $previousEnd (local.get $end))
      (local.set $entry (i32.const -1))
      (br_if $words (i32.lt_u (local.get $out) (local.get $outCap)))
      (br $exit (i32.const 1)))
      (unreachable))
    ;; Whatever the reason for stopping, the state says where to go on.
    (i32.store offset=65536 (i32.const 0) (local.get $i))
    (i32.store offset=65540 (i32.const 0) (local.get $position))
    (i32.store offset=65544 (i32.const 0) (local.get $previousEnd))
    (i32.store offset=65548 (i32.const 0) (local.get $out)))
)
