import Foundation

/// JSON as noisescope writes it: the same bytes every run (sorted keys,
/// two-space indentation), and valid even where an estimate is not finite.
/// JSON has no ±∞ or NaN, so such a number is written as null, and a
/// `nonfinite` object added at the top level names each of those fields
/// (as a dotted path) and what it was, so a script can tell "not computed"
/// from "infinite".
package enum JSONOutput {
    private static let marker = "\u{1}"

    package static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: marker + "+inf", negativeInfinity: marker + "-inf", nan: marker + "nan")
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        guard text.contains("\"\\u0001") else { return text + "\n" }
        return replacingNonFinite(text) + "\n"
    }

    /// Replaces every marked string by null and lists where they were. Works on
    /// JSONEncoder's pretty-printed layout: one member or element a line.
    static func replacingNonFinite(_ text: String) -> String {
        var stack: [(label: String, isArray: Bool, count: Int)] = []
        var found: [(path: String, what: String)] = []
        var lines: [String] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(rawLine)
            let indentation = line.prefix { $0 == " " }
            var body = line.dropFirst(indentation.count)
            let closing = body.hasPrefix("}") || body.hasPrefix("]")
            if closing {
                if !(body.hasPrefix("{}") || body.hasPrefix("[]")) { stack.removeLast() }
                lines.append(line)
                continue
            }
            var key: String? = nil
            if !(stack.last?.isArray ?? true), body.hasPrefix("\""), let end = closingQuote(body) {
                key = String(body[body.index(after: body.startIndex)..<end])
                body = body[body.index(after: end)...].drop { $0 == " " || $0 == ":" }
            }
            var label = key ?? ""
            if let top = stack.indices.last, stack[top].isArray {
                label = String(stack[top].count)
                stack[top].count += 1
            }
            let value = body.hasSuffix(",") ? body.dropLast() : body
            if value == "{" || value == "[" {
                stack.append((label, value == "[", 0))
            } else if value.hasPrefix("\"\\u0001") {
                let what = String(value.dropFirst(7).dropLast())
                let path = (stack.dropFirst().map(\.label) + [label]).joined(separator: ".")
                found.append((path, what))
                line = String(indentation) + (key.map { "\"\($0)\" : " } ?? "") + "null" + (body.hasSuffix(",") ? "," : "")
            }
            lines.append(line)
        }
        var result = lines.joined(separator: "\n")
        if result.hasSuffix("\n}"), !found.isEmpty {
            let entries = found.map { "    \"\($0.path)\" : \"\($0.what)\"" }.joined(separator: ",\n")
            result = String(result.dropLast(2)) + ",\n  \"nonfinite\" : {\n" + entries + "\n  }\n}"
        }
        return result
    }

    /// The index of the quote that closes the string starting at `text`'s first character.
    private static func closingQuote(_ text: Substring) -> Substring.Index? {
        var index = text.index(after: text.startIndex)
        var escaped = false
        while index < text.endIndex {
            let c = text[index]
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { return index }
            index = text.index(after: index)
        }
        return nil
    }
}
