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
 * Every entry is summed in the same order in both versions — s = Σₚ a_ip·b_pj from p = 0 upwards,
 * then C = s, or C + s when accumulating — so the fast and reference results are bit-for-bit equal.
 */

/** The tile edge: the fast kernels compute C in TILE × TILE blocks. */
export const TILE = 4;

/**
 * Stores one tile row s0…s3 at `C[at…]`, keeping the first `count` (the columns inside C):
 * C = s, or C += s with `accumulate`. Called once per tile row, never per multiply-add.
 */
function storeRow(C: Float64Array, at: number, count: number, accumulate: boolean, s0: number, s1: number, s2: number, s3: number): void {
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
 * C = A·B  [m×k]·[k×n] → [m×n] (C += A·B with `accumulate`), 4×4 tiles.
 * Column tiles are outermost, so the k×4 strip of B a tile reads stays in cache for all row tiles.
 */
export function matmulKernel(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  for (let j = 0; j < n; j += 4) {
    const cols = n - j < 4 ? n - j : 4;
    // Offsets of the tile's columns in a row of B; past the edge they repeat the last column.
    const o1 = cols > 1 ? 1 : 0, o2 = cols > 2 ? 2 : o1, o3 = cols > 3 ? 3 : o2;
    for (let i = 0; i < m; i += 4) {
      const rows = m - i < 4 ? m - i : 4;
      // Starts of the tile's rows of A; past the edge they repeat the last row.
      const r0 = i * k, r1 = rows > 1 ? r0 + k : r0, r2 = rows > 2 ? r1 + k : r1, r3 = rows > 3 ? r2 + k : r2;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let p = 0, pb = j; p < k; p++, pb += n) {
        const b0 = B[pb], b1 = B[pb + o1], b2 = B[pb + o2], b3 = B[pb + o3];
        let a = A[r0 + p];
        s00 += a * b0; s01 += a * b1; s02 += a * b2; s03 += a * b3;
        a = A[r1 + p];
        s10 += a * b0; s11 += a * b1; s12 += a * b2; s13 += a * b3;
        a = A[r2 + p];
        s20 += a * b0; s21 += a * b1; s22 += a * b2; s23 += a * b3;
        a = A[r3 + p];
        s30 += a * b0; s31 += a * b1; s32 += a * b2; s33 += a * b3;
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
 * C = Aᵀ·B  [k×m]ᵀ·[k×n] → [m×n] (C += Aᵀ·B with `accumulate`), 4×4 tiles, without forming Aᵀ:
 * a tile reads 4 adjacent columns of A and 4 of B, one row of each per step.
 */
export function matmulTNKernel(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  for (let i = 0; i < m; i += 4) {
    const rows = m - i < 4 ? m - i : 4;
    // Offsets of the tile's columns in a row of A (rows of C); past the edge they repeat the last.
    const q1 = rows > 1 ? 1 : 0, q2 = rows > 2 ? 2 : q1, q3 = rows > 3 ? 3 : q2;
    for (let j = 0; j < n; j += 4) {
      const cols = n - j < 4 ? n - j : 4;
      const o1 = cols > 1 ? 1 : 0, o2 = cols > 2 ? 2 : o1, o3 = cols > 3 ? 3 : o2;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let p = 0, pa = i, pb = j; p < k; p++, pa += m, pb += n) {
        const b0 = B[pb], b1 = B[pb + o1], b2 = B[pb + o2], b3 = B[pb + o3];
        let a = A[pa];
        s00 += a * b0; s01 += a * b1; s02 += a * b2; s03 += a * b3;
        a = A[pa + q1];
        s10 += a * b0; s11 += a * b1; s12 += a * b2; s13 += a * b3;
        a = A[pa + q2];
        s20 += a * b0; s21 += a * b1; s22 += a * b2; s23 += a * b3;
        a = A[pa + q3];
        s30 += a * b0; s31 += a * b1; s32 += a * b2; s33 += a * b3;
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
 * C = A·Bᵀ  [m×k]·[n×k]ᵀ → [m×n] (C += A·Bᵀ with `accumulate`), 4×4 tiles, without forming Bᵀ:
 * every entry is a dot product of a row of A and a row of B, and a tile runs along 4 rows of each.
 */
export function matmulNTKernel(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  for (let j = 0; j < n; j += 4) {
    const cols = n - j < 4 ? n - j : 4;
    // Starts of the tile's rows of B (columns of C); past the edge they repeat the last.
    const t0 = j * k, t1 = cols > 1 ? t0 + k : t0, t2 = cols > 2 ? t1 + k : t1, t3 = cols > 3 ? t2 + k : t2;
    for (let i = 0; i < m; i += 4) {
      const rows = m - i < 4 ? m - i : 4;
      const r0 = i * k, r1 = rows > 1 ? r0 + k : r0, r2 = rows > 2 ? r1 + k : r1, r3 = rows > 3 ? r2 + k : r2;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let p = 0; p < k; p++) {
        const b0 = B[t0 + p], b1 = B[t1 + p], b2 = B[t2 + p], b3 = B[t3 + p];
        let a = A[r0 + p];
        s00 += a * b0; s01 += a * b1; s02 += a * b2; s03 += a * b3;
        a = A[r1 + p];
        s10 += a * b0; s11 += a * b1; s12 += a * b2; s13 += a * b3;
        a = A[r2 + p];
        s20 += a * b0; s21 += a * b1; s22 += a * b2; s23 += a * b3;
        a = A[r3 + p];
        s30 += a * b0; s31 += a * b1; s32 += a * b2; s33 += a * b3;
      }
      const c = i * n + j;
      storeRow(C, c, cols, accumulate, s00, s01, s02, s03);
      if (rows > 1) storeRow(C, c + n, cols, accumulate, s10, s11, s12, s13);
      if (rows > 2) storeRow(C, c + 2 * n, cols, accumulate, s20, s21, s22, s23);
      if (rows > 3) storeRow(C, c + 3 * n, cols, accumulate, s30, s31, s32, s33);
    }
  }
}

/** Reference C = A·B  [m×k]·[k×n] (C += A·B with `accumulate`): cᵢⱼ = Σₚ aᵢₚ bₚⱼ, one entry at a time. */
export function matmulReference(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
      C[i * n + j] = accumulate ? C[i * n + j] + s : s;
    }
  }
}

/** Reference C = Aᵀ·B  [k×m]ᵀ·[k×n] (C += Aᵀ·B with `accumulate`): cᵢⱼ = Σₚ aₚᵢ bₚⱼ. */
export function matmulTNReference(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[p * m + i] * B[p * n + j];
      C[i * n + j] = accumulate ? C[i * n + j] + s : s;
    }
  }
}

/** Reference C = A·Bᵀ  [m×k]·[n×k]ᵀ (C += A·Bᵀ with `accumulate`): cᵢⱼ = Σₚ aᵢₚ bⱼₚ. */
export function matmulNTReference(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p] * B[j * k + p];
      C[i * n + j] = accumulate ? C[i * n + j] + s : s;
    }
  }
}
