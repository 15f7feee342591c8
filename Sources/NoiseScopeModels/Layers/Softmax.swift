/// Row softmax, shared by the attention weights and the cross-entropy head. Written
/// as separate max / exp / sum / scale passes so that each pass is vector code (see
/// `Reductions.swift`).

/// z (count) → softmax(z) in place; returns the row maximum and Σ exp(z − max), from
/// which log-sum-exp = max + log(sum) follows without a second pass.
@inline(__always)
func softmaxInPlace<T: BLASScalar>(_ z: UnsafeMutablePointer<T>, count n: Int) -> (max: T, sum: T) {
    let m = vectorMax(z, count: n)
    for i in 0..<n { z[i] = T.exp(z[i] - m) }
    let s = vectorSum(z, count: n)
    let inv = 1 / s
    for i in 0..<n { z[i] *= inv }
    return (m, s)
}

/// Backward of a row softmax p (count) for upstream dp: dz = p ⊙ (dp − ⟨p, dp⟩) · scale,
/// written into `dz` (which may alias `dp`).
@inline(__always)
func softmaxBackward<T: BLASScalar>(
    dz: UnsafeMutablePointer<T>, p: UnsafePointer<T>, dp: UnsafePointer<T>, count n: Int, scale: T
) {
    let dot = vectorDot(p, dp, count: n)
    for i in 0..<n { dz[i] = p[i] * (dp[i] - dot) * scale }
}
