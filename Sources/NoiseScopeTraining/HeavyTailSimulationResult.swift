import NoiseScopeCore
import Foundation
import NoiseScopeStatistics

/// What `HeavyTailSimulation.run` produces: per method, the final error of
/// every replicate and its upper quantiles.
package struct HeavyTailSimulationResult: Codable, Equatable, Sendable {
    /// One upper quantile of the final error.
    package struct ErrorQuantile: Codable, Equatable, Sendable {
        /// δ: the quantile is exceeded with probability about δ.
        package var delta: Double
        /// 1 − δ, the quantile's level.
        package var level: Double
        /// The (1 − δ)-quantile of |x_T − x*| (type-7 interpolation, see `quantile(ofSorted:probability:)`).
        package var value: Double
        /// R·δ, rounded: about how many replicates lie beyond the quantile, i.e.
        /// how many samples its value rests on.
        package var samplesBeyond: Int
        /// The distribution-free 95 % interval for the quantile from the
        /// replicates' order statistics (`QuantileInterval`): its lower end, nil
        /// when R replicates cannot give one at 95 %.
        package var lower95: Double? = nil
        /// Its upper end, nil when R replicates cannot give one at 95 %.
        package var upper95: Double? = nil
    }

    /// One method's outcome.
    package struct MethodOutcome: Codable, Equatable, Sendable {
        package var method: HeavyTailMethod
        /// The optimizer that ran it, and with which settings.
        package var optimizer: OptimizerKind
        package var settings: OptimizerSettings
        /// The (1 − δ)-quantiles, in the order of the simulation's `tailProbabilities`.
        package var quantiles: [ErrorQuantile]
        /// Replicates whose final iterate is not finite (ranked as +∞ in the quantiles).
        package var nonFiniteCount: Int
        /// |x_T − x*| of every replicate, by replicate index (for plotting).
        /// Non-finite entries need a non-conforming-float strategy to encode as JSON.
        package var finalErrors: [Double]

        init(method: HeavyTailMethod, optimizer: OptimizerKind, settings: OptimizerSettings,
             finalErrors: [Double], tailProbabilities: [Double]) {
            self.method = method
            self.optimizer = optimizer
            self.settings = settings
            self.finalErrors = finalErrors
            nonFiniteCount = finalErrors.filter { !$0.isFinite }.count
            let ranked = finalErrors.map { $0.isNaN ? Double.infinity : $0 }.sorted()
            quantiles = tailProbabilities.map { delta in
                let interval = QuantileInterval.bounds(ofSorted: ranked, probability: 1 - delta)
                return ErrorQuantile(delta: delta, level: 1 - delta,
                                     value: quantile(ofSorted: ranked, probability: 1 - delta),
                                     samplesBeyond: Int((Double(finalErrors.count) * delta).rounded()),
                                     lower95: interval.lower, upper95: interval.upper)
            }
        }
    }

    /// The configuration that produced this result.
    package var simulation: HeavyTailSimulation
    /// The error measure reported.
    package var errorMeasure = "|x_T - x*| (f(x_T) - f* = error^2 / 2)"
    package var methods: [MethodOutcome]

    /// A plain-text table: one row per method, one column per (1 − δ)-quantile.
    package var quantileTable: String {
        let deltas = simulation.tailProbabilities
        var lines = ["method".padding(toLength: 18, withPad: " ", startingAt: 0)
                     + deltas.map { "q(\(1 - $0))".leftPadded(to: 12) }.joined()]
        for outcome in methods {
            lines.append(outcome.method.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
                         + outcome.quantiles.map { formatted($0.value).leftPadded(to: 12) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    private func formatted(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : "inf"
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
