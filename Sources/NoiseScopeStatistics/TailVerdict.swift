import Foundation

/// The answer to "is this tail heavy?", in the three words the papers use.
public enum TailVerdict: String, Codable, Sendable, CaseIterable {
    /// A power-law tail with α < 2 at 95 % confidence: infinite variance, the
    /// seeds' sense of heavy-tailed.
    case infiniteVariance = "infinite-variance"
    /// A power-law tail, but α < 2 is not established: finite variance likely.
    case heavy
    /// No significant power-law tail: concentrated, exponential-like or lighter.
    case light

    /// The decision rule, written out in the README ("The verdict").
    ///
    /// 1. A power-law tail needs two independent signs: the moment estimator's
    ///    extreme-value index γ̂ is positive with its 95 % interval above 0 (the
    ///    Fréchet domain; exponential, Gaussian-like and bounded tails have γ ≤ 0),
    ///    and CSN's power law beats the exponential on the tail (R > 0, p < 0.1).
    ///    Without both: `light`.
    /// 2. With both: `infinite-variance` if the upper 95 % bounds of α from Hill's
    ///    exact interval and from CSN (α̂ + 1.96σ) are both below 2; else `heavy`.
    public static func decide(hill: TailIndexEstimate, moments: TailIndexEstimate?, powerLaw: PowerLawFit?)
        -> (verdict: TailVerdict, reason: String)
    {
        guard let moments, let lowerGamma = moments.gammaInterval95.lower, lowerGamma > 0 else {
            return (.light, "the moment estimator's 95 % interval for γ reaches 0 or below: no significant power-law tail")
        }
        guard let powerLaw else {
            return (.light, "no power-law tail could be fitted (too few distinct values)")
        }
        let lr = powerLaw.versusExponential
        guard lr.R > 0, lr.p < 0.1 else {
            return (.light, "the power law does not beat an exponential on the tail (R = \(format(lr.R)), p = \(format(lr.p)))")
        }
        let csnUpper = powerLaw.alpha + 1.96 * powerLaw.sigma
        if let hillUpper = hill.alphaInterval95.upper, hillUpper < 2, csnUpper < 2 {
            return (.infiniteVariance, "power-law tail with α < 2 at 95 %: Hill upper bound \(format(hillUpper)), CSN upper bound \(format(csnUpper))")
        }
        var reason = "power-law tail (γ̂ > 0, beats exponential) but α < 2 is not established (CSN α̂ = \(format(powerLaw.alpha)) ± \(format(powerLaw.sigma)))"
        if powerLaw.versusLognormal.R <= 0 {
            reason += "; a lognormal fits the tail at least as well, so every moment may be finite"
        }
        return (.heavy, reason)
    }

    private static func format(_ x: Double) -> String {
        x.isFinite ? String(format: "%.3g", x) : "\(x)"
    }
}
