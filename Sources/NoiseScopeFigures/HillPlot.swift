import NoiseScopeCore
import NoiseScopePlot
import Foundation
import NoiseScopeStatistics

extension HeavyTailFigures {
    /// The exact 95 % interval for α at (α̂, k) under a Pareto tail: k·γ̂/γ ~ Gamma(k, 1) with
    /// γ = 1/α, so α ∈ [α̂·G(0.025)/k, α̂·G(0.975)/k], G the Gamma(k, 1) quantiles. Both bounds
    /// are positive whatever k, unlike the asymptotic α̂(1 ± 1.96/√k), whose lower bound is
    /// negative for k < 4. `nil` bounds where α̂ or k is unusable.
    package static func hillInterval(alpha: Double, k: Int) -> (lower: Double?, upper: Double?) {
        guard alpha > 0, alpha.isFinite, k >= 1 else { return (nil, nil) }
        let interval = HillEstimator.exactGammaInterval(gamma: 1 / alpha, k: k)
        func reciprocal(_ value: Double?) -> Double? {
            value.flatMap { $0 > 0 && $0.isFinite ? 1 / $0 : nil }
        }
        return (reciprocal(interval.upper), reciprocal(interval.lower))
    }

    /// The Hill plot panel.
    ///
    /// - y-limits come from the plateau: the estimates and band at k ≥ `hillLimitsMinimumK`
    ///   and k ≥ chosen k / 4 (small-k noise cannot set them), always including α = 2 and
    ///   the chosen estimate with its band, so the chosen point is inside the axes however
    ///   large α̂ is there.
    /// - The band is drawn over that same range of k only, so it never runs into the edges of
    ///   the axes as a spike (at small k a 95 % band is wider than any useful y range); the
    ///   estimate itself is drawn at every k, clipped to the axes. Band bounds that cannot be
    ///   an interval for α (not finite, ≤ 0, or an upper bound below the lower one, as the
    ///   asymptotic α̂(1 − 1.96/√k) is for k < 4) are replaced by the exact Gamma interval of
    ///   `hillInterval`, which is always positive.
    /// - The chosen k is marked by a vertical line and a diamond at its α̂, named in the legend.
    static func hillAxes(k: [Int], alpha: [Double], lower: [Double], upper: [Double], chosenK: Int?,
                         title: String) -> Axes {
        let count = min(k.count, alpha.count, lower.count, upper.count)
        let ks = k.prefix(count).map(Double.init)
        let positiveK = ks.filter { $0 > 0 }
        let logarithmicK = (positiveK.max() ?? 1) / (positiveK.min() ?? 1) >= 20
        var axes = Axes(title: title, xLabel: "Number of upper order statistics k",
                        yLabel: "Tail index α̂ (Hill)", xScale: logarithmicK ? .log10 : .linear)

        var bandLower = Array(lower.prefix(count)), bandUpper = Array(upper.prefix(count))
        for i in 0..<count {
            let usableLower = bandLower[i].isFinite && bandLower[i] > 0
            let usableUpper = bandUpper[i].isFinite && bandUpper[i] > (usableLower ? bandLower[i] : 0)
            guard !(usableLower && usableUpper) else { continue }
            let exact = hillInterval(alpha: alpha[i], k: k[i])
            if !usableLower { bandLower[i] = exact.lower ?? .nan }
            if !usableUpper { bandUpper[i] = exact.upper ?? .nan }
        }

        var low = 2.0, high = 2.0
        let smallestK = max(hillLimitsMinimumK, (chosenK ?? 0) / 4)
        let plateau = (0..<count).filter { k[$0] >= smallestK }
        for i in 0..<count where k[i] >= smallestK || k[i] == chosenK {
            for value in [alpha[i], bandLower[i], bandUpper[i]] where value.isFinite {
                low = min(low, value)
                high = max(high, value)
            }
        }
        if high > low {
            let padding = 0.05 * (high - low)
            axes.yLimits = max(0, low - padding)...(high + padding)
        }

        let estimate = Color.blue
        axes.add(.band(x: plateau.map { ks[$0] }, lower: plateau.map { bandLower[$0] },
                       upper: plateau.map { bandUpper[$0] },
                       label: "95% confidence band", style: SeriesStyle(color: estimate, fillOpacity: 0.2)))
        axes.add(.line(x: ks, y: Array(alpha.prefix(count)), label: "Hill estimate α̂",
                       style: SeriesStyle(color: estimate, lineWidth: 1.5)))
        axes.add(.horizontalLine(y: 2, label: "α = 2 (infinite variance below)",
                                 style: SeriesStyle(color: .black, dash: .dashed, lineWidth: 1.25)))
        if let chosen = chosenK {
            let index = k.prefix(count).firstIndex(of: chosen)
            let estimateText = index.map { ", α̂ = " + NumberLabels.quoted(alpha[$0]) } ?? ""
            axes.add(.verticalLine(x: Double(chosen), label: "Chosen k = \(chosen)" + estimateText,
                                   style: SeriesStyle(color: .vermillion, dash: .dotted, lineWidth: 1.5)))
            if let index {
                axes.add(.scatter(x: [Double(chosen)], y: [alpha[index]],
                                  style: SeriesStyle(color: .vermillion, marker: .diamond, markerRadius: 4.5)))
            }
        }
        return axes
    }
}
