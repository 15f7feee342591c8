import Foundation

/// Tick positions and labels for linear axes, from the extended Wilkinson search.
enum LinearTicks {
    /// Ticks inside `limits`. Labels share one number of decimals (`0.0, 0.5, 1.0`). When the
    /// largest label would need ≥ 6 integer digits or ≥ 4 leading zeros, labels are scaled by
    /// a power of ten that is reported as `multiplier` (`×10¹²`) instead.
    static func ticks(for limits: ClosedRange<Double>, targetCount: Int) -> AxisTicks {
        let low = limits.lowerBound, high = limits.upperBound
        guard let sequence = ExtendedWilkinson.ticks(dataMin: low, dataMax: high, targetCount: targetCount,
                                                     containment: .inside)
        else { return AxisTicks(major: []) }
        let tolerance = 1e-9 * (high - low)
        var mantissas = sequence.mantissas.filter {
            let value = NiceTickSequence.value(mantissa: $0, exponent: sequence.exponent)
            return value >= low - tolerance && value <= high + tolerance
        }
        var exponent = sequence.exponent
        while !mantissas.isEmpty, mantissas.allSatisfy({ $0 % 10 == 0 }), mantissas.contains(where: { $0 != 0 }) {
            mantissas = mantissas.map { $0 / 10 }
            exponent += 1
        }
        return labelled(mantissas: mantissas, exponent: exponent)
    }

    /// Labels for ticks `mantissa × 10^exponent`, choosing a shared multiplier for extreme sizes.
    static func labelled(mantissas: [Int64], exponent: Int) -> AxisTicks {
        let largest = mantissas.map(\.magnitude).max() ?? 0
        let magnitude = largest == 0 ? 0 : NumberLabels.orderOfMagnitude(Int64(largest)) + exponent
        let shift = (magnitude >= 5 || magnitude <= -4) ? magnitude : 0
        let major = mantissas.map { mantissa in
            Tick(value: NiceTickSequence.value(mantissa: mantissa, exponent: exponent),
                 label: NumberLabels.decimal(mantissa: mantissa, exponent: exponent - shift))
        }
        return AxisTicks(major: major, multiplier: shift == 0 ? nil : "×" + NumberLabels.powerOfTen(shift))
    }
}
