/// GELU, tanh approximation (`torch.nn.functional.gelu(x, approximate="tanh")`):
/// gelu(x) = ½·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
///
/// Computed through the identity ½(1 + tanh u) = σ(2u) = 1/(1 + e^(−2u)): one `exp` and
/// one division per element, no sign handling, and saturating correctly at both ends
/// (e^(−2u) → ∞ gives σ → 0, → 0 gives σ → 1). The forward pass caches s = σ(2u) so the
/// backward pass needs no transcendental function:
/// gelu'(x) = s + 2·x·s·(1 − s)·√(2/π)·(1 + 3·0.044715·x²).

let geluScale = 0.7978845608028654  // √(2/π)
let geluCubic = 0.044715

/// out (n) = gelu(inp (n)) and sigmoidCache (n) = σ(2u), elementwise.
@inline(__always)
func geluForward<T: BLASScalar>(
    _ out: UnsafeMutablePointer<T>, sigmoidCache: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>, count n: Int
) {
    let k2 = T(-2 * geluScale), a = T(geluCubic)
    for i in 0..<n {
        let x = inp[i]
        let s = 1 / (1 + T.exp(k2 * (x + a * x * x * x)))
        sigmoidCache[i] = s
        out[i] = x * s
    }
}

/// dinp (n) = dout (n) · gelu'(inp), OVERWRITTEN (may alias dout); `sigmoidCache`
/// from the forward pass.
@inline(__always)
func geluBackward<T: BLASScalar>(
    dinp: UnsafeMutablePointer<T>, inp: UnsafePointer<T>, sigmoidCache: UnsafePointer<T>,
    dout: UnsafePointer<T>, count n: Int
) {
    let k2 = T(2 * geluScale), a3 = T(3 * geluCubic)
    for i in 0..<n {
        let x = inp[i], s = sigmoidCache[i]
        let local = s + k2 * x * s * (1 - s) * (1 + a3 * x * x)
        dinp[i] = local * dout[i]
    }
}
