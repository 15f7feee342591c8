import Foundation

/// Hill's estimator with its leading bias removed, and the statistics the
/// verdict reads from the log-excesses over X(k+1).
///
/// For tails P(X > x) = C x^−α (1 + D x^{αρ} + …) (Hall's class), Hill's γ̂(k)
/// has bias ≈ γ β (n/k)^ρ/(1 − ρ). Caeiro, Gomes & Pestana (2005) remove it:
/// γ̄(k) = γ̂(k) (1 − β̂ (n/k)^ρ̂ / (1 − ρ̂)), with the second-order parameters
/// estimated once at a high level k₁ = ⌊n^0.995⌋: ρ̂ by Fraga Alves, Gomes &
/// de Haan (2003, τ = 0), β̂ by Gomes & Martins (2002). With ρ̂ and β̂ taken at
/// k₁ ≫ k, γ̄(k) keeps Hill's asymptotic variance γ²/k, so a plateau of γ̄
/// over k can be tested with Hill's covariance.
package struct SecondOrderParameters: Codable, Equatable, Sendable {
    /// ρ̂ ≤ 0: how fast the tail approaches a pure power law (0: slowly, e.g. log-gamma).
    package var rho: Double
    /// β̂: the scale of the second-order term.
    package var beta: Double
    /// The level k₁ they were estimated at.
    package var k: Int

    /// Estimates (ρ, β) at k₁ = min(n − 2, ⌊n^0.995⌋, largest usable).
    package static func estimate(_ data: OrderStatistics, n: Int, largestUsable: Int) -> SecondOrderParameters? {
        let k1 = min(n - 2, Int(pow(Double(n), 0.995)), largestUsable)
        guard k1 >= 10 else { return nil }
        let threshold = data.logValue(k1 + 1)
        var m1 = 0.0, m2 = 0.0, m3 = 0.0
        for i in 1...k1 {
            let e = data.logValue(i) - threshold
            m1 += e; m2 += e * e; m3 += e * e * e
        }
        let kk = Double(k1)
        m1 /= kk; m2 /= kk; m3 /= kk
        guard m1 > 0, m2 > 0, m3 > 0 else { return nil }
        let t = (log(m1) - 0.5 * log(m2 / 2)) / (0.5 * log(m2 / 2) - log(m3 / 6) / 3)
        let rho = -abs(3 * (t - 1) / (t - 3))
        guard rho.isFinite else { return nil }
        // U_i = i (log X(i) − log X(i+1)), the scaled log-spacings.
        var d = 0.0, d0 = 0.0, dRho = 0.0, d2Rho = 0.0
        for i in 1...k1 {
            let w = Double(i) / kk
            let u = Double(i) * (data.logValue(i) - data.logValue(i + 1))
            let power = pow(w, -rho)
            d += power; d0 += u; dRho += power * u; d2Rho += power * power * u
        }
        d /= kk; d0 /= kk; dRho /= kk; d2Rho /= kk
        let beta = pow(kk / Double(n), rho) * (d * d0 - dRho) / (d * dRho - d2Rho)
        guard beta.isFinite else { return nil }
        return SecondOrderParameters(rho: rho, beta: beta, k: k1)
    }

    /// The reduced-bias Hill estimate γ̄(k) of n samples.
    package func reducedBiasHill(_ data: OrderStatistics, n: Int, k: Int) -> Double {
        let hill = data.logExcessMoments(k: k).first
        return hill * (1 - beta * pow(Double(n) / Double(k), rho) / (1 - rho))
    }
}

extension MomentEstimator {
    /// The negative part of Dekkers, Einmahl & de Haan's moment estimator,
    /// g₋(k) = 1 − ½ (1 − M1²/M2)⁻¹, on the log-excesses over X(k+1). About 0
    /// for a power-law tail (√k·g₋ is then asymptotically standard normal);
    /// clearly negative when the log-excesses are lighter than exponential,
    /// as for lognormal, Weibull and every exponential-type tail.
    package static func negativePart(_ data: OrderStatistics, k: Int) -> Double {
        let (m1, m2) = data.logExcessMoments(k: k)
        guard m2 > 0 else { return -.infinity }
        return 1 - 0.5 / (1 - m1 * m1 / m2)
    }
}
