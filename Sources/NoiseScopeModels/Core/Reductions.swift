/// Floating-point reductions with eight independent partial sums. Swift (rightly)
/// never reassociates floating-point arithmetic, so a plain `s += p[i]` loop is one
/// long dependency chain that cannot be vectorised; these helpers reassociate
/// explicitly (SIMD8 lanes, then a horizontal sum), which is what makes the softmax and
/// LayerNorm loops vector code. The summation order is fixed, so results are
/// deterministic.

@inline(__always)
func loadSIMD8<T: BLASScalar>(_ p: UnsafePointer<T>, _ i: Int) -> SIMD8<T> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<T>.self)
}

/// Σ p[0..<n].
@inline(__always)
func vectorSum<T: BLASScalar>(_ p: UnsafePointer<T>, count n: Int) -> T {
    var acc = SIMD8<T>()
    var i = 0
    while i + 8 <= n {
        acc += loadSIMD8(p, i)
        i += 8
    }
    var s = acc.sum()
    while i < n {
        s += p[i]
        i += 1
    }
    return s
}

/// Σ a[i]·b[i] over 0..<n.
@inline(__always)
func vectorDot<T: BLASScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count n: Int) -> T {
    var acc = SIMD8<T>()
    var i = 0
    while i + 8 <= n {
        acc += loadSIMD8(a, i) * loadSIMD8(b, i)
        i += 8
    }
    var s = acc.sum()
    while i < n {
        s += a[i] * b[i]
        i += 1
    }
    return s
}

/// max p[0..<n] (n ≥ 1; NaN-free input assumed). Eight independent running maxima
/// (plain scalars: Swift's SIMD mask comparisons lower to slow per-lane code, while
/// these eight chains become packed `max` instructions).
@inline(__always)
func vectorMax<T: BLASScalar>(_ p: UnsafePointer<T>, count n: Int) -> T {
    var m0 = p[0], m1 = p[0], m2 = p[0], m3 = p[0], m4 = p[0], m5 = p[0], m6 = p[0], m7 = p[0]
    var i = 0
    while i + 8 <= n {
        m0 = Swift.max(m0, p[i])
        m1 = Swift.max(m1, p[i + 1])
        m2 = Swift.max(m2, p[i + 2])
        m3 = Swift.max(m3, p[i + 3])
        m4 = Swift.max(m4, p[i + 4])
        m5 = Swift.max(m5, p[i + 5])
        m6 = Swift.max(m6, p[i + 6])
        m7 = Swift.max(m7, p[i + 7])
        i += 8
    }
    var m = Swift.max(Swift.max(Swift.max(m0, m1), Swift.max(m2, m3)), Swift.max(Swift.max(m4, m5), Swift.max(m6, m7)))
    while i < n {
        m = Swift.max(m, p[i])
        i += 1
    }
    return m
}
