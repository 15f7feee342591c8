import Foundation

/// How data values are placed along an axis.
package enum Scale: Sendable, Equatable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (base 10). Only positive values can be shown: zeros and
    /// negatives are left out of the drawing and counted in
    /// `RenderedFigure.droppedPoints.nonPositiveOnLogAxis`, never a crash.
    case log10
    /// Symmetric log (matplotlib's `symlog`), for signed data spanning many decades: linear on
    /// [−c, c] with c = `linearThreshold`, logarithmic (base 10) beyond, mirrored for negative
    /// values. Every finite value can be shown. See `symlogTransform` for the exact map.
    case symlog(linearThreshold: Double)
    /// Named categories (matplotlib's categorical axis): category `i` of `names` sits at
    /// position `i` (0, 1, 2, …) and is labelled with its name, one tick per category. Series
    /// place their points at those integer positions; positions are linear in between.
    /// Automatic limits leave half a slot either side of the first and last category.
    case categorical([String])
}

extension Scale {
    /// Whether `value` can be placed on this scale: finite, and positive on a log scale.
    func canShow(_ value: Double) -> Bool {
        value.isFinite && (self != .log10 || value > 0)
    }

    /// Whether the value 0 lies on the axis (bars then stand on it).
    var showsZero: Bool { self != .log10 }

    /// Name used in notices.
    var name: String {
        switch self {
        case .linear: return "linear"
        case .log10: return "log"
        case .symlog: return "symlog"
        case .categorical: return "categorical"
        }
    }

    /// The value in the scale's working space, where positions are linear (log10 for log axes).
    package func transformed(_ value: Double) -> Double {
        switch self {
        case .linear, .categorical: return value
        case .log10: return Foundation.log10(value)
        case let .symlog(threshold): return Scale.symlogTransform(value, linearThreshold: threshold)
        }
    }

    /// The inverse of `transformed`.
    package func inverse(_ position: Double) -> Double {
        switch self {
        case .linear, .categorical: return position
        case .log10: return Foundation.pow(10, position)
        case let .symlog(threshold): return Scale.symlogInverse(position, linearThreshold: threshold)
        }
    }

    /// The symlog map with threshold c (a non-positive or non-finite c is taken as 1):
    /// t(x) = x / c for |x| ≤ c and t(x) = sign(x) · (1 + log₁₀(|x| / c)) beyond. It is odd,
    /// strictly increasing and continuous (t(±c) = ±1); one decade beyond c takes as much room
    /// as the whole linear half [0, c].
    static func symlogTransform(_ x: Double, linearThreshold: Double) -> Double {
        let c = validThreshold(linearThreshold)
        let magnitude = abs(x)
        let t = magnitude <= c ? magnitude / c : 1 + Foundation.log10(magnitude / c)
        return x < 0 ? -t : t
    }

    /// The inverse of `symlogTransform`.
    static func symlogInverse(_ t: Double, linearThreshold: Double) -> Double {
        let c = validThreshold(linearThreshold)
        let magnitude = abs(t)
        let x = magnitude <= 1 ? magnitude * c : c * Foundation.pow(10, magnitude - 1)
        return t < 0 ? -x : x
    }

    static func validThreshold(_ c: Double) -> Double {
        c > 0 && c.isFinite ? c : 1
    }

    /// Axis limits for data spanning `[dataMin, dataMax]` (both `nil` when there is no data).
    ///
    /// Categorical axes span every category (and any data beyond them) with half a slot to
    /// spare at each end: −0.5…n − 0.5 for n categories.
    ///
    /// Linear axes add 5 % padding on each side, except that a bound at exactly zero stays put
    /// when `keepsZero` is set (bars then stand on the axis). A single value `v` gets `v ± 10 %`
    /// (or `±1` for zero). Log axes pad by 5 % of the span in decades; a single value gets half a
    /// decade either side. Symlog axes pad by 5 % of the span in their working space (a bound
    /// at zero stays put with `keepsZero`). Without data the limits are `0…1` (linear, symlog)
    /// or `1…10` (log).
    func automaticLimits(dataMin: Double?, dataMax: Double?, keepsZero: Bool = false) -> ClosedRange<Double> {
        guard let low = dataMin, let high = dataMax, low <= high else {
            if case let .categorical(names) = self { return -0.5...(Double(max(names.count, 1)) - 0.5) }
            return self == .log10 ? 1...10 : 0...1
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
        case .symlog:
            let a = transformed(low), b = transformed(high)
            let padding = a == b ? 0.5 : 0.05 * (b - a)
            let lower = keepsZero && low == 0 ? 0 : inverse(a - padding)
            let upper = keepsZero && high == 0 ? 0 : inverse(b + padding)
            return lower...upper
        case let .categorical(names):
            let first = min(0, low.rounded(.down)), last = max(Double(names.count - 1), high.rounded(.up), first)
            return (first - 0.5)...(last + 0.5)
        }
    }

    /// Whether explicit limits can be used on this scale (finite, non-empty, positive on log).
    func acceptsLimits(_ limits: ClosedRange<Double>) -> Bool {
        limits.lowerBound.isFinite && limits.upperBound.isFinite
            && limits.lowerBound < limits.upperBound
            && (self != .log10 || limits.lowerBound > 0)
    }

    /// Ticks for an axis showing `limits`, with about `targetCount` labelled ticks and
    /// `pixelLength` pixels of room (used to decide whether minor ticks fit).
    func ticks(for limits: ClosedRange<Double>, targetCount: Int, pixelLength: Double) -> AxisTicks {
        switch self {
        case .linear:
            return LinearTicks.ticks(for: limits, targetCount: targetCount)
        case .log10:
            return LogTicks.ticks(for: limits, targetCount: targetCount, pixelLength: pixelLength)
        case let .symlog(threshold):
            return SymlogTicks.ticks(for: limits, linearThreshold: Scale.validThreshold(threshold),
                                     targetCount: targetCount)
        case let .categorical(names):
            // Every category inside the limits is labelled, whatever the density asked for.
            let major = names.indices.filter { limits.contains(Double($0)) }.map { Tick(value: Double($0), label: names[$0]) }
            return AxisTicks(major: major)
        }
    }
}
