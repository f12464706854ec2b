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
  (memory (export "memory") 1)

  ;; Packs the `rows` × `depth` matrix M(r, p) at src + r·rowStride + p·depthStride (byte strides)
  ;; into panels of `panel` rows (an even number): panel after panel, and within one, for
  ;; p = 0, 1, …, its `panel` values M(r, p) side by side; rows past `rows` are zeros.
  (func (export "pack")
    (param $rows i32) (param $depth i32) (param $src i32) (param $rowStride i32) (param $depthStride i32)
    (param $dst i32) (param $panel i32)
    (local $r0 i32) (local $p i32) (local $r i32) (local $from i32) (local $contiguous i32)
    (local.set $r0 (i32.const 0))
    (block $donePanels
      (loop $panels
        (br_if $donePanels (i32.ge_u (local.get $r0) (local.get $rows)))
        ;; A whole panel whose rows are neighbours in memory (a row-major B) moves 16 bytes at a time.
        (local.set $contiguous (i32.and (i32.eq (local.get $rowStride) (i32.const 8))
                                        (i32.le_u (i32.add (local.get $r0) (local.get $panel)) (local.get $rows))))
        (local.set $p (i32.const 0))
        (block $doneDepth
          (loop $alongDepth
            (br_if $doneDepth (i32.ge_u (local.get $p) (local.get $depth)))
            (local.set $from (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $r0) (local.get $rowStride)) (i32.mul (local.get $p) (local.get $depthStride)))))
            (local.set $r (i32.const 0))
            (block $doneRows
              (loop $acrossPanel
                (br_if $doneRows (i32.ge_u (local.get $r) (local.get $panel)))
                (if (local.get $contiguous)
                  (then
                    (v128.store (local.get $dst) (v128.load (local.get $from)))
                    (local.set $from (i32.add (local.get $from) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $r (i32.add (local.get $r) (i32.const 2))))
                  (else
                    (if (i32.lt_u (i32.add (local.get $r0) (local.get $r)) (local.get $rows))
                      (then (f64.store (local.get $dst) (f64.load (local.get $from))))
                      (else (f64.store (local.get $dst) (f64.const 0))))
                    (local.set $from (i32.add (local.get $from) (local.get $rowStride)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))))
                (br $acrossPanel)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $alongDepth)))
        (local.set $r0 (i32.add (local.get $r0) (local.get $panel)))
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
