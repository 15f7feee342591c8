/// Linear (fully connected) layer, `torch.nn.Linear` convention: the weight is stored
/// `[out, in]` row-major and `out = inp · weightᵀ + bias`. Both directions are BLAS
/// calls (`T.gemm`), which is where almost all of a model's FLOPs go.

/// out (N, OC) = inp (N, C) · weightᵀ (C, OC) + bias (OC); bias may be nil.
@inline(__always)
func linearForward<T: BLASScalar>(
    _ out: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>,
    _ weight: UnsafePointer<T>, _ bias: UnsafePointer<T>?,
    rows n: Int, inDim c: Int, outDim oc: Int
) {
    var beta: T = 0
    if let bias {
        // Seed the output with the bias and let gemm accumulate onto it (one pass less).
        for r in 0..<n { (out + r * oc).update(from: bias, count: oc) }
        beta = 1
    }
    T.gemm(transA: false, transB: true, m: n, n: oc, k: c,
           alpha: 1, a: inp, lda: c, b: weight, ldb: c, beta: beta, c: out, ldc: oc)
}

/// Backward of `linearForward` for upstream gradient dout (N, OC):
/// dinp (N, C) = dout · weight is OVERWRITTEN (skipped when nil, e.g. for the first
/// layer on raw pixels); dweight (OC, C) += doutᵀ · inp and dbias (OC) += Σ_rows dout
/// ACCUMULATE, so parameter gradients of shared weights (the tied `wte`) add up.
/// With `groups`, each group of N/count rows accumulates into its own dweight and
/// dbias (one gemm with K = N/count per group).
@inline(__always)
func linearBackward<T: BLASScalar>(
    dinp: UnsafeMutablePointer<T>?, dweight: UnsafeMutablePointer<T>, dbias: UnsafeMutablePointer<T>?,
    dout: UnsafePointer<T>, inp: UnsafePointer<T>, weight: UnsafePointer<T>,
    rows n: Int, inDim c: Int, outDim oc: Int, groups: GradientGroups = .single
) {
    if let dinp {
        T.gemm(transA: false, transB: false, m: n, n: c, k: oc,
               alpha: 1, a: dout, lda: oc, b: weight, ldb: c, beta: 0, c: dinp, ldc: c)
    }
    let k = groups.rowsPerGroup(n)
    for e in 0..<groups.count {
        let rows = e * k
        T.gemm(transA: true, transB: false, m: oc, n: c, k: k,
               alpha: 1, a: dout + rows * oc, lda: oc, b: inp + rows * c, ldb: c, beta: 1,
               c: dweight + e * groups.stride, ldc: c)
        if let dbias {
            let db = dbias + e * groups.stride
            for r in rows..<(rows + k) {
                let row = dout + r * oc
                for o in 0..<oc { db[o] += row[o] }
            }
        }
    }
}
