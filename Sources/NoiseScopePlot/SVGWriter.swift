/// Low-level SVG text output: number formatting, XML escaping and an element writer.
///
/// Everything that ends up in the file goes through this type, so the bytes are deterministic:
/// numbers are formatted by integer arithmetic (never by `String(format:)`, never locale-dependent,
/// never in exponent notation), attributes are written in the order given, and text is escaped.

/// Formats a coordinate or length for an SVG attribute.
///
/// The value is rounded to `decimals` places and trailing zeros are trimmed, so `12.5` becomes
/// `"12.5"`, `3.0` becomes `"3"`, `-0.001` becomes `"0"` and `1e-5` becomes `"0"`. Magnitudes are
/// clamped to one billion, far beyond any figure size, so the integer arithmetic cannot overflow.
/// Non-finite input is written as `"0"`; callers drop such points before they get here.
func svgNumber(_ value: Double, decimals: Int = 2) -> String {
    guard value.isFinite else { return "0" }
    let scale = pow10Int(decimals)
    let clamped = min(abs(value), 1e9)
    let scaled = Int64((clamped * Double(scale)).rounded(.toNearestOrAwayFromZero))
    if scaled == 0 { return "0" }
    let integerPart = scaled / scale
    var fraction = scaled % scale
    var text = value < 0 ? "-" : ""
    text += String(integerPart)
    if fraction != 0 {
        var digits = decimals
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let fractionText = String(fraction)
        text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }
    return text
}

/// 10^exponent as an integer, for small non-negative exponents.
func pow10Int(_ exponent: Int) -> Int64 {
    var result: Int64 = 1
    for _ in 0..<max(0, exponent) { result *= 10 }
    return result
}

/// Escapes text for use in XML character data and attribute values.
///
/// The five XML special characters `<`, `&`, `>`, `"` and `'` become entities. Control
/// characters other than tab, line feed and carriage return are not allowed in XML 1.0 at all,
/// so they are removed rather than producing a file no parser accepts.
package func xmlEscaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&apos;"
        case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// Appends SVG elements to a string, one element per line.
///
/// Attributes are `(name, value)` pairs written in the given order; values are escaped here,
/// so callers pass raw text.
struct SVGWriter {
    private(set) var output = ""

    /// Writes `<name attr="value" ...>` and leaves the element open.
    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        output += "<" + name + formatted(attributes) + ">\n"
    }

    /// Closes an element opened with `open`.
    mutating func close(_ name: String) {
        output += "</" + name + ">\n"
    }

    /// Writes a self-closing element `<name attr="value" .../>`.
    mutating func element(_ name: String, _ attributes: [(String, String)]) {
        output += "<" + name + formatted(attributes) + "/>\n"
    }

    /// Writes an element whose only content is escaped text, e.g. `<text ...>label</text>`.
    mutating func textElement(_ name: String, _ attributes: [(String, String)], text: String) {
        output += "<" + name + formatted(attributes) + ">" + xmlEscaped(text) + "</" + name + ">\n"
    }

    /// Writes an element around `content`, which must already be escaped markup (used for text
    /// with `<tspan>` children).
    mutating func rawElement(_ name: String, _ attributes: [(String, String)], content: String) {
        output += "<" + name + formatted(attributes) + ">" + content + "</" + name + ">\n"
    }

    /// Appends a line verbatim (used for the XML declaration).
    mutating func raw(_ line: String) {
        output += line + "\n"
    }

    private func formatted(_ attributes: [(String, String)]) -> String {
        var text = ""
        for (name, value) in attributes {
            text += " " + name + "=\"" + xmlEscaped(value) + "\""
        }
        return text
    }
}
