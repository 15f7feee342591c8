import NoiseScopeCore
import CGSL
import Foundation

/// How far n draws reach into a case's tail, for the two kinds whose truth is
/// decided by construction beyond the body: a light body with a thin power law
/// above it, and a power law bent by an exponential cutoff. The feature that
/// sets their truth (the power law, the cutoff) shows only in the draws where
/// it dominates. A case whose n draws are expected to put fewer than
/// `visibleDraws` there is judged, within reach, by what the draws show. The
/// count is a convention of detectability, not a theorem: a sample with no
/// such draw is one of a law of the other truth (the mixture with its Pareto
/// part truncated at the crossing, which is light), and a handful of draws
/// cannot be told from the body's own extremes; docs/check.md shows the
/// precisions at 1, 3.5 and 10. Only these two kinds are judged this way.
package enum TailReach {
    /// Fewer expected draws than this in the feature's range: beyond the reach of n
    /// (at 3.5 expected draws a sample has none e^−3.5 ≈ 3 % of the time).
    package static let visibleDraws = 3.5

    /// The draws among n expected where the case's deciding feature dominates:
    /// for a body with a Pareto tail, the Pareto draws above the point where the
    /// Pareto part's survival overtakes the body's for good; for a cutoff power
    /// law, the draws above 1 + λ·log 2, where the cutoff has halved the power
    /// law's density. Nil for every other kind (its truth needs no reach).
    package static func featureDraws(_ distribution: BatteryDistribution, n: Int) -> Double? {
        switch distribution {
        case let .bodyWithParetoTail(body, fraction, alpha):
            return paretoDrawsAboveBody(body: body, fraction: fraction, alpha: alpha, n: n)
        case .synthetic(.chiBodyParetoTail(let alpha)):
            return paretoDrawsAboveBody(body: .gaussianNorm(dimension: 10), fraction: 0.05, alpha: alpha, n: n)
        case let .cutoffPowerLaw(alpha, lambda):
            return Double(n) * cutoffSurvival(1 + lambda * log(2), alpha: alpha, lambda: lambda)
        default:
            return nil
        }
    }

    /// P(X > x) for the density ∝ x^(−α−1)·e^(−(x−1)/λ) on x ≥ 1: Γ(−α, x/λ)/Γ(−α, 1/λ)
    /// (GSL's incomplete gamma function, which takes a negative first argument).
    package static func cutoffSurvival(_ x: Double, alpha: Double, lambda: Double) -> Double {
        _ = GSLErrorHandling.disabled
        guard x > 1 else { return 1 }
        var above = gsl_sf_result(), all = gsl_sf_result()
        guard gsl_sf_gamma_inc_e(-alpha, x / lambda, &above) == GSL_SUCCESS,
              gsl_sf_gamma_inc_e(-alpha, 1 / lambda, &all) == GSL_SUCCESS, all.val > 0 else { return .nan }
        return above.val / all.val
    }

    /// P(X > x) of the bodies the mixtures use (GSL's distribution functions); nil for another body.
    package static func bodySurvival(_ body: SyntheticDistribution, _ x: Double) -> Double? {
        switch body {
        case .exponential: return gsl_cdf_exponential_Q(x, 1)
        case .halfNormal: return 2 * gsl_cdf_ugaussian_Q(x)
        case .gamma(let shape): return gsl_cdf_gamma_Q(x, shape, 1)
        case .gaussianNorm(let dimension): return gsl_cdf_chisq_Q(x * x, Double(dimension))
        case .lognormal(let sigma): return gsl_cdf_lognormal_Q(x, 0, sigma)
        default: return nil
        }
    }

    /// n·w·x_s^−α: the Pareto(α) draws (fraction w, above 1) expected above x_s, the
    /// largest x where w·x^−α = (1 − w)·S_body(x); above it the Pareto part holds most
    /// of the mass for good (every body here is lighter than a power law).
    static func paretoDrawsAboveBody(body: SyntheticDistribution, fraction w: Double, alpha: Double, n: Int) -> Double? {
        guard bodySurvival(body, 1) != nil else { return nil }
        // The Pareto part's lead: w·x^−α − (1 − w)·S_body(x), positive where it holds most of the mass.
        let lead = { (x: Double) -> Double in w * pow(x, -alpha) - (1 - w) * (bodySurvival(body, x) ?? .nan) }
        // Walk down from far out (where the Pareto part leads) to the last point where it does not.
        var upper = 1e12
        guard lead(upper) >= 0 else { return nil }
        var lower = upper
        while lower > 1, lead(lower) >= 0 { upper = lower; lower /= 1.05 }
        if lower <= 1 && lead(1) >= 0 { return Double(n) * w }
        guard let crossing = OneDimensionalSearch.root(of: lead, lower: max(lower, 1), upper: upper, tolerance: 1e-10) else { return nil }
        return Double(n) * w * pow(crossing, -alpha)
    }
}

extension CalibrationCase {
    /// The draws among n expected where the deciding feature shows (`TailReach`); nil when none decides.
    package func featureDraws(n: Int) -> Double? { TailReach.featureDraws(distribution, n: n) }

    /// The verdict a perfect rule gives from n draws, which reach only so far: a thin
    /// power law above a light body that fewer than `TailReach.visibleDraws` draws are
    /// expected to show is light within reach, and a cutoff that few draws show is
    /// the power law it bends (α as drawn). Every other case keeps its `truth`.
    package func truth(withinReachOf n: Int) -> TailVerdict {
        guard let draws = featureDraws(n: n), draws < TailReach.visibleDraws else { return truth }
        switch distribution {
        case .cutoffPowerLaw(let alpha, _): return alpha < 2 ? .infiniteVariance : .heavy
        default: return .light
        }
    }
}
