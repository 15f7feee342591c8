import Foundation

/// Tick positions and labels for log10 axes.
///
/// - Two or more powers of ten in range: major ticks at decades labelled `10ⁿ`, every decade when
///   they fit, otherwise every 2nd, 3rd, 5th… decade; minor ticks at 2…9 × 10ⁿ when a decade is
///   at least 24 px long (or at the unlabelled decades when decades are skipped).
/// - Less than two decades: ticks at 1, 2, 5 × 10ⁿ, else at 1…9 × 10ⁿ, else linear nice ticks,
///   whichever first gives between 3 and `targetCount + 1` ticks, labelled as plain decimals
///   (`0.5`, `2`, `20`), or as `2×10⁻⁹` outside 10⁻³…10⁴.
enum LogTicks {
    static func ticks(for limits: ClosedRange<Double>, targetCount: Int, pixelLength: Double) -> AxisTicks {
        let low = limits.lowerBound, high = limits.upperBound
        guard low > 0, high > low else { return AxisTicks(major: []) }
        let a = Foundation.log10(low), b = Foundation.log10(high)
        let firstDecade = Int(ceil(a - 1e-9)), lastDecade = Int(floor(b + 1e-9))
        if lastDecade - firstDecade + 1 >= 2 {
            return decadeTicks(firstDecade...lastDecade, limits: limits, targetCount: targetCount,
                               pixelsPerDecade: pixelLength / (b - a))
        }
        return subDecadeTicks(limits: limits, targetCount: targetCount)
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
            if count <= max(2, targetCount) { break }
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

    private static func subDecadeTicks(limits: ClosedRange<Double>, targetCount: Int) -> AxisTicks {
        let allMultiples = multiplesInRange(limits, multipliers: Array(1...9))
        for multipliers in [[1, 2, 5], Array(1...9)] {
            let values = multiplesInRange(limits, multipliers: multipliers)
            if values.count >= 3 && values.count <= targetCount + 1 {
                let major = values.map { Tick(value: $0, label: label(ofMultiple: $0)) }
                return AxisTicks(major: major, minor: allMultiples.filter { !values.contains($0) })
            }
        }
        var linear = LinearTicks.ticks(for: limits, targetCount: targetCount)
        linear.major = linear.major.filter { $0.value > 0 }
        linear.minor = allMultiples.filter { value in !linear.major.contains { $0.value == value } }
        return linear
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
