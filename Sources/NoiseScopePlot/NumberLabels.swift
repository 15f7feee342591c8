import Foundation

/// Human-readable number labels: tick labels, powers of ten and values quoted in legends.
///
/// Tick values are handled as an integer mantissa times a power of ten, so a label such as
/// `0.3` is built from the digits `3` and exponent `-1` and never shows floating-point noise
/// like `0.30000000000000004`. Negative numbers use the typographic minus sign U+2212, and
/// exponents use Unicode superscript digits (`10⁻³`), which render in any font with those glyphs
/// and need no `<tspan>` positioning.
package enum NumberLabels {
    /// Unicode superscript form of an integer, e.g. `-12` → `⁻¹²`.
    package static func superscript(_ value: Int) -> String {
        let digits: [Character: Character] = [
            "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴",
            "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
        ]
        return String(String(value).map { digits[$0] ?? $0 })
    }

    /// `10ⁿ`, the label of a decade tick.
    package static func powerOfTen(_ exponent: Int) -> String {
        "10" + superscript(exponent)
    }

    /// The decimal text of `mantissa × 10^exponent`, with exactly `max(0, -exponent)` decimals.
    ///
    /// `decimal(mantissa: 25, exponent: -1)` is `"2.5"`, `decimal(mantissa: -3, exponent: 2)` is
    /// `"−300"`.
    package static func decimal(mantissa: Int64, exponent: Int) -> String {
        let sign = mantissa < 0 ? "−" : ""
        var digits = String(mantissa.magnitude)
        if exponent >= 0 {
            if mantissa != 0 { digits += String(repeating: "0", count: exponent) }
            return sign + digits
        }
        let decimals = -exponent
        if digits.count <= decimals {
            digits = String(repeating: "0", count: decimals - digits.count + 1) + digits
        }
        let split = digits.index(digits.endIndex, offsetBy: -decimals)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Number of decimal digits of `value`'s magnitude, e.g. 0 for 7 and 2 for 250.
    package static func orderOfMagnitude(_ value: Int64) -> Int {
        var magnitude = value.magnitude, order = 0
        while magnitude >= 10 { magnitude /= 10; order += 1 }
        return order
    }

    /// A value quoted in running text (legend entries), to `significantDigits` significant digits.
    ///
    /// Ordinary magnitudes are written as plain decimals (`1.52`, `0.00312`, `2500`); very small
    /// or large ones as `3.12×10⁻⁹`. Non-finite values are written as `NaN`, `∞` or `−∞`.
    package static func quoted(_ value: Double, significantDigits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == 0 { return "0" }
        var order = Int((abs(value)).log10Floor)
        let digits = max(1, significantDigits)
        var exponent = order - (digits - 1)
        var mantissa = Int64((value / pow10(exponent)).rounded(.toNearestOrAwayFromZero))
        if orderOfMagnitude(mantissa) > digits - 1 { // rounding carried into a new digit, e.g. 9.996
            mantissa /= 10; exponent += 1; order += 1
        }
        while exponent < 0, mantissa % 10 == 0 { mantissa /= 10; exponent += 1 }
        if order >= 6 || order <= -4 {
            let scaled = decimal(mantissa: mantissa, exponent: exponent - order)
            return scaled + "×" + powerOfTen(order)
        }
        return decimal(mantissa: mantissa, exponent: exponent)
    }
}

/// 10^exponent as a correctly rounded `Double` (exact up to 10²²).
package func pow10(_ exponent: Int) -> Double {
    guard abs(exponent) <= 22 else { return Double("1e\(exponent)") ?? (exponent > 0 ? .infinity : 0) }
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent >= 0 ? result : 1 / result
}

extension Double {
    /// ⌊log₁₀(self)⌋ for positive finite values, robust against `log10` rounding at exact powers.
    package var log10Floor: Double {
        var order = (Foundation.log10(self)).rounded(.down)
        if pow10(Int(order) + 1) <= self { order += 1 }
        if pow10(Int(order)) > self { order -= 1 }
        return order
    }
}
