import Foundation

/// Pickands' estimator of the extreme-value index from three order statistics:
/// γ̂ = log((X(k) − X(2k)) / (X(2k) − X(4k))) / log 2.
///
/// Valid for every sign of γ and free of the Pareto assumption, at the price
/// of a large variance; it is the cross-check on Hill and the moments estimator.
package enum PickandsEstimator {
    /// Largest admissible k for n samples (needs X(4k)).
    package static func maximumK(n: Int) -> Int { n / 4 }

    /// The estimate at k (1 ≤ k ≤ n/4), with the asymptotic normal 95 % interval
    /// (see `variance`).
    /// Returns nil when ties make the spacings zero.
    package static func estimate(_ data: OrderStatistics, k: Int) -> TailIndexEstimate? {
        precondition(k >= 1 && 4 * k <= data.count, "Pickands needs 1 ≤ k ≤ n/4")
        let upper = data.value(k) - data.value(2 * k)
        let lower = data.value(2 * k) - data.value(4 * k)
        guard upper > 0, lower > 0 else { return nil }
        let gamma = log(upper / lower) / log(2.0)
        let z = SpecialFunctions.normalQuantile(0.975)
        let halfWidth = z * (variance(gamma: gamma) / Double(k)).squareRoot()
        return TailIndexEstimate(k: k, gamma: gamma, gammaInterval95: ClosedInterval(gamma - halfWidth, gamma + halfWidth))
    }

    /// Asymptotic variance of √k(γ̂ − γ) (Dekkers & de Haan 1989).
    static func variance(gamma: Double) -> Double {
        let ln2 = log(2.0)
        if abs(gamma) < 1e-6 {
            // Limit γ → 0: (2^{2γ+1}+1)γ² / (2(2^γ−1) ln 2)² → 3 / (4 ln⁴ 2).
            return 3 / (4 * pow(ln2, 4))
        }
        let numerator = gamma * gamma * (pow(2, 2 * gamma + 1) + 1)
        let denominator = pow(2 * (pow(2, gamma) - 1) * ln2, 2)
        return numerator / denominator
    }
}
