import Foundation

/// Vuong's likelihood-ratio test of the power law against an alternative on
/// the same tail (Clauset, Shalizi & Newman 2009, §5 and appendix C).
///
/// R = Σ_i (log p_powerlaw(x_i) − log p_alternative(x_i)); R > 0 favours the
/// power law. Under the null that both fit equally well, R/(σ√n) is
/// asymptotically standard normal, σ² the variance of the pointwise
/// differences, so the two-sided p-value is erfc(|R| / (σ√(2n))) (GSL's erfc).
/// A small p says the sign of R can be trusted.
public struct LikelihoodRatioTest: Codable, Equatable, Sendable {
    /// The log-likelihood ratio (power law minus alternative), summed over the tail.
    public var R: Double
    /// R / (σ √n): approximately N(0, 1) when the two models fit equally well.
    public var normalizedR: Double
    /// Two-sided significance of the sign of R.
    public var p: Double

    enum CodingKeys: String, CodingKey {
        case R, p
        case normalizedR = "normalized_R"
    }

    /// The test from pointwise log-likelihood differences.
    public init(pointwiseDifferences d: [Double]) {
        let n = Double(d.count)
        let total = d.reduce(0, +)
        let mean = total / n
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        self.init(total: total, variance: variance, count: n)
    }

    /// The test from the pointwise differences at a sample's distinct values,
    /// each counted `counts[i]` times (the discrete fit's tails are mostly ties).
    package init(differences d: [Double], counts: [Int]) {
        let n = Double(counts.reduce(0, +))
        var total = 0.0
        for (x, c) in zip(d, counts) { total += Double(c) * x }
        let mean = total / n
        var squares = 0.0
        for (x, c) in zip(d, counts) { squares += Double(c) * (x - mean) * (x - mean) }
        self.init(total: total, variance: squares / n, count: n)
    }

    private init(total: Double, variance: Double, count n: Double) {
        R = total
        if variance > 0 {
            let sigma = variance.squareRoot()
            normalizedR = total / (sigma * n.squareRoot())
            p = SpecialFunctions.erfc(abs(total) / (sigma * (2 * n).squareRoot()))
        } else {
            normalizedR = total == 0 ? 0 : (total > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude)
            p = total == 0 ? 1 : 0
        }
    }
}
