import NoiseScopeCore
import NoiseScopePlot
import Foundation
import NoiseScopeStatistics

/// The threshold-stability plot of peaks over threshold: the generalised
/// Pareto shape ξ̂ fitted over X(k+1) against the number k of exceedances,
/// with its asymptotic 95 % band ξ̂ ± 1.96 (1 + ξ̂)/√k (Smith 1987). Where
/// the tail is a power law the curve settles on ξ = 1/α; the dashed lines
/// mark ξ = 0.5 (α = 2: infinite variance above it) and ξ = 0 (exponential).
package enum ThresholdStability {
    /// ξ̂ on the verdict's grid of k.
    package static func path(_ data: OrderStatistics, n: Int) -> [(k: Int, xi: Double)] {
        TailVerdictRule().grid(n: n, available: data.count).compactMap { k in
            GeneralizedParetoFit.fit(data, k: k, interval: false).map { (k, $0.xi) }
        }
    }

    package static func figure(path: [(k: Int, xi: Double)], chosenK: Int?,
                              title: String = "Threshold stability: generalised Pareto shape ξ̂ against k") -> Figure {
        let ks = path.map { Double($0.k) }
        let xi = path.map(\.xi)
        let half = zip(path, xi).map { 1.959963984540054 * (1 + max($1, -0.5)) / Double($0.k).squareRoot() }
        var axes = Axes(title: title, xLabel: "Number of exceedances k (threshold X_{(k+1)})", yLabel: "Shape ξ̂ (= 1/α for a power law)",
                        xScale: (ks.max() ?? 1) / (ks.min() ?? 1) >= 20 ? .log10 : .linear)
        axes.add(.band(x: ks, lower: zip(xi, half).map { $0 - $1 }, upper: zip(xi, half).map { $0 + $1 },
                       label: "95% band (asymptotic)", style: SeriesStyle(color: .blue, fillOpacity: 0.2)))
        axes.add(.line(x: ks, y: xi, label: "ξ̂ (maximum likelihood)", style: SeriesStyle(color: .blue)))
        if let low = ks.first, let high = ks.last {
            axes.add(.line(x: [low, high], y: [0.5, 0.5], label: "ξ = 0.5 (α = 2)", style: SeriesStyle(color: .vermillion, dash: .dashed)))
            axes.add(.line(x: [low, high], y: [0, 0], label: "ξ = 0 (exponential)", style: SeriesStyle(color: .black, dash: .dotted)))
        }
        if let chosenK, let index = path.firstIndex(where: { $0.k == chosenK }) {
            axes.add(.scatter(x: [Double(chosenK)], y: [xi[index]], label: "k* = \(chosenK)", style: SeriesStyle(color: .orange)))
        }
        return Figure(axes)
    }
}
