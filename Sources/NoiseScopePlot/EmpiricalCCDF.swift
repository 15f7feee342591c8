import Foundation

/// The empirical complementary CDF, P(X ≥ x), of a sample, with deterministic thinning for
/// plotting large samples.
package struct EmpiricalCCDF {
    /// Distinct finite sample values, ascending.
    package let values: [Double]
    /// P(X ≥ values[i]): the fraction of finite samples at least `values[i]`.
    package let probabilities: [Double]
    /// Number of finite samples (the denominator of every probability).
    package let sampleCount: Int
    /// Samples that were NaN or ±∞.
    package let nonFiniteCount: Int

    package init(samples: [Double]) {
        let sorted = samples.filter(\.isFinite).sorted()
        nonFiniteCount = samples.count - sorted.count
        sampleCount = sorted.count
        var values: [Double] = [], probabilities: [Double] = []
        let n = Double(sorted.count)
        for (i, value) in sorted.enumerated() where i == 0 || sorted[i - 1] != value {
            values.append(value)
            probabilities.append(Double(sorted.count - i) / n)
        }
        self.values = values
        self.probabilities = probabilities
    }

    /// P(X ≥ threshold) for the sample (0 when there are no samples).
    package func probability(atLeast threshold: Double) -> Double {
        guard sampleCount > 0 else { return 0 }
        // First index whose value is ≥ threshold.
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] < threshold { lo = mid + 1 } else { hi = mid }
        }
        return lo < values.count ? probabilities[lo] : 0
    }

    /// The positive points of the curve, at most about `maximumPoints` of them.
    ///
    /// The `exactTailCount` largest values (the extreme tail, where every point matters for
    /// judging the tail) are always kept. The rest are thinned by walking from the smallest
    /// value and keeping a point only once it has moved a fixed distance from the last kept
    /// point in the plot's own coordinates (log x, log P, each scaled to [0, 1]); the distance
    /// is the curve's length divided by the point budget, so kept points are spread evenly
    /// along the curve as it will be seen. The smallest value is always kept. The result
    /// depends only on the data.
    package func thinnedPositivePoints(maximumPoints: Int = 2000, exactTailCount: Int = 500) -> (x: [Double], p: [Double]) {
        let positive = values.indices.filter { values[$0] > 0 }
        guard positive.count > maximumPoints else {
            return (positive.map { values[$0] }, positive.map { probabilities[$0] })
        }
        let tailStart = positive.count - min(exactTailCount, maximumPoints / 2)
        let head = Array(positive[..<tailStart])
        let budget = maximumPoints - (positive.count - tailStart)

        let logX = positive.map { log10(values[$0]) }, logP = positive.map { log10(probabilities[$0]) }
        let xSpan = max(logX.last! - logX.first!, 1e-12), pSpan = max(logP.first! - logP.last!, 1e-12)
        func point(_ i: Int) -> (Double, Double) { (logX[i] / xSpan, logP[i] / pSpan) }
        func distance(_ a: Int, _ b: Int) -> Double {
            let (ax, ay) = point(a), (bx, by) = point(b)
            return ((ax - bx) * (ax - bx) + (ay - by) * (ay - by)).squareRoot()
        }
        var length = 0.0
        for i in head.indices.dropFirst() { length += distance(i - 1, i) }
        let step = length / Double(max(1, budget - 1))

        var kept = [0]
        for i in head.indices.dropFirst() where distance(kept[kept.count - 1], i) >= step && kept.count < budget {
            kept.append(i)
        }
        let indices = kept.map { head[$0] } + Array(positive[tailStart...])
        return (indices.map { values[$0] }, indices.map { probabilities[$0] })
    }
}
