/// Residual connection: out = a + b. Its backward pass is the identity on both
/// branches; the models fuse it by letting every branch ACCUMULATE into one residual
/// gradient buffer (as `layerNormBackward` does), so `residualBackward` is the
/// reference form, used by the layer tests.

/// out (n) = a (n) + b (n); `out` may alias `a`.
@inline(__always)
func residualForward<T: BLASScalar>(
    _ out: UnsafeMutablePointer<T>, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count n: Int
) {
    for i in 0..<n { out[i] = a[i] + b[i] }
}

/// da (n) += dout, db (n) += dout.
@inline(__always)
func residualBackward<T: BLASScalar>(
    da: UnsafeMutablePointer<T>, db: UnsafeMutablePointer<T>, dout: UnsafePointer<T>, count n: Int
) {
    for i in 0..<n {
        da[i] += dout[i]
        db[i] += dout[i]
    }
}
