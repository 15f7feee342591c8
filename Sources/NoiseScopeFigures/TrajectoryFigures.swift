import NoiseScopeCore
import NoiseScopePlot
import Foundation
import NoiseScopeStatistics

/// Figures of noise along training: quantiles per window of steps on one
/// common axis, and a second series against step (B_simple, or the loss).
package enum TrajectoryFigures {
    /// Quantiles (10 %, 50 %, 90 %, 99 %) of the noise norms per window, at each window's middle step.
    package static func quantileAxes(_ trajectory: TrajectoryWindows, title: String = "Noise-norm quantiles per window of steps") -> Axes {
        let x = trajectory.windows.map { Double($0.firstStep + $0.lastStep) / 2 }
        var axes = Axes(title: title, xLabel: "Training step", yLabel: "Noise norm ‖g − ḡ‖")
        let series: [(String, KeyPath<TrajectoryWindows.Window, Double>)] = [("q99", \.q99), ("q90", \.q90), ("median", \.median), ("q10", \.q10)]
        for (index, (label, path)) in series.enumerated() {
            axes.add(.line(x: x, y: trajectory.windows.map { $0[keyPath: path] }, label: label,
                           style: SeriesStyle(color: Color.okabeIto[(index + 1) % Color.okabeIto.count], marker: .circle, markerRadius: 3)))
        }
        return axes
    }

    /// α̂ per window with its 95 % interval (where the verdict's rule reached one), and α = 2.
    package static func tailIndexAxes(_ trajectory: TrajectoryWindows) -> Axes? {
        let windows = trajectory.windows.filter { $0.alpha != nil && $0.alphaInterval95 != nil }
        guard !windows.isEmpty else { return nil }
        let x = windows.map { Double($0.firstStep + $0.lastStep) / 2 }
        var axes = Axes(title: "Tail index per window (95 % interval)", xLabel: "Training step", yLabel: "α̂ (reduced-bias Hill)")
        let upperCap = max(4, (windows.compactMap { $0.alpha }.max() ?? 4) * 1.5)
        axes.add(.band(x: x, lower: windows.map { $0.alphaInterval95?.lower ?? 0 }, upper: windows.map { min($0.alphaInterval95?.upper ?? upperCap, upperCap) },
                       label: "95% interval", style: SeriesStyle(color: .blue, fillOpacity: 0.2)))
        axes.add(.line(x: x, y: windows.map { $0.alpha ?? .nan }, label: "α̂", style: SeriesStyle(color: .blue, marker: .circle, markerRadius: 3)))
        axes.add(.horizontalLine(y: 2, label: "α = 2", style: SeriesStyle(color: .black, dash: .dashed)))
        return axes
    }

    /// One series against step (e.g. B_simple raw and EMA, or train and validation loss).
    package static func seriesAxes(title: String, yLabel: String, lines: [(label: String, step: [Double], value: [Double])], logarithmicY: Bool = false) -> Axes {
        var axes = Axes(title: title, xLabel: "Training step", yLabel: yLabel, yScale: logarithmicY ? .log10 : .linear)
        for (index, line) in lines.enumerated() {
            axes.add(.line(x: line.step, y: line.value, label: line.label, style: SeriesStyle(color: Color.okabeIto[(index + 5) % Color.okabeIto.count])))
        }
        return axes
    }
}
