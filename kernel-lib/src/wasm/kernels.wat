;; kernel-lib's matrix products and element-wise activation loops in WebAssembly SIMD (f64x2), the
;; twins of the TypeScript kernels in ../kernels.ts and of the loops in ../activations.ts, which stay
;; the readable reference. Built by scripts/build-wasm.ts (wabt's wat2wasm); ./module.ts loads it,
;; ./memory.ts shares its memory with JavaScript, ./simd.ts and ./elementwise.ts call it.
;;
;; C [m×n] = A·B, cᵢⱼ = Σₚ A(i, p)·B(p, j), in tiles of 2 rows × 8 columns: 8 f64x2 sums, each
;; holding two neighbouring columns of one row of C, run along p. The inner loop reads the 8 values
;; B(p, j…j+7) as four 16-byte loads from a copy of B that `pack` lays out in panels of 8 columns,
;; each panel along p, whatever B's layout (row-major for A·B and Aᵀ·B, transposed for A·Bᵀ); in the
;; panel the next p is the next 64 bytes, which the cache and the prefetcher like far better than a
;; stride of one row of B (2 kB for 256 columns, which also keeps hitting the same cache sets). A is
;; read where it is, through its strides. Columns past the edge of C are zeros in the panels; the
;; missing second row of a tile at the bottom edge is the first row read again; neither is ever stored.
;;
;; Why the result equals the reference loop bit for bit: the vectors run across the columns of C,
;; never along p, so each lane is the scalar sum s = 0 + a₀b₀ + a₁b₁ + … from p = 0 upwards, each
;; product rounded and then added (f64x2.mul, then f64x2.add: no fused multiply-add), and then
;; C = s, or C = C + s when accumulating. Lanes never mix.

(module
;; The memory comes from JavaScript (./module.ts), sized once. scripts/build-wasm.ts also compiles a
  ;; variant whose memory is shared (`(memory 1 65536 shared)` in place of `(memory 1)`), so that a
  ;; helper thread can run part of a product on it (./helper.ts); the code is the same.
  (import "env" "memory" (memory 1))

;; Packs the `rows` × `depth` matrix M(r, p) at src + r·rowStride + p·depthStride (byte strides)
  ;; into panels of 8 rows: panel after panel, and within one, for p = 0, 1, …, its 8 values M(r, p)
  ;; side by side (64 bytes); rows past `rows` are zeros. It only moves values, so it cannot change a
  ;; bit of the result; it is fast where the layout allows:
  ;; - rows adjacent in memory (rowStride 8: a row-major B for A·B and Aᵀ·B): each p's 8 values are
  ;;   64 contiguous bytes, moved as four 16-byte loads and stores;
  ;; - values along p adjacent (depthStride 8: the transposed B of A·Bᵀ): two p at a time, each pair
  ;;   of rows read as two 16-byte loads and swapped into place with two shuffles;
  ;; - a panel at the bottom edge of adjacent rows: its rows two at a time, then zeros;
  ;; - anything else, one value at a time.
  (func (export "pack")
    (param $rows i32) (param $depth i32) (param $src i32) (param $rowStride i32) (param $depthStride i32)
    (param $dst i32)
    (local $r0 i32) (local $p i32) (local $r i32) (local $from i32) (local $x v128) (local $y v128)
    (block $donePanels
      (loop $panels
        (br_if $donePanels (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $p (i32.const 0))
        (local.set $from (i32.add (local.get $src) (i32.mul (local.get $r0) (local.get $rowStride))))
        (if (i32.and (i32.eq (local.get $rowStride) (i32.const 8))
                     (i32.le_u (i32.add (local.get $r0) (i32.const 8)) (local.get $rows)))
          (then
            (block $done
              (loop $alongDepth
                (br_if $done (i32.ge_u (local.get $p) (local.get $depth)))
                (v128.store (local.get $dst) (v128.load (local.get $from)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $from)))
                (v128.store offset=32 (local.get $dst) (v128.load offset=32 (local.get $from)))
                (v128.store offset=48 (local.get $dst) (v128.load offset=48 (local.get $from)))
                (local.set $from (i32.add (local.get $from) (local.get $depthStride)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $alongDepth)))))
        (if (i32.and (i32.eq (local.get $depthStride) (i32.const 8))
                     (i32.le_u (i32.add (local.get $r0) (i32.const 8)) (local.get $rows)))
          (then
            (block $done
              (loop $twoAlongDepth
                (br_if $done (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $depth)))
                ;; Rows r and r+1 at p and p+1: (x₀ x₁), (y₀ y₁) → (x₀ y₀) for p, (x₁ y₁) for p+1.
                (local.set $r (i32.const 0))
                (block $doneRows
                  (loop $rowPairs
                    (br_if $doneRows (i32.ge_u (local.get $r) (i32.const 64)))
                    (local.set $x (v128.load (i32.add (local.get $from)
                      (i32.mul (i32.shr_u (local.get $r) (i32.const 3)) (local.get $rowStride)))))
                    (local.set $y (v128.load (i32.add (i32.add (local.get $from) (local.get $rowStride))
                      (i32.mul (i32.shr_u (local.get $r) (i32.const 3)) (local.get $rowStride)))))
                    (v128.store (i32.add (local.get $dst) (local.get $r))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (v128.store offset=64 (i32.add (local.get $dst) (local.get $r))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (local.set $r (i32.add (local.get $r) (i32.const 16)))
                    (br $rowPairs)))
                (local.set $from (i32.add (local.get $from) (i32.const 16)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                (local.set $p (i32.add (local.get $p) (i32.const 2)))
                (br $twoAlongDepth)))))
        ;; A panel at the bottom edge with its rows adjacent: the rows inside M two at a time, then
        ;; zeros.
        (if (i32.eq (local.get $rowStride) (i32.const 8))
          (then
            (block $done
              (loop $alongDepth
                (br_if $done (i32.ge_u (local.get $p) (local.get $depth)))
                (local.set $r (i32.const 0))
                (block $doneRows
                  (loop $acrossPanel
                    (br_if $doneRows (i32.gt_u (i32.add (local.get $r0) (i32.add (local.get $r) (i32.const 2)))
                                               (local.get $rows)))
                    (v128.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 3)))
                      (v128.load (i32.add (local.get $from) (i32.shl (local.get $r) (i32.const 3)))))
                    (local.set $r (i32.add (local.get $r) (i32.const 2)))
                    (br $acrossPanel)))
                (block $doneTail
                  (loop $tail
                    (br_if $doneTail (i32.ge_u (local.get $r) (i32.const 8)))
                    (f64.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 3)))
                      (if (result f64) (i32.lt_u (i32.add (local.get $r0) (local.get $r)) (local.get $rows))
                        (then (f64.load (i32.add (local.get $from) (i32.shl (local.get $r) (i32.const 3)))))
                        (else (f64.const 0))))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br $tail)))
                (local.set $from (i32.add (local.get $from) (local.get $depthStride)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $alongDepth)))))
        ;; What is left of the panel (the bottom edge of a transposed M, the last p of an odd depth in
        ;; the second case), one value at a time.
        (block $done
          (loop $alongDepth
            (br_if $done (i32.ge_u (local.get $p) (local.get $depth)))
            (local.set $r (i32.const 0))
            (block $doneRows
              (loop $acrossPanel
                (br_if $doneRows (i32.ge_u (local.get $r) (i32.const 8)))
                (if (i32.lt_u (i32.add (local.get $r0) (local.get $r)) (local.get $rows))
                  (then (f64.store (local.get $dst) (f64.load (i32.add (local.get $from)
                          (i32.mul (local.get $r) (local.get $rowStride))))))
                  (else (f64.store (local.get $dst) (f64.const 0))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $acrossPanel)))
            (local.set $from (i32.add (local.get $from) (local.get $depthStride)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $alongDepth)))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
        (br $panels))))

    ;; Stores lanes 2v and 2v+1 of one tile row (the f64x2 `s`, starting at column `lane` = 2v of the
  ;; tile) at `at`, keeping only columns before `cols`: C = s, or C = C + s with `acc`.
  (func $storePair (param $at i32) (param $lane i32) (param $cols i32) (param $acc i32) (param $s v128)
    (if (i32.ge_u (local.get $lane) (local.get $cols)) (then (return)))
    (if (local.get $acc)
      (then (local.set $s (f64x2.add (if (result v128) (i32.ge_u (i32.add (local.get $lane) (i32.const 1)) (local.get $cols))
                                       (then (v128.load64_splat (local.get $at)))
                                       (else (v128.load (local.get $at))))
                                     (local.get $s)))))
    (if (i32.ge_u (i32.add (local.get $lane) (i32.const 1)) (local.get $cols))
      (then (v128.store64_lane 0 (local.get $at) (local.get $s)))
      (else (v128.store (local.get $at) (local.get $s)))))

  ;; Stores one tile row, its 8 columns in s0…s3, at `at`, keeping the first `cols`.
  (func $storeRow (param $at i32) (param $cols i32) (param $acc i32) (param $s0 v128) (param $s1 v128) (param $s2 v128) (param $s3 v128)
    (call $storePair (local.get $at) (i32.const 0) (local.get $cols) (local.get $acc) (local.get $s0))
    (call $storePair (i32.add (local.get $at) (i32.const 16)) (i32.const 2) (local.get $cols) (local.get $acc) (local.get $s1))
    (call $storePair (i32.add (local.get $at) (i32.const 32)) (i32.const 4) (local.get $cols) (local.get $acc) (local.get $s2))
    (call $storePair (i32.add (local.get $at) (i32.const 48)) (i32.const 6) (local.get $cols) (local.get $acc) (local.get $s3)))

  ;; C [m×n, row-major at C] = A·B (C += A·B with `acc`), inner size k, byte addresses and strides:
  ;; A(i, p) at A + i·aRow + p·aStep, and the second row of a tile aGap bytes after the first (the
  ;; first row again when m is odd and the tile is the last, so nothing past A is ever read);
  ;; B(p, j…j+7) at B + j·bCol + p·bStep, 64 contiguous bytes.
  (func (export "product")
    (param $m i32) (param $n i32) (param $k i32)
    (param $A i32) (param $aRow i32) (param $aGap i32) (param $aStep i32)
    (param $B i32) (param $bCol i32) (param $bStep i32)
    (param $C i32) (param $acc i32)
    (local $i i32) (local $j i32) (local $p i32) (local $pa i32) (local $pb i32)
    (local $at i32) (local $cols i32) (local $gap i32) (local $row2 i32)
    (local $a v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    ;; Column tiles outermost: one k×8 strip of B is read again by every row tile of A.
    (local.set $j (i32.const 0))
    (block $doneCols
      (loop $colTiles
        (br_if $doneCols (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $cols (select (i32.sub (local.get $n) (local.get $j)) (i32.const 8)
                                 (i32.lt_u (i32.sub (local.get $n) (local.get $j)) (i32.const 8))))
        (local.set $i (i32.const 0))
        (block $doneRows
          (loop $rowTiles
            (br_if $doneRows (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $s00 (v128.const i64x2 0 0)) (local.set $s01 (v128.const i64x2 0 0))
            (local.set $s02 (v128.const i64x2 0 0)) (local.set $s03 (v128.const i64x2 0 0))
            (local.set $s10 (v128.const i64x2 0 0)) (local.set $s11 (v128.const i64x2 0 0))
            (local.set $s12 (v128.const i64x2 0 0)) (local.set $s13 (v128.const i64x2 0 0))
            (local.set $pa (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $aRow))))
            (local.set $pb (i32.add (local.get $B) (i32.mul (local.get $j) (local.get $bCol))))
            (local.set $gap (select (local.get $aGap) (i32.const 0)
                                    (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m))))
            (local.set $p (i32.const 0))
            (block $doneK
              (loop $alongK
                (br_if $doneK (i32.ge_u (local.get $p) (local.get $k)))
                ;; B(p, j…j+7), and A(i, p) then A(i+1, p) in both lanes.
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $b2 (v128.load offset=32 (local.get $pb)))
                (local.set $b3 (v128.load offset=48 (local.get $pb)))
                (local.set $a (v128.load64_splat (local.get $pa)))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $a) (local.get $b2))))
                (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $a) (local.get $b3))))
                (local.set $a (v128.load64_splat (i32.add (local.get $pa) (local.get $gap))))
                (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $a) (local.get $b2))))
                (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $a) (local.get $b3))))
                (local.set $pa (i32.add (local.get $pa) (local.get $aStep)))
                (local.set $pb (i32.add (local.get $pb) (local.get $bStep)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $alongK)))
            (local.set $at (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))))
            ;; A whole tile (8 columns, both rows inside C) is stored straight from the sums; an edge tile
            ;; goes through $storeRow, which keeps only its columns inside C.
            (if (i32.and (i32.eq (local.get $cols) (i32.const 8))
                         (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m)))
              (then
                (local.set $row2 (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3))))
                (if (local.get $acc)
                  (then
                    (local.set $s00 (f64x2.add (v128.load (local.get $at)) (local.get $s00)))
                    (local.set $s01 (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $s01)))
                    (local.set $s02 (f64x2.add (v128.load offset=32 (local.get $at)) (local.get $s02)))
                    (local.set $s03 (f64x2.add (v128.load offset=48 (local.get $at)) (local.get $s03)))
                    (local.set $s10 (f64x2.add (v128.load (local.get $row2)) (local.get $s10)))
                    (local.set $s11 (f64x2.add (v128.load offset=16 (local.get $row2)) (local.get $s11)))
                    (local.set $s12 (f64x2.add (v128.load offset=32 (local.get $row2)) (local.get $s12)))
                    (local.set $s13 (f64x2.add (v128.load offset=48 (local.get $row2)) (local.get $s13)))))
                (v128.store (local.get $at) (local.get $s00))
                (v128.store offset=16 (local.get $at) (local.get $s01))
                (v128.store offset=32 (local.get $at) (local.get $s02))
                (v128.store offset=48 (local.get $at) (local.get $s03))
                (v128.store (local.get $row2) (local.get $s10))
                (v128.store offset=16 (local.get $row2) (local.get $s11))
                (v128.store offset=32 (local.get $row2) (local.get $s12))
                (v128.store offset=48 (local.get $row2) (local.get $s13)))
              (else
            (call $storeRow (local.get $at) (local.get $cols) (local.get $acc)
                (local.get $s00) (local.get $s01) (local.get $s02) (local.get $s03))
              (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m))
                (then (call $storeRow (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3))) (local.get $cols) (local.get $acc)
                        (local.get $s10) (local.get $s11) (local.get $s12) (local.get $s13))))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $rowTiles)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $colTiles))))

  ;; The element-wise loops of ../activations.ts over `count` doubles at byte addresses: two values per
  ;; f64x2 instruction, and the last one alone when `count` is odd. Each computes what its TypeScript
  ;; loop computes, operation for operation, so the bits are the same: a comparison mask picks between
  ;; two values exactly as `?:` does (z > 0 is false for NaN and −0, as in JavaScript), and the
  ;; arithmetic is the same IEEE operations in the same order. Functions that call Math.exp or Math.tanh
  ;; have no twin here: WebAssembly has neither, and an exp written here would round differently.

  ;; ReLU: a = z > 0 ? z : 0 (the mask's zero bits give +0, as JavaScript's 0 is).
  (func (export "relu") (param $z i32) (param $a i32) (param $count i32)
    (local $i i32) (local $pairs i32) (local $x v128)
    (local.set $pairs (i32.shl (i32.shr_u (local.get $count) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $x (v128.load (i32.add (local.get $z) (local.get $i))))
        (v128.store (i32.add (local.get $a) (local.get $i))
          (v128.and (local.get $x) (f64x2.gt (local.get $x) (v128.const f64x2 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then (f64.store (i32.add (local.get $a) (local.get $i))
              (select (f64.load (i32.add (local.get $z) (local.get $i))) (f64.const 0)
                      (f64.gt (f64.load (i32.add (local.get $z) (local.get $i))) (f64.const 0)))))))

  ;; ReLU′: dZ = z > 0 ? dA : 0.
  (func (export "reluBackward") (param $z i32) (param $dA i32) (param $dZ i32) (param $count i32)
    (local $i i32) (local $pairs i32)
    (local.set $pairs (i32.shl (i32.shr_u (local.get $count) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (v128.store (i32.add (local.get $dZ) (local.get $i))
          (v128.and (v128.load (i32.add (local.get $dA) (local.get $i)))
                    (f64x2.gt (v128.load (i32.add (local.get $z) (local.get $i))) (v128.const f64x2 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then (f64.store (i32.add (local.get $dZ) (local.get $i))
              (select (f64.load (i32.add (local.get $dA) (local.get $i))) (f64.const 0)
                      (f64.gt (f64.load (i32.add (local.get $z) (local.get $i))) (f64.const 0)))))))

  ;; Leaky ReLU: a = z > 0 ? z : α·z.
  (func (export "leakyRelu") (param $z i32) (param $a i32) (param $count i32) (param $alpha f64)
    (local $i i32) (local $pairs i32) (local $x v128) (local $slope v128) (local $s f64)
    (local.set $slope (f64x2.splat (local.get $alpha)))
    (local.set $pairs (i32.shl (i32.shr_u (local.get $count) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $x (v128.load (i32.add (local.get $z) (local.get $i))))
        (v128.store (i32.add (local.get $a) (local.get $i))
          (v128.bitselect (local.get $x) (f64x2.mul (local.get $slope) (local.get $x))
                          (f64x2.gt (local.get $x) (v128.const f64x2 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $s (f64.load (i32.add (local.get $z) (local.get $i))))
        (f64.store (i32.add (local.get $a) (local.get $i))
          (select (local.get $s) (f64.mul (local.get $alpha) (local.get $s))
                  (f64.gt (local.get $s) (f64.const 0)))))))

  ;; Leaky ReLU′: dZ = z > 0 ? dA : α·dA.
  (func (export "leakyReluBackward") (param $z i32) (param $dA i32) (param $dZ i32) (param $count i32) (param $alpha f64)
    (local $i i32) (local $pairs i32) (local $g v128) (local $slope v128) (local $s f64)
    (local.set $slope (f64x2.splat (local.get $alpha)))
    (local.set $pairs (i32.shl (i32.shr_u (local.get $count) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $g (v128.load (i32.add (local.get $dA) (local.get $i))))
        (v128.store (i32.add (local.get $dZ) (local.get $i))
          (v128.bitselect (local.get $g) (f64x2.mul (local.get $slope) (local.get $g))
                          (f64x2.gt (v128.load (i32.add (local.get $z) (local.get $i))) (v128.const f64x2 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $s (f64.load (i32.add (local.get $dA) (local.get $i))))
        (f64.store (i32.add (local.get $dZ) (local.get $i))
          (select (local.get $s) (f64.mul (local.get $alpha) (local.get $s))
                  (f64.gt (f64.load (i32.add (local.get $z) (local.get $i))) (f64.const 0)))))))

  ;; σ′ from the activations: dZ = dA · (a · (1 − a)).
  (func (export "sigmoidBackward") (param $a i32) (param $dA i32) (param $dZ i32) (param $count i32)
    (local $i i32) (local $pairs i32) (local $x v128) (local $s f64)
    (local.set $pairs (i32.shl (i32.shr_u (local.get $count) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $i))))
        (v128.store (i32.add (local.get $dZ) (local.get $i))
          (f64x2.mul (v128.load (i32.add (local.get $dA) (local.get $i)))
                     (f64x2.mul (local.get $x) (f64x2.sub (v128.const f64x2 1 1) (local.get $x)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $s (f64.load (i32.add (local.get $a) (local.get $i))))
        (f64.store (i32.add (local.get $dZ) (local.get $i))
          (f64.mul (f64.load (i32.add (local.get $dA) (local.get $i)))
                   (f64.mul (local.get $s) (f64.sub (f64.const 1) (local.get $s))))))))

  ;; tanh′ from the activations: dZ = dA · (1 − a · a).
  (func (export "tanhBackward") (param $a i32) (param $dA i32) (param $dZ i32) (param $count i32)
    (local $i i32) (local $pairs i32) (local $x v128) (local $s f64)
    (local.set $pairs (i32.shl (i32.shr_u (local.get $count) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $i))))
        (v128.store (i32.add (local.get $dZ) (local.get $i))
          (f64x2.mul (v128.load (i32.add (local.get $dA) (local.get $i)))
                     (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $x) (local.get $x)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $s (f64.load (i32.add (local.get $a) (local.get $i))))
        (f64.store (i32.add (local.get $dZ) (local.get $i))
          (f64.mul (f64.load (i32.add (local.get $dA) (local.get $i)))
                   (f64.sub (f64.const 1) (f64.mul (local.get $s) (local.get $s))))))))
)
