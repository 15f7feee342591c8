import NoiseScopeCore
import NoiseScopePlot
import Foundation

/// The multi-panel figures of `noisescope figure` put together from their numbers: the
/// application layer trains and measures, these lay the results out. Kept apart from the
/// training so that what a reader sees (shared ranges, named ticks, titles that fit) can be
/// checked on small synthetic inputs.
package enum PaperFigureLayouts {
    /// fig2: one noise-norm histogram per snapshot (each divided by its median), four to a
    /// row, every panel on one x range with the same ticks, so that widths and tails compare
    /// across steps and models by eye.
    package static func noiseAlongTraining(_ snapshots: [(title: String, norms: [Double], colorIndex: Int)],
                                           title: String) -> Figure {
        let panels = snapshots.map { NoiseFigures.normalisedHistogramAxes($0.norms, title: $0.title, colorIndex: $0.colorIndex) }
        return Figure(title: title, width: 1600, height: 820, rows: 2, columns: 4, panels: panels, sharex: .all)
    }

    /// One optimizer's result in fig3.
    package struct OptimizerOutcome: Sendable {
        /// Its name on the x axis, e.g. "GClip".
        package var name: String
        /// Its legend entry (the tuned learning rate, whether it sits at the grid's edge).
        package var legend: String
        /// Mean final validation loss over the seeds; `nil` when no run finished.
        package var mean: Double?
        /// Half-width of the 95 % interval (NaN with a single seed: drawn as 0).
        package var halfWidth: Double

        package init(name: String, legend: String, mean: Double?, halfWidth: Double) {
            self.name = name
            self.legend = legend
            self.mean = mean
            self.halfWidth = halfWidth
        }
    }

    /// fig3: the final validation loss of each optimizer with its 95 % interval, the
    /// optimizers named on a categorical x axis.
    package static func optimizerComparison(_ outcomes: [OptimizerOutcome], steps: Int, seeds: Int) -> Figure {
        var axes = Axes(title: "Final validation loss after \(steps) steps (mean and 95 % interval over \(seeds) seeds)",
                        xLabel: "Optimizer", yLabel: "Final validation loss", xScale: .categorical(outcomes.map(\.name)))
        for (index, outcome) in outcomes.enumerated() {
            guard let mean = outcome.mean else { continue }
            axes.add(.errorBars(x: [Double(index)], y: [mean], halfWidth: [outcome.halfWidth.isNaN ? 0 : outcome.halfWidth],
                                label: outcome.legend, style: .cycled(index)))
        }
        return Figure(axes, width: 820, height: 560)
    }

    /// fig6: the per-coordinate noise of one minibatch, as a symlog histogram of the signed
    /// coordinates and the log–log tail of their magnitudes with the power law fitted above
    /// xₘᵢₙ (Clauset–Shalizi–Newman) and the lognormal and exponential it is tested against.
    /// `stableIndex` is the pooled stable index of the run, as text.
    package static func coordinateNoise(coordinates: [Double], powerLawXmin: Double?, powerLawAlpha: Double?,
                                        stableIndex: String) -> Figure {
        let histogram = NoiseFigures.coordinateHistogramAxes(coordinates, title: "Coordinates of g_B − ∇f (one minibatch)")
        let magnitudes = coordinates.map { abs($0) }.filter { $0 > 0 }
        let tail = HeavyTailFigures.complementaryCDF(
            samples: magnitudes, powerLawXmin: powerLawXmin, powerLawAlpha: powerLawAlpha,
            title: "Tail of |coordinate|: power-law, lognormal and exponential fits (pooled stable α̂ = \(stableIndex))",
            xLabel: "|coordinate noise|").panels[0]
        return Figure(title: "Per-coordinate gradient noise of tinygpt at initialisation (after Simsekli et al. 2019, Fig. 6c)",
                      width: 1100, height: 440, rows: 1, columns: 2, panels: [histogram, tail])
    }
}
