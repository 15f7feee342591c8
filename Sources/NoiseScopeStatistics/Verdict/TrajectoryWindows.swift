import NoiseScopeCore
import Foundation

/// Noise recorded along training, cut into consecutive windows of steps: the
/// distribution moves as the model trains, so one verdict pooled over the
/// whole run can mislead. Per window: quantiles, the verdict with its reason,
/// and the shift-invariant GPD bound; across windows: whether the level
/// drifts (non-stationarity) beyond what sampling explains.
package struct TrajectoryWindows: Codable, Sendable {
    package struct Window: Codable, Sendable {
        /// First and last label (training step) in the window.
        package var firstStep: Int
        package var lastStep: Int
        package var n: Int
        package var q10: Double
        package var median: Double
        package var q90: Double
        package var q99: Double
        package var verdict: TailVerdict
        package var reason: String
        /// α̂ and its 95 % interval, where the verdict's rule reached them.
        package var alpha: Double?
        package var alphaInterval95: ClosedInterval?

        enum CodingKeys: String, CodingKey {
            case n, q10, median, q90, q99, verdict, reason, alpha
            case firstStep = "first_step", lastStep = "last_step", alphaInterval95 = "alpha_ci95"
        }
    }

    package var windows: [Window]
    /// True when the window medians differ by more than 4 standard errors.
    package var nonStationary: Bool
    /// The largest difference of window medians in standard errors.
    package var medianDriftZ: Double

    enum CodingKeys: String, CodingKey {
        case windows
        case nonStationary = "non_stationary", medianDriftZ = "median_drift_z"
    }

    /// Cuts `samples` (in recording order, `steps[i]` the step of sample i) into
    /// `count` windows of equal size (at least 10 samples each).
    package static func analyse(_ samples: [Double], steps: [Int], count: Int = 4, rule: TailVerdictRule = TailVerdictRule()) -> TrajectoryWindows? {
        let pairs = zip(samples, steps).filter { $0.0.isFinite && $0.0 > 0 }
        let windows = min(count, pairs.count / 10)
        guard windows >= 1 else { return nil }
        var result: [Window] = []
        var medians: [(median: Double, standardError: Double)] = []
        for w in 0..<windows {
            let part = Array(pairs[(w * pairs.count / windows)..<((w + 1) * pairs.count / windows)])
            let values = part.map(\.0)
            let sorted = values.sorted()
            func q(_ p: Double) -> Double { quantile(ofSorted: sorted, probability: p) }
            let data = OrderStatistics(sortedDescending: sorted.reversed())
            let decision = rule.decide(data, n: values.count)
            result.append(Window(firstStep: part.first!.1, lastStep: part.last!.1, n: values.count, q10: q(0.1), median: q(0.5),
                                 q90: q(0.9), q99: q(0.99), verdict: decision.verdict, reason: decision.reason,
                                 alpha: decision.evidence.alpha, alphaInterval95: decision.evidence.alphaInterval95))
            // The standard error of a median: 1.2533 σ/√n for a normal body (a robust σ from the quartiles).
            let sigma = (q(0.75) - q(0.25)) / 1.349
            medians.append((q(0.5), 1.2533 * sigma / Double(values.count).squareRoot()))
        }
        var drift = 0.0
        for a in medians.indices { for b in medians.indices where b > a {
            let se = (medians[a].standardError * medians[a].standardError + medians[b].standardError * medians[b].standardError).squareRoot()
            if se > 0 { drift = max(drift, abs(medians[a].median - medians[b].median) / se) }
        } }
        return TrajectoryWindows(windows: result, nonStationary: drift > 4, medianDriftZ: drift)
    }
}
