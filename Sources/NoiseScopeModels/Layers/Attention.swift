/// Causal multi-head self-attention core (the part between the `qkv` and `proj`
/// Linears). Each row of qkv (B·T, 3C) holds [q | k | v]; head h uses columns
/// [h·hs, (h+1)·hs) of each, hs = C/H. For every (window, head) the scores
/// q·kᵀ/√hs are one gemm, the causal softmax runs row by row, and the weighted sum of
/// values is a second gemm, all reading q, k, v in place through the 3C row stride.
/// The gemms compute the full T×T block (the masked upper triangle is zeroed after),
/// which wastes half of these small products but keeps them in BLAS.

/// out (B·T, C) and att (B, H, T, T) (softmax weights, zero above the diagonal) from
/// qkv (B·T, 3C).
@inline(__always)
func attentionForward<T: BLASScalar>(
    _ out: UnsafeMutablePointer<T>, att: UnsafeMutablePointer<T>, qkv: UnsafePointer<T>,
    batch b: Int, context t: Int, dim c: Int, heads nh: Int
) {
    let hs = c / nh
    let scale = 1 / T(hs).squareRoot()
    for bi in 0..<b {
        for h in 0..<nh {
            let q = qkv + bi * t * 3 * c + h * hs
            let k = q + c, v = q + 2 * c
            let a = att + (bi * nh + h) * t * t
            T.gemm(transA: false, transB: true, m: t, n: t, k: hs,
                   alpha: scale, a: q, lda: 3 * c, b: k, ldb: 3 * c, beta: 0, c: a, ldc: t)
            for row in 0..<t {
                let r = a + row * t
                _ = softmaxInPlace(r, count: row + 1)
                (r + row + 1).update(repeating: 0, count: t - row - 1)
            }
            T.gemm(transA: false, transB: false, m: t, n: hs, k: t,
                   alpha: 1, a: a, lda: t, b: v, ldb: 3 * c, beta: 0,
                   c: out + bi * t * c + h * hs, ldc: c)
        }
    }
}

/// Backward of `attentionForward` for upstream dout (B·T, C): dqkv (B·T, 3C) is
/// OVERWRITTEN; `scratch` holds T×T scalars (the score gradients of one head).
@inline(__always)
func attentionBackward<T: BLASScalar>(
    dqkv: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<T>, dout: UnsafePointer<T>,
    qkv: UnsafePointer<T>, att: UnsafePointer<T>,
    batch b: Int, context t: Int, dim c: Int, heads nh: Int
) {
    let hs = c / nh
    let scale = 1 / T(hs).squareRoot()
    for bi in 0..<b {
        for h in 0..<nh {
            let base = bi * t * 3 * c + h * hs
            let q = qkv + base, k = q + c, v = q + 2 * c
            let dq = dqkv + base, dk = dq + c, dv = dq + 2 * c
            let a = att + (bi * nh + h) * t * t
            let dO = dout + bi * t * c + h * hs
            // dA = dO · vᵀ ; dv = Aᵀ · dO
            T.gemm(transA: false, transB: true, m: t, n: t, k: hs,
                   alpha: 1, a: dO, lda: c, b: v, ldb: 3 * c, beta: 0, c: scratch, ldc: t)
            T.gemm(transA: true, transB: false, m: t, n: hs, k: t,
                   alpha: 1, a: a, lda: t, b: dO, ldb: c, beta: 0, c: dv, ldc: 3 * c)
            // Through the causal softmax and the 1/√hs scale, in place: dS.
            for row in 0..<t {
                let r = scratch + row * t
                softmaxBackward(dz: r, p: a + row * t, dp: r, count: row + 1, scale: scale)
                (r + row + 1).update(repeating: 0, count: t - row - 1)
            }
            // dq = dS · k ; dk = dSᵀ · q
            T.gemm(transA: false, transB: false, m: t, n: hs, k: t,
                   alpha: 1, a: scratch, lda: t, b: k, ldb: 3 * c, beta: 0, c: dq, ldc: 3 * c)
            T.gemm(transA: true, transB: false, m: t, n: hs, k: t,
                   alpha: 1, a: scratch, lda: t, b: q, ldb: 3 * c, beta: 0, c: dk, ldc: 3 * c)
        }
    }
}
