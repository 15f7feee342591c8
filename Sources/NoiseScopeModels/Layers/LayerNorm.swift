/// Layer normalisation over the last dimension (eps 1e-5, as `torch.nn.LayerNorm`):
/// out = (x − mean) · rstd · weight + bias, rstd = 1/sqrt(var + eps) with the biased
/// variance. The per-row mean and rstd are cached for the backward pass.

/// LayerNorm epsilon used by every model (PyTorch's default).
let layerNormEpsilon = 1e-5

/// out (N, C), mean (N), rstd (N) from inp (N, C), weight (C), bias (C).
@inline(__always)
func layerNormForward<T: BLASScalar>(
    _ out: UnsafeMutablePointer<T>, mean: UnsafeMutablePointer<T>, rstd: UnsafeMutablePointer<T>,
    _ inp: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>,
    rows n: Int, dim c: Int
) {
    let invC = 1 / T(c)
    for r in 0..<n {
        let x = inp + r * c
        let y = out + r * c
        let m = vectorSum(x, count: c) * invC
        // Biased variance as E[(x − m)²]: y holds x − m for the moment (two-pass, stable).
        for i in 0..<c { y[i] = x[i] - m }
        let v = vectorDot(y, y, count: c) * invC
        let s = 1 / (v + T(layerNormEpsilon)).squareRoot()
        for i in 0..<c { y[i] = y[i] * s * weight[i] + bias[i] }
        mean[r] = m
        rstd[r] = s
    }
}

/// Backward of `layerNormForward` for upstream dout (N, C): dinp (N, C) ACCUMULATES
/// (the input is the residual stream, whose gradient also flows around the block);
/// dweight (C) and dbias (C) accumulate (row r into group r/(N/count)'s, with `groups`).
@inline(__always)
func layerNormBackward<T: BLASScalar>(
    dinp: UnsafeMutablePointer<T>, dweight: UnsafeMutablePointer<T>, dbias: UnsafeMutablePointer<T>,
    dout: UnsafePointer<T>, inp: UnsafePointer<T>, weight: UnsafePointer<T>,
    mean: UnsafePointer<T>, rstd: UnsafePointer<T>, rows n: Int, dim c: Int, groups: GradientGroups = .single
) {
    let invC = 1 / T(c)
    let perGroup = groups.rowsPerGroup(n)
    for r in 0..<n {
        let offset = r / perGroup * groups.stride
        let dweight = dweight + offset, dbias = dbias + offset
        let x = inp + r * c
        let g = dout + r * c
        let dx = dinp + r * c
        let m = mean[r], s = rstd[r]
        // Two reductions: mean of dnorm and mean of dnorm·norm, with dnorm = dout·weight
        // and norm = (x − mean)·rstd, formed in SIMD registers (dx is not free scratch).
        let mv = SIMD8<T>(repeating: m)
        var accD = SIMD8<T>(), accDN = SIMD8<T>()
        var j = 0
        while j + 8 <= c {
            let dn = loadSIMD8(g, j) * loadSIMD8(weight, j)
            accD += dn
            accDN += dn * (loadSIMD8(x, j) - mv)
            j += 8
        }
        var sumD = accD.sum(), sumDN = accDN.sum()
        while j < c {
            let dn = g[j] * weight[j]
            sumD += dn
            sumDN += dn * (x[j] - m)
            j += 1
        }
        let dnormMean = sumD * invC
        let dnormNormMean = sumDN * s * invC
        for i in 0..<c {
            let norm = (x[i] - m) * s
            dbias[i] += g[i]
            dweight[i] += norm * g[i]
            dx[i] += (g[i] * weight[i] - dnormMean - norm * dnormNormMean) * s
        }
    }
}
