import Foundation

/// Tick positions and labels for log10 axes.
///
/// - Two decades or more (at least three powers of ten in range): major ticks at decades
///   labelled `10ⁿ`. Every decade is labelled as long as up to `2 × targetCount` labels are
///   asked for; the panel layout lowers `targetCount` only when neighbouring labels would
///   collide, and only then are decades skipped (every 2nd, 3rd, 5th…). Minor ticks at
///   2…9 × 10ⁿ when a decade is at least 24 px long (or at the unlabelled decades when
///   decades are skipped).
/// - Less than two decades: ticks at 1, 2, 5 × 10ⁿ, else at 1…9 × 10ⁿ, else linear nice ticks,
///   whichever first gives between 3 and `targetCount + 1` ticks *and* reaches both ends of
///   the axis (no more than a quarter of the axis, in log units, unlabelled at either end),
///   labelled as plain decimals (`0.5`, `2`, `20`), or as `2×10⁻⁹` outside 10⁻³…10⁴. A
///   7.5…12.5 axis therefore gets 8, 9, 10, 11, 12 (or 8, 10, 12 when short), not just 8, 9,
///   10 with the top fifth of the axis unlabelled. When none fits, a range holding two powers
///   of ten gets them as `10ⁿ` labels (as above), any other range linear nice ticks.
enum LogTicks {
    static func ticks(for limits: ClosedRange<Double>, targetCount: Int, pixelLength: Double) -> AxisTicks {
        let low = limits.lowerBound, high = limits.upperBound
        guard low > 0, high > low else { return AxisTicks(major: []) }
        let a = Foundation.log10(low), b = Foundation.log10(high)
        let firstDecade = Int(ceil(a - 1e-9)), lastDecade = Int(floor(b + 1e-9))
        if lastDecade - firstDecade + 1 >= 3 {
            return decadeTicks(firstDecade...lastDecade, limits: limits, targetCount: targetCount,
                               pixelsPerDecade: pixelLength / (b - a))
        }
        if let ticks = subDecadeTicks(limits: limits, targetCount: targetCount) { return ticks }
        if lastDecade - firstDecade + 1 == 2 {
            return decadeTicks(firstDecade...lastDecade, limits: limits, targetCount: targetCount,
                               pixelsPerDecade: pixelLength / (b - a))
        }
        return linearTicks(limits: limits, targetCount: targetCount)
    }

    private static func decadeTicks(_ decades: ClosedRange<Int>, limits: ClosedRange<Double>,
                                    targetCount: Int, pixelsPerDecade: Double) -> AxisTicks {
        let strides = [1, 2, 3, 4, 5, 6, 10, 20, 25, 50, 100]
        func labelled(_ stride: Int) -> [Int] { decades.filter { $0 % stride == 0 } }
        var chosen = 1
        for stride in strides {
            let count = labelled(stride).count
            if count < 2 { break }
            chosen = stride
            if count <= max(2, 2 * targetCount) { break }
        }
        let majorDecades = labelled(chosen)
        let major = majorDecades.map { Tick(value: pow10($0), label: NumberLabels.powerOfTen($0)) }
        var minor: [Double] = []
        if chosen > 1 {
            minor = decades.filter { $0 % chosen != 0 }.map { pow10($0) }
        } else if pixelsPerDecade >= 24 {
            minor = multiplesInRange(limits, multipliers: Array(2...9))
        }
        return AxisTicks(major: major, minor: minor)
    }

    /// Ticks at 1, 2, 5 × 10ⁿ or 1…9 × 10ⁿ, when one of them fits (see the type's comment).
    private static func subDecadeTicks(limits: ClosedRange<Double>, targetCount: Int) -> AxisTicks? {
        let allMultiples = multiplesInRange(limits, multipliers: Array(1...9))
        for multipliers in [[1, 2, 5], Array(1...9)] {
            let values = multiplesInRange(limits, multipliers: multipliers)
            if values.count >= 3 && values.count <= targetCount + 1 && reachesBothEnds(values, limits) {
                let major = values.map { Tick(value: $0, label: label(ofMultiple: $0)) }
                return AxisTicks(major: major, minor: allMultiples.filter { !values.contains($0) })
            }
        }
        return nil
    }

    /// Nice linear ticks (e.g. 8, 10, 12) for a range too narrow for 1–2–5 ticks.
    private static func linearTicks(limits: ClosedRange<Double>, targetCount: Int) -> AxisTicks {
        let allMultiples = multiplesInRange(limits, multipliers: Array(1...9))
        var linear = LinearTicks.ticks(for: limits, targetCount: targetCount)
        linear.major = linear.major.filter { $0.value > 0 }
        linear.minor = allMultiples.filter { value in !linear.major.contains { $0.value == value } }
        return linear
    }

    /// Whether the first and last ticks lie within a quarter of the axis (in log units) of its
    /// ends, so that neither end of the axis is left without a nearby label.
    static func reachesBothEnds(_ values: [Double], _ limits: ClosedRange<Double>) -> Bool {
        guard let first = values.first, let last = values.last else { return false }
        let span = Foundation.log10(limits.upperBound / limits.lowerBound)
        return Foundation.log10(first / limits.lowerBound) <= span / 4 + 1e-9
            && Foundation.log10(limits.upperBound / last) <= span / 4 + 1e-9
    }

    /// `m × 10ⁿ` for the given multipliers `m`, inside `limits`, ascending.
    private static func multiplesInRange(_ limits: ClosedRange<Double>, multipliers: [Int]) -> [Double] {
        let first = Int(Foundation.log10(limits.lowerBound).rounded(.down)) - 1
        let last = Int(Foundation.log10(limits.upperBound).rounded(.up))
        let tolerance = 1e-9
        var values: [Double] = []
        for decade in first...last {
            for m in multipliers {
                let value = NiceTickSequence.value(mantissa: Int64(m), exponent: decade)
                if value >= limits.lowerBound * (1 - tolerance) && value <= limits.upperBound * (1 + tolerance) {
                    values.append(value)
                }
            }
        }
        return values
    }

    /// Label of a tick at `m × 10ⁿ`: a plain decimal for moderate `n`, `m×10ⁿ` otherwise.
    private static func label(ofMultiple value: Double) -> String {
        let decade = Int(value.log10Floor)
        let multiplier = Int64((value / pow10(decade)).rounded())
        if decade >= -3 && decade <= 4 {
            return NumberLabels.decimal(mantissa: multiplier, exponent: decade)
        }
        let power = NumberLabels.powerOfTen(decade)
        return multiplier == 1 ? power : "\(multiplier)×" + power
    }
}
