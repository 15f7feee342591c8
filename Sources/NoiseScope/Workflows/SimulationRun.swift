import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeTraining
import NoiseScopeModels
import NoiseScopeSampling
import NoiseScopeStatistics

/// `noisescope simulate` as a library call: the heavy-tailed 1-D experiment run,
/// and its directory (simulation.json, quantiles.csv, quantiles.svg) rendered in
/// memory, so that the command only parses, calls and prints.
package struct SimulationRun {
    /// The full result, with every replicate's final error.
    package var result: HeavyTailSimulationResult
    /// The directory's files: name and bytes.
    package var files: [(name: String, data: Data)]

    /// Runs `simulation` (after its own checks) and renders its files; each
    /// figure in every one of `formats`.
    package static func simulate(_ simulation: HeavyTailSimulation, formats: [FigureFormat] = [.svg],
                                progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SimulationRun {
        let problems = simulation.problems()
        guard problems.isEmpty else { throw NoiseScopeError(problems.joined(separator: "; ")) }
        let result = try simulation.run(progress: progress)
        let files: [(name: String, data: Data)] = [
            ("simulation.json", Data(try JSONOutput.encode(summary(of: result)).utf8)),
            ("quantiles.csv", quantilesCSV(result)),
            ("quantiles.svg", Data(figure(result).render().svg.utf8)),
        ]
        return SimulationRun(result: result, files: try FigureFormat.convertingFigures(files, to: formats))
    }

    /// The result without the per-replicate errors: what simulation.json and
    /// `simulate --json` hold.
    package static func summary(of result: HeavyTailSimulationResult) -> HeavyTailSimulationResult {
        var summary = result
        for i in summary.methods.indices { summary.methods[i].finalErrors = [] }
        return summary
    }

    /// quantiles.csv: one row per method and δ, the quantile with its
    /// distribution-free 95 % interval (`lower_95`, `upper_95`; an empty cell
    /// where R replicates cannot give that end at 95 %).
    package static func quantilesCSV(_ result: HeavyTailSimulationResult) -> Data {
        var rows: [String] = []
        for method in result.methods {
            for q in method.quantiles {
                let ends = [q.lower95, q.upper95].map { $0.map(NumberText.exact) ?? "" }
                rows.append("\(method.method.rawValue),\(q.delta),\(q.level),\(NumberText.exact(q.value)),\(ends[0]),\(ends[1])")
            }
        }
        return NumberText.csv(header: "method,delta,quantile_level,final_error,lower_95,upper_95", rows: rows)
    }

    /// quantiles.svg: the (1 − δ)-quantile of the final error against 1/δ,
    /// log–log, one line per method, each point with its 95 % interval as an
    /// error bar. The methods' points are spread a little along x (by a factor
    /// up to about 1.1) so that their bars do not hide one another; a missing
    /// end (too few replicates) is drawn at the quantile itself.
    package static func figure(_ result: HeavyTailSimulationResult) -> Figure {
        let s = result.simulation
        var axes = Axes(title: "Final error quantiles with 95 % intervals (α = \(s.alpha), T = \(s.steps), R = \(s.replicates), seed \(s.seed))",
                        xLabel: "1/δ", yLabel: "(1 − δ)-quantile of |x_T|", xScale: .log10, yScale: .log10, legendPlacement: .upperLeft)
        let middle = Double(result.methods.count - 1) / 2
        for (index, method) in result.methods.enumerated() {
            let spread = exp(0.025 * (Double(index) - middle))
            let x = method.quantiles.map { spread / $0.delta }, y = method.quantiles.map(\.value)
            axes.add(.line(x: x, y: y, label: method.method.rawValue, style: .cycled(index)))
            axes.add(.errorBars(x: x, y: y, lower: method.quantiles.map { $0.lower95 ?? $0.value },
                                upper: method.quantiles.map { $0.upper95 ?? $0.value }, style: .cycled(index)))
        }
        return Figure(axes, width: 720, height: 520)
    }

    /// Writes the directory all at once: the old one or the complete new one.
    package func write(to directory: String) throws {
        try AtomicDirectory.write(files, to: directory, kind: "simulate")
    }
}
