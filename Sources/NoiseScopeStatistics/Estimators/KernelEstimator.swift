/// The kernel-type estimator of the extreme-value index (Csörgő, Deheuvels &
/// Mason 1985): a smoothly weighted Hill estimator,
/// γ̂ = Σ_{j<n} (j/n)·K_h(j/n)·(log X(j) − log X(j+1)) / ((1/n) Σ_{j<n} K_h(j/n)),
/// K_h(u) = K(u/h)/h. With the uniform kernel on (0, 1] it is Hill's estimator
/// at k = nh; a smooth kernel (the biweight, by default) makes the estimate far
/// less jumpy in h than Hill's is in k. Its asymptotic variance is
/// γ²·∫K² / (nh) (∫K² = 10/7 for the biweight), for γ > 0.
package enum KernelEstimator {
    package enum Kernel: String, Codable, Sendable {
        /// K(u) = 1 on (0, 1]: exactly Hill at k = nh.
        case uniform
        /// K(u) = (15/8)(1 − u²)² on (0, 1].
        case biweight

        func weight(_ u: Double) -> Double {
            guard u > 0 && u <= 1 else { return 0 }
            switch self {
            case .uniform: return 1
            case .biweight: let v = 1 - u * u; return 15.0 / 8 * v * v
            }
        }

        /// ∫₀¹ K(u)² du.
        var squaredIntegral: Double {
            switch self {
            case .uniform: return 1
            case .biweight: return 225.0 / 64 * 128 / 315
            }
        }
    }

    /// The estimate with bandwidth h = k/n (the same k as the other estimators,
    /// 1 ≤ k < n), with the asymptotic 95 % interval.
    package static func estimate(_ data: OrderStatistics, k: Int, kernel: Kernel = .biweight) -> TailIndexEstimate? {
        let n = data.count
        guard k >= 1 && k < n else { return nil }
        let nn = Double(n), h = Double(k) / nn
        var numerator = 0.0, normaliser = 0.0
        for j in 1..<min(n, k + 1) {
            let u = Double(j) / nn
            let weight = kernel.weight(u / h) / h
            guard weight > 0 else { continue }
            numerator += u * weight * (data.logValue(j) - data.logValue(j + 1))
            normaliser += weight / nn
        }
        guard normaliser > 0 else { return nil }
        let gamma = numerator / normaliser
        let z = SpecialFunctions.normalQuantile(0.975)
        let halfWidth = z * abs(gamma) * (kernel.squaredIntegral / Double(k)).squareRoot()
        return TailIndexEstimate(k: k, gamma: gamma, gammaInterval95: ClosedInterval(gamma - halfWidth, gamma + halfWidth))
    }
}
