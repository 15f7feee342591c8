import CGSL
import Foundation

/// Whether the top m of the top k values are heavier than the rest: a light
/// body with a thinner, heavier power law above it, which a verdict fitted
/// lower down would miss. Under a Pareto tail above X(k+1) the spacings
/// i·(log X(i) − log X(i+1)), i = 1…k, are independent exponentials of one
/// mean (Rényi), so Hill(m) over the mean of the other k − m spacings is
/// F(2m, 2(k − m)): exact, whatever the tail index. Tails with a second-order
/// term (Student t, Fréchet, Burr, log-gamma) are lighter at the top, not heavier.
/// On the values themselves (`logScale` false) the same holds under an
/// exponential tail, i·(X(i) − X(i+1)): the test before `light`, which tails
/// lighter than exponential (half-normal, gamma, χ) pass, and a power law or a
/// lognormal above a light body do not.
package struct HeavierHigherUp: Codable, Equatable, Sendable {
    /// The m with the smallest p.
    package var m: Int
    /// Hill(m) over the mean of the lower k − m spacings.
    package var ratio: Double
    /// The smallest one-sided p over the m tried, times their number (Bonferroni).
    package var p: Double

    /// The test over the top k, trying each m in `ms` with 10 ≤ m ≤ k/2; nil when none fits.
    package static func test(_ data: OrderStatistics, k: Int, ms: [Int], logScale: Bool = true) -> HeavierHigherUp? {
        let tried = ms.filter { $0 >= 10 && 2 * $0 <= k }
        guard !tried.isEmpty, k < data.count else { return nil }
        // The first m spacings sum to Σ_{i≤m} x(i) − m·x(m+1): m·Hill(m) on logs.
        func spacingSum(_ m: Int) -> Double {
            if logScale { return Double(m) * data.logExcessMoments(k: m).first }
            let threshold = data.value(m + 1)
            var sum = 0.0
            for i in 1...m { sum += data.value(i) - threshold }
            return sum
        }
        let total = spacingSum(k)
        var best: HeavierHigherUp?
        for m in tried {
            let top = spacingSum(m)
            let rest = (total - top) / Double(k - m)
            guard rest > 0 else { continue }
            let ratio = (top / Double(m)) / rest
            let p = min(1, gsl_cdf_fdist_Q(ratio, 2 * Double(m), 2 * Double(k - m)) * Double(tried.count))
            if p < best?.p ?? .infinity { best = HeavierHigherUp(m: m, ratio: ratio, p: p) }
        }
        return best
    }
}
