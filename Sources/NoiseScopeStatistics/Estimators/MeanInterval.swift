import Foundation

/// A mean with its 95 % Student-t interval.
package struct MeanInterval: Sendable, Equatable {
    package var mean: Double
    /// t₀.₉₇₅,ₙ₋₁ · s/√n; NaN for a single value.
    package var halfWidth: Double
    package var count: Int

    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        self.mean = mean
        count = values.count
        if values.count < 2 { halfWidth = .nan; return }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        halfWidth = SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: Double(values.count - 1)) * (variance / n).squareRoot()
    }

}
