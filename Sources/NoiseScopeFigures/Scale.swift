import Foundation

/// How data values are placed along an axis.
public enum Scale: Sendable, Equatable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (base 10). Only positive values can be shown: zeros and
    /// negatives are left out of the drawing and counted in
    /// `RenderedFigure.droppedPoints.nonPositiveOnLogAxis`, never a crash.
    case log10
}

extension Scale {
    /// Whether `value` can be placed on this scale: finite, and positive on a log scale.
    func canShow(_ value: Double) -> Bool {
        value.isFinite && (self == .linear || value > 0)
    }

    /// The value in the scale's working space, where positions are linear (log10 for log axes).
    func transformed(_ value: Double) -> Double {
        self == .linear ? value : Foundation.log10(value)
    }

    /// Axis limits for data spanning `[dataMin, dataMax]` (both `nil` when there is no data).
    ///
    /// Linear axes add 5 % padding on each side, except that a bound at exactly zero stays put
    /// when `keepsZero` is set (bars then stand on the axis). A single value `v` gets `v ± 10 %`
    /// (or `±1` for zero). Log axes pad by 5 % of the span in decades; a single value gets half a
    /// decade either side. Without data the limits are `0…1` (linear) or `1…10` (log).
    func automaticLimits(dataMin: Double?, dataMax: Double?, keepsZero: Bool = false) -> ClosedRange<Double> {
        guard let low = dataMin, let high = dataMax, low <= high else {
            return self == .linear ? 0...1 : 1...10
        }
        switch self {
        case .linear:
            if low == high {
                let half = low == 0 ? 1 : abs(low) * 0.1
                return (low - half)...(high + half)
            }
            let padding = 0.05 * (high - low)
            let lower = keepsZero && low == 0 ? 0 : low - padding
            let upper = keepsZero && high == 0 ? 0 : high + padding
            return lower...upper
        case .log10:
            let a = Foundation.log10(low), b = Foundation.log10(high)
            let padding = a == b ? 0.5 : 0.05 * (b - a)
            return Foundation.pow(10, a - padding)...Foundation.pow(10, b + padding)
        }
    }

    /// Whether explicit limits can be used on this scale (finite, non-empty, positive on log).
    func acceptsLimits(_ limits: ClosedRange<Double>) -> Bool {
        limits.lowerBound.isFinite && limits.upperBound.isFinite
            && limits.lowerBound < limits.upperBound
            && (self == .linear || limits.lowerBound > 0)
    }

    /// Ticks for an axis showing `limits`, with about `targetCount` labelled ticks and
    /// `pixelLength` pixels of room (used to decide whether minor ticks fit).
    func ticks(for limits: ClosedRange<Double>, targetCount: Int, pixelLength: Double) -> AxisTicks {
        switch self {
        case .linear:
            return LinearTicks.ticks(for: limits, targetCount: targetCount)
        case .log10:
            return LogTicks.ticks(for: limits, targetCount: targetCount, pixelLength: pixelLength)
        }
    }
}
