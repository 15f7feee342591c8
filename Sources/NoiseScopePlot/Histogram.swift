import NoiseScopeCore
import Foundation

/// Binned counts of a sample, ready to be drawn with `Series.histogram`.
///
/// The binning happens when the value is created, so callers (and tests) can inspect edges,
/// counts and densities before anything is drawn. Non-finite samples are left out and counted in
/// `dropped.nonFinite`; with logarithmic spacing, zeros and negatives are left out and counted
/// in `dropped.nonPositiveOnLogAxis`.
package struct Histogram: Sendable, Equatable {
    /// How the bin edges are chosen.
    package enum Binning: Sendable, Equatable {
        /// Equal-width bins of about `2·IQR·n^(−1/3)` (Freedman–Diaconis), robust to outliers.
        /// Falls back to Sturges' rule (`⌈log₂ n⌉ + 1` bins) when the IQR is zero, and is capped
        /// at `Histogram.maximumAutomaticBinCount` bins.
        case freedmanDiaconis
        /// This many equal-width bins between the smallest and largest sample.
        case count(Int)
        /// Explicit, increasing edges; samples outside them are not counted
        /// (see `outsideEdgesCount`). Invalid edges fall back to Freedman–Diaconis.
        case edges([Double])
    }

    /// Whether bins are equally wide in x or in log₁₀ x.
    package enum Spacing: Sendable, Equatable {
        case linear
        /// Bins are chosen (and densities measured) on log₁₀ of the samples, for data spanning
        /// several decades and shown on a log x-axis. Densities are then per decade, so that they
        /// integrate to 1 over log₁₀ x.
        case logarithmic
    }

    /// What the bar heights show.
    package enum Normalization: Sendable, Equatable {
        /// Number of samples in each bin.
        case count
        /// Count divided by (number of counted samples × bin width), so the bars integrate to 1.
        case density
    }

    /// Upper limit on the number of bins chosen automatically, so a heavy tail stretching the
    /// range cannot produce thousands of invisible bars.
    package static let maximumAutomaticBinCount = 200

    /// Bin edges, ascending; `counts.count + 1` of them (empty when nothing could be binned).
    package let edges: [Double]
    /// Samples per bin; each bin is `[edges[i], edges[i+1])`, the last one also includes its
    /// right edge.
    package let counts: [Int]
    package let spacing: Spacing
    package let normalization: Normalization
    /// Samples that could not be binned (NaN/Inf, or ≤ 0 with logarithmic spacing).
    package let dropped: DroppedPoints
    /// Valid samples that fell outside explicit edges.
    package let outsideEdgesCount: Int

    /// Bins `samples` with the given rule, spacing and normalisation.
    package init(samples: [Double], binning: Binning = .freedmanDiaconis, spacing: Spacing = .linear,
                normalization: Normalization = .density) {
        self.spacing = spacing
        self.normalization = normalization
        let finite = samples.filter(\.isFinite)
        let usable = spacing == .linear ? finite : finite.filter { $0 > 0 }
        dropped = DroppedPoints(nonFinite: samples.count - finite.count,
                                nonPositiveOnLogAxis: finite.count - usable.count)
        // Work in the binning variable: x itself, or log10 x.
        let values = spacing == .linear ? usable : usable.map { Foundation.log10($0) }
        let transformedEdges = Histogram.binEdges(values, binning: binning, spacing: spacing)
        let binned = Histogram.count(values, edges: transformedEdges)
        counts = binned.counts
        outsideEdgesCount = binned.outside
        edges = spacing == .linear ? transformedEdges : transformedEdges.map { Foundation.pow(10, $0) }
    }

    /// Bar heights: counts, or densities per unit x (per decade with logarithmic spacing).
    package var values: [Double] {
        switch normalization {
        case .count:
            return counts.map(Double.init)
        case .density:
            let total = Double(counts.reduce(0, +))
            guard total > 0 else { return counts.map { _ in 0 } }
            return counts.indices.map { i in
                Double(counts[i]) / (total * binWidth(i))
            }
        }
    }

    /// Width of bin `i` in the binning variable (x, or log₁₀ x with logarithmic spacing).
    func binWidth(_ i: Int) -> Double {
        spacing == .linear ? edges[i + 1] - edges[i] : Foundation.log10(edges[i + 1]) - Foundation.log10(edges[i])
    }

    /// The Freedman–Diaconis bin width `2·IQR·n^(−1/3)` of the finite samples, with quartiles by
    /// linear interpolation between order statistics (the default of R and NumPy). `nil` when
    /// there are fewer than two finite samples or the IQR is zero.
    package static func freedmanDiaconisWidth(_ samples: [Double]) -> Double? {
        let sorted = samples.filter(\.isFinite).sorted()
        guard sorted.count >= 2 else { return nil }
        let iqr = quantile(ofSorted: sorted, probability: 0.75) - quantile(ofSorted: sorted, probability: 0.25)
        let width = 2 * iqr * Foundation.pow(Double(sorted.count), -1.0 / 3.0)
        return width > 0 && width.isFinite ? width : nil
    }

    /// Edges in the binning variable for `values` under `binning`.
    private static func binEdges(_ values: [Double], binning: Binning, spacing: Spacing) -> [Double] {
        if case .edges(let given) = binning {
            var edges = given.filter(\.isFinite)
            if spacing == .logarithmic { edges = edges.filter { $0 > 0 }.map { Foundation.log10($0) } }
            edges = Array(Set(edges)).sorted()
            if edges.count >= 2 { return edges }
        }
        guard let low = values.min(), let high = values.max() else { return [] }
        guard high > low else { return [low - 0.5, low + 0.5] }
        let binCount: Int
        if case .count(let requested) = binning {
            binCount = max(1, requested)
        } else if let width = freedmanDiaconisWidth(values) {
            binCount = min(maximumAutomaticBinCount, max(1, Int(((high - low) / width).rounded(.up))))
        } else {
            binCount = Int(Foundation.log2(Double(values.count)).rounded(.up)) + 1
        }
        let width = (high - low) / Double(binCount)
        return (0...binCount).map { $0 == binCount ? high : low + Double($0) * width }
    }

    /// Counts per bin by binary search; the last bin is closed on the right.
    private static func count(_ values: [Double], edges: [Double]) -> (counts: [Int], outside: Int) {
        guard edges.count >= 2 else { return ([], 0) }
        var counts = [Int](repeating: 0, count: edges.count - 1)
        var outside = 0
        for value in values {
            guard value >= edges[0], value <= edges[edges.count - 1] else { outside += 1; continue }
            // Largest i with edges[i] <= value, capped to the last bin.
            var lo = 0, hi = edges.count - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if edges[mid] <= value { lo = mid } else { hi = mid }
            }
            counts[min(lo, counts.count - 1)] += 1
        }
        return (counts, outside)
    }
}
