/// The Dekkers–Einmahl–de Haan moment estimator of the extreme-value index:
/// γ̂ = M1 + 1 − ½ (1 − M1²/M2)⁻¹, with M1, M2 the first two moments of the
/// log-excesses over X(k+1).
///
/// Unlike Hill it is consistent for every sign of γ, so it can say "no power-law
/// tail" (γ ≤ 0: exponential-like or bounded tails); the verdict leans on that.
package enum MomentEstimator {
    /// The estimate at k (1 ≤ k < n) with its asymptotic 95 % interval.
    /// For γ ≥ 0 the asymptotic variance of √k(γ̂ − γ) is 1 + γ²; for γ < 0
    /// it is (1−γ)²(1−2γ)(1−γ+6γ²)/((1−3γ)(1−4γ)) (de Haan & Ferreira 2006, Thm 3.5.4).
    package static func estimate(_ data: OrderStatistics, k: Int) -> TailIndexEstimate? {
        let (m1, m2) = data.logExcessMoments(k: k)
        guard m2 > 0 else { return nil }
        let ratio = 1 - m1 * m1 / m2
        guard ratio > 0 else { return nil }
        let gamma = m1 + 1 - 0.5 / ratio
        let z = SpecialFunctions.normalQuantile(0.975)
        let halfWidth = z * (variance(gamma: gamma) / Double(k)).squareRoot()
        return TailIndexEstimate(k: k, gamma: gamma, gammaInterval95: ClosedInterval(gamma - halfWidth, gamma + halfWidth))
    }

    static func variance(gamma: Double) -> Double {
        if gamma >= 0 { return 1 + gamma * gamma }
        let g = gamma
        return (1 - g) * (1 - g) * (1 - 2 * g) * (1 - g + 6 * g * g) / ((1 - 3 * g) * (1 - 4 * g))
    }
}
