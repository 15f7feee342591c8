import Foundation

/// The answer to "is this tail heavy?": the three words the papers use, and
/// `inconclusive` when the data cannot tell. `TailVerdictRule` decides.
public enum TailVerdict: String, Codable, Sendable, CaseIterable {
    /// A power-law tail with α < 2 at 95 % confidence: infinite variance, the
    /// seeds' sense of heavy-tailed.
    case infiniteVariance = "infinite-variance"
    /// A power-law tail, but α < 2 is not established: finite variance likely.
    case heavy
    /// No significant power-law tail: concentrated, exponential-like or lighter.
    case light
    /// The evidence cannot separate the classes (too few samples, an unstable
    /// estimate, an interval straddling α = 2, a lognormal fitting as well):
    /// said instead of a wrong committed answer. The reason says which.
    case inconclusive
}

extension TailVerdict {
    /// What the verdict means under `rule`, in one line: the single wording
    /// that `check --help`, the report and the docs show.
    package func meaning(under rule: TailVerdictRule = TailVerdictRule()) -> String {
        switch self {
        case .infiniteVariance:
            return "a power-law tail with α < 2 at 95 % (n ≥ \(rule.minimumForInfiniteVariance))"
        case .heavy:
            return "a power-law tail with α ≥ 2 at 95 %, no heavier tail above it (n ≥ \(rule.minimumForHeavy))"
        case .light:
            return "no power-law tail: a shift-invariant generalised Pareto fit finds ξ < \(rule.lightXi) at 95 % (n ≥ \(rule.minimumForLight))"
        case .inconclusive:
            return "the data cannot tell, with the reason (n < \(rule.minimumSamples), the tail bends like a lognormal, the interval straddles 2, …)"
        }
    }
}
