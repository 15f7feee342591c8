import Foundation

/// Hill's estimator of the tail index from the k largest samples:
/// γ̂ = (1/k) Σ_{i≤k} log X(i) − log X(k+1), α̂ = 1/γ̂.
///
/// It is the maximum-likelihood estimator for an exact Pareto tail above
/// X(k+1), which gives an exact confidence interval: under Pareto,
/// k·γ̂/γ ~ Gamma(k, 1). The asymptotic interval α̂(1 ± 1.96/√k) is also
/// offered because it is what most papers quote.
package enum HillEstimator {
    /// The Hill estimate at k with its exact (Gamma) 95 % interval.
    package static func estimate(_ data: OrderStatistics, k: Int) -> TailIndexEstimate {
        let gamma = data.logExcessMoments(k: k).first
        return TailIndexEstimate(k: k, gamma: gamma, gammaInterval95: exactGammaInterval(gamma: gamma, k: k))
    }

    /// The exact 95 % interval for γ under a Pareto tail: γ ∈ [kγ̂/G(0.975), kγ̂/G(0.025)],
    /// G the Gamma(k, 1) quantiles from GSL.
    package static func exactGammaInterval(gamma: Double, k: Int, level: Double = 0.95) -> ClosedInterval {
        let tail = (1 - level) / 2
        let kk = Double(k)
        let upperQuantile = SpecialFunctions.gammaQuantile(1 - tail, shape: kk)
        let lowerQuantile = SpecialFunctions.gammaQuantile(tail, shape: kk)
        return ClosedInterval(kk * gamma / upperQuantile, kk * gamma / lowerQuantile)
    }

    /// The asymptotic 95 % interval for α: α̂ (1 ± z/√k), from √k(α̂ − α) → N(0, α²).
    package static func asymptoticAlphaInterval(alpha: Double, k: Int, level: Double = 0.95) -> ClosedInterval {
        let z = SpecialFunctions.normalQuantile(1 - (1 - level) / 2)
        let halfWidth = z * alpha / Double(k).squareRoot()
        return ClosedInterval(alpha - halfWidth, alpha + halfWidth)
    }

    /// The Hill plot: estimates at each k in `ks` (each in 1..<n).
    package static func path(_ data: OrderStatistics, ks: [Int]) -> [TailIndexEstimate] {
        ks.map { estimate(data, k: $0) }
    }

    /// About `count` values of k spaced evenly in log k over 1..<n, for plots.
    package static func logSpacedK(n: Int, count: Int = 200) -> [Int] {
        guard n > 2 else { return n == 2 ? [1] : [] }
        let top = log(Double(n - 1))
        var ks: [Int] = []
        for i in 0..<count {
            let k = Int(exp(top * Double(i) / Double(max(count - 1, 1))).rounded())
            if k >= 1 && k < n && ks.last != k { ks.append(k) }
        }
        return ks
    }
}
