import Foundation

/// A distribution-free confidence interval for a quantile, from order statistics.
///
/// Of n independent draws, the number B at or below the p-quantile ξ_p is
/// Binomial(n, p) (for a continuous distribution), so the interval between the
/// j-th and k-th smallest draws, [X_(j), X_(k)], covers ξ_p with probability
/// P(j ≤ B ≤ k − 1) = F(k − 1) − F(j − 1), F the Binomial(n, p) distribution
/// function, whatever the distribution of the draws. Each end takes at most
/// half of 1 − level: j is the largest order with F(j − 1) ≤ (1 − level)/2,
/// k the smallest with F(k − 1) ≥ (1 + level)/2; the coverage is then at
/// least `level`, exactly, with no normal approximation (the high quantiles of
/// a heavy-tailed simulation rest on a handful of draws, where one fails).
///
/// Used for the simulation's (1 − δ)-quantiles of the final error: at δ = 0.001
/// and R = 5000 replicates, the interval runs from the 11th largest error to
/// the largest, which says how little those 5 replicates pin the quantile down.
package enum QuantileInterval {
    /// The 1-based orders (j, k) of the interval's ends among n sorted draws; nil
    /// for an end that n draws cannot supply at this level (j < 1 or k > n).
    package static func orders(count n: Int, probability p: Double, level: Double = 0.95) -> (lower: Int?, upper: Int?) {
        precondition(n >= 1 && p > 0 && p < 1 && level > 0 && level < 1, "need n ≥ 1, p and level in (0, 1)")
        let alpha = (1 - level) / 2
        // F(i) = P(B ≤ i), summed from the binomial probabilities kept in log
        // space (log P(B = i + 1) = log P(B = i) + log((n − i)/(i + 1)) + log(p/q)),
        // so that n in the millions neither overflows nor underflows.
        let logOdds = log(p) - log1p(-p)
        var logProbability = Double(n) * log1p(-p)   // log P(B = 0)
        var cdf = 0.0
        var lower: Int?, upper: Int?
        for i in 0..<n {
            if i > 0 { logProbability += log(Double(n - i + 1) / Double(i)) + logOdds }
            cdf += exp(logProbability)
            // cdf = F(i) = F(j − 1) for j = i + 1.
            if cdf <= alpha { lower = i + 1 }
            if upper == nil && cdf >= 1 - alpha { upper = i + 1; break }
        }
        return (lower, upper)
    }

    /// The interval's ends for the p-quantile of `sorted` (ascending); nil for an
    /// end the sample cannot supply (see `orders`).
    package static func bounds(ofSorted sorted: [Double], probability p: Double, level: Double = 0.95) -> (lower: Double?, upper: Double?) {
        guard !sorted.isEmpty else { return (nil, nil) }
        let (j, k) = orders(count: sorted.count, probability: p, level: level)
        return (j.map { sorted[$0 - 1] }, k.map { sorted[$0 - 1] })
    }
}
