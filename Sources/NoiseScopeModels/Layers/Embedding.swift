/// Input embeddings of the text models: a token lookup in `wte` (V, C) plus a learned
/// position vector from `wpe` (T, C). The Gaussian-input variant replaces the lookup
/// by given input vectors and keeps the positions, so the two halves are separate
/// functions.

/// out (B·T, C) = wte[tokens[b, t]] + wpe[t], tokens (B·T) row-major by window.
@inline(__always)
func embeddingForward<T: BLASScalar>(
    _ out: UnsafeMutablePointer<T>, tokens: UnsafePointer<Int32>,
    wte: UnsafePointer<T>, wpe: UnsafePointer<T>, batch b: Int, context t: Int, dim c: Int
) {
    for r in 0..<(b * t) {
        (out + r * c).update(from: wte + Int(tokens[r]) * c, count: c)
    }
    positionAddForward(out, wpe: wpe, batch: b, context: t, dim: c)
}

/// dwte (V, C) += scatter of dout (B·T, C) by token; dwpe (T, C) += Σ_b dout[b, t]
/// (with `groups`, row r into group r/(B·T/count)'s dwte and dwpe).
@inline(__always)
func embeddingBackward<T: BLASScalar>(
    dwte: UnsafeMutablePointer<T>, dwpe: UnsafeMutablePointer<T>, dout: UnsafePointer<T>,
    tokens: UnsafePointer<Int32>, batch b: Int, context t: Int, dim c: Int, groups: GradientGroups = .single
) {
    let perGroup = groups.rowsPerGroup(b * t)
    for r in 0..<(b * t) {
        let row = dout + r * c
        let dst = dwte + r / perGroup * groups.stride + Int(tokens[r]) * c
        for i in 0..<c { dst[i] += row[i] }
    }
    positionAddBackward(dwpe: dwpe, dout: dout, batch: b, context: t, dim: c, groups: groups)
}

/// x (B·T, C) += wpe[t] (in place): the position half of the embedding.
@inline(__always)
func positionAddForward<T: BLASScalar>(
    _ x: UnsafeMutablePointer<T>, wpe: UnsafePointer<T>, batch b: Int, context t: Int, dim c: Int
) {
    for bi in 0..<b {
        for ti in 0..<t {
            let row = x + (bi * t + ti) * c
            let pos = wpe + ti * c
            for i in 0..<c { row[i] += pos[i] }
        }
    }
}

/// dwpe (T, C) += Σ_b dout[b, t] (with `groups`, row r into group r/(B·T/count)'s
/// dwpe); the gradient w.r.t. the input vectors is not needed (they are data, not
/// parameters).
@inline(__always)
func positionAddBackward<T: BLASScalar>(
    dwpe: UnsafeMutablePointer<T>, dout: UnsafePointer<T>, batch b: Int, context t: Int, dim c: Int,
    groups: GradientGroups = .single
) {
    let perGroup = groups.rowsPerGroup(b * t)
    for bi in 0..<b {
        for ti in 0..<t {
            let r = bi * t + ti
            let row = dout + r * c
            let dst = dwpe + r / perGroup * groups.stride + ti * c
            for i in 0..<c { dst[i] += row[i] }
        }
    }
}
