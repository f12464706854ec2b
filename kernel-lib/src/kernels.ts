/**
 * The matrix-product kernels behind `matmul`, `matmulTN` and `matmulNT`, on raw row-major
 * Float64Arrays. Each product comes twice: a fast register-tiled kernel, used by the layers, and the
 * reference kernel it is tested against, which is the definition written as a loop.
 *
 * How the fast kernels are fast: they compute C in 4×4 tiles, keeping a tile's 16 sums in local
 * variables (which the JIT keeps in registers) while running along the shared dimension k. Each
 * step of that loop loads 4 values of A and 4 of B and does 16 multiply-adds with them; the simple
 * loop loads two values and reads and writes C for every single multiply-add. Tiles that stick out
 * past the right or bottom edge of C repeat its last row or column, and only their valid part is
 * stored, so each product has a single loop body for every shape.
 *
 * The three products differ only in how A and B are laid out, so one tiled kernel and one reference
 * loop serve all three, reading A(i, p) at A[i·aRow + p·aCol] and B(p, j) at B[p·bRow + j·bCol].
 *
 * Every entry is summed in the same order in both versions — s = Σₚ a_ip·b_pj from p = 0 upwards,
 * then C = s, or C + s when accumulating — so the fast and reference results are bit-for-bit equal.
 */

/**
 * What every product kernel is called with: C [m×n] = A·B, AᵀB or A·Bᵀ of row-major operands (C += …
 * with `accumulate`). The TypeScript kernels here, the WebAssembly ones and the choice between them share it.
 */
export type ProductKernel = (
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
) => void;

/** The tile edge: the fast kernels compute C in TILE × TILE blocks. */
export const TILE = 4;

/**
 * Stores one tile row s0…s3 at `C[at…]`, keeping the first `count` (the columns inside C):
 * C = s, or C += s with `accumulate`. Called once per tile row, never per multiply-add.
 */
function storeRow(
  C: Float64Array,
  at: number,
  count: number,
  accumulate: boolean,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): void {
  if (accumulate) {
    C[at] += s0;
    if (count > 1) C[at + 1] += s1;
    if (count > 2) C[at + 2] += s2;
    if (count > 3) C[at + 3] += s3;
  } else {
    C[at] = s0;
    if (count > 1) C[at + 1] = s1;
    if (count > 2) C[at + 2] = s2;
    if (count > 3) C[at + 3] = s3;
  }
}

/**
 * C = A·B with strided operands, in 4×4 tiles: cᵢⱼ = Σₚ A[i·aRow + p·aCol] · B[p·bRow + j·bCol]
 * (C += … with `accumulate`). Column tiles are outermost, so the k×4 strip of B a tile reads stays
 * in cache for all row tiles.
 */
function tiledProduct(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  aRow: number,
  aCol: number,
  B: Float64Array,
  bRow: number,
  bCol: number,
  C: Float64Array,
  accumulate: boolean,
): void {
  for (let j = 0; j < n; j += 4) {
    const cols = n - j < 4 ? n - j : 4;
    // Where the tile's 4 columns of B start; past the edge they repeat the last column.
    const c0 = j * bCol,
      c1 = cols > 1 ? c0 + bCol : c0,
      c2 = cols > 2 ? c1 + bCol : c1,
      c3 = cols > 3 ? c2 + bCol : c2;
    for (let i = 0; i < m; i += 4) {
      const rows = m - i < 4 ? m - i : 4;
      // Where the tile's 4 rows of A start; past the edge they repeat the last row.
      const r0 = i * aRow,
        r1 = rows > 1 ? r0 + aRow : r0,
        r2 = rows > 2 ? r1 + aRow : r1,
        r3 = rows > 3 ? r2 + aRow : r2;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let p = 0, pa = 0, pb = 0; p < k; p++, pa += aCol, pb += bRow) {
        const b0 = B[pb + c0],
          b1 = B[pb + c1],
          b2 = B[pb + c2],
          b3 = B[pb + c3];
        let a = A[r0 + pa];
        s00 += a * b0;
        s01 += a * b1;
        s02 += a * b2;
        s03 += a * b3;
        a = A[r1 + pa];
        s10 += a * b0;
        s11 += a * b1;
        s12 += a * b2;
        s13 += a * b3;
        a = A[r2 + pa];
        s20 += a * b0;
        s21 += a * b1;
        s22 += a * b2;
        s23 += a * b3;
        a = A[r3 + pa];
        s30 += a * b0;
        s31 += a * b1;
        s32 += a * b2;
        s33 += a * b3;
      }
      const c = i * n + j;
      storeRow(C, c, cols, accumulate, s00, s01, s02, s03);
      if (rows > 1) storeRow(C, c + n, cols, accumulate, s10, s11, s12, s13);
      if (rows > 2) storeRow(C, c + 2 * n, cols, accumulate, s20, s21, s22, s23);
      if (rows > 3) storeRow(C, c + 3 * n, cols, accumulate, s30, s31, s32, s33);
    }
  }
}

/**
 * The reference for `tiledProduct`: cᵢⱼ = Σₚ A[i·aRow + p·aCol] · B[p·bRow + j·bCol], one entry at a time.
 */
function referenceProduct(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  aRow: number,
  aCol: number,
  B: Float64Array,
  bRow: number,
  bCol: number,
  C: Float64Array,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * aRow + p * aCol] * B[p * bRow + j * bCol];
      C[i * n + j] = accumulate ? C[i * n + j] + s : s;
    }
  }
}

/** C = A·B  [m×k]·[k×n] → [m×n] (C += A·B with `accumulate`), tiled. */
export function matmulKernel(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  tiledProduct(m, n, k, A, k, 1, B, n, 1, C, accumulate);
}

/** C = Aᵀ·B  [k×m]ᵀ·[k×n] → [m×n] (C += Aᵀ·B with `accumulate`), tiled, without forming Aᵀ. */
export function matmulTNKernel(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  tiledProduct(m, n, k, A, 1, m, B, n, 1, C, accumulate);
}

/** C = A·Bᵀ  [m×k]·[n×k]ᵀ → [m×n] (C += A·Bᵀ with `accumulate`), tiled, without forming Bᵀ. */
export function matmulNTKernel(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  tiledProduct(m, n, k, A, k, 1, B, 1, k, C, accumulate);
}

/** Reference C = A·B  [m×k]·[k×n] (C += A·B with `accumulate`): cᵢⱼ = Σₚ aᵢₚ bₚⱼ. */
export function matmulReference(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  referenceProduct(m, n, k, A, k, 1, B, n, 1, C, accumulate);
}

/** Reference C = Aᵀ·B  [k×m]ᵀ·[k×n] (C += Aᵀ·B with `accumulate`): cᵢⱼ = Σₚ aₚᵢ bₚⱼ. */
export function matmulTNReference(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  referenceProduct(m, n, k, A, 1, m, B, n, 1, C, accumulate);
}

/** Reference C = A·Bᵀ  [m×k]·[n×k]ᵀ (C += A·Bᵀ with `accumulate`): cᵢⱼ = Σₚ aᵢₚ bⱼₚ. */
export function matmulNTReference(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  referenceProduct(m, n, k, A, k, 1, B, 1, k, C, accumulate);
}
