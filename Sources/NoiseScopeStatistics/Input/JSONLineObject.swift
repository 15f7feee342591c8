#if canImport(Glibc)
import NoiseScopeCore
import Glibc
#endif

/// The top-level fields of one JSON object on one line, parsed strictly
/// (RFC 8259) so that a bad line is named for what is wrong with it: a
/// number out of the range of a double, a duplicate key, a value that is a
/// string or a boolean, text after the object. Nested objects and arrays are
/// checked and skipped: samples live in top-level numeric fields. Python's
/// NaN, Infinity and -Infinity are accepted (as non-finite numbers).
struct JSONLineObject {
    enum Value: Equatable {
        case number(Double)
        case string
        case boolean(Bool)
        case null
        case composite

        /// How a message names it.
        var kindName: String {
            switch self {
            case .number: return "a number"
            case .string: return "a string"
            case .boolean(let b): return "\(b), a boolean"
            case .null: return "null"
            case .composite: return "an object or array"
            }
        }
    }

    /// Why a line is not an object of usable fields, in words for a message.
    struct Problem: Error { var reason: String }

    var fields: [(key: String, value: Value)] = []

    func value(of key: String) -> Value? { fields.first { $0.key == key }?.value }

    /// Parses `bytes` (one line, without its newline).
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> JSONLineObject {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        guard parser.peek == UInt8(ascii: "{") else {
            throw Problem(reason: parser.atEnd ? "empty line" : "not a JSON object (a line must start with '{')")
        }
        parser.index += 1
        var object = JSONLineObject()
        parser.skipSpace()
        if parser.peek == UInt8(ascii: "}") {
            parser.index += 1
        } else {
            while true {
                parser.skipSpace()
                guard parser.peek == UInt8(ascii: "\"") else { throw parser.problem("expected a quoted key") }
                let key = try parser.string()
                // A line has a few keys: comparing with each beats hashing into a set.
                guard !object.fields.contains(where: { $0.key == key }) else {
                    throw Problem(reason: "duplicate key \(TerminalText.quoted(key)); each field may appear once")
                }
                parser.skipSpace()
                guard parser.peek == UInt8(ascii: ":") else { throw parser.problem("expected ':' after a key") }
                parser.index += 1
                parser.skipSpace()
                object.fields.append((key, try parser.value(depth: 0)))
                parser.skipSpace()
                if parser.peek == UInt8(ascii: ",") { parser.index += 1; continue }
                if parser.peek == UInt8(ascii: "}") { parser.index += 1; break }
                throw parser.problem("expected ',' or '}'")
            }
        }
        parser.skipSpace()
        guard parser.atEnd else { throw parser.problem("text after the object") }
        return object
    }

    private struct Parser {
        /// The line, read in place (its indices are those of the whole input).
        let bytes: ArraySlice<UInt8>
        var index: Int
        var atEnd: Bool { index >= bytes.endIndex }
        var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        func problem(_ what: String) -> Problem {
            Problem(reason: atEnd ? "\(what), found the end of the line" : "\(what) at character \(index - bytes.startIndex + 1)")
        }

        mutating func skipSpace() {
            while let byte = peek, byte == 32 || byte == 9 || byte == 10 || byte == 13 { index += 1 }
        }

        mutating func string() throws -> String {
            index += 1
            // Most keys hold no escapes and no control characters: read them in place.
            var end = index
            while end < bytes.endIndex, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 32 { end += 1 }
            if end < bytes.endIndex && bytes[end] == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[index..<end], as: UTF8.self)
                index = end + 1
                return text
            }
            var out: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { throw problem("unfinished escape in a string") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.endIndex,
                              let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                            throw problem("bad \\u escape")
                        }
                        index += 4
                        out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "b"): out.append(8)
                    case UInt8(ascii: "f"): out.append(12)
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    default: throw problem("bad escape in a string")
                    }
                case 0..<32: throw problem("control character in a string")
                default: out.append(byte)
                }
            }
            throw problem("unterminated string")
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < 64 else { throw problem("nesting deeper than 64 levels") }
            guard let byte = peek else { throw problem("expected a value") }
            switch byte {
            case UInt8(ascii: "\""): _ = try string(); return .string
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                index += 1
                skipSpace()
                if peek == close { index += 1; return .composite }
                while true {
                    skipSpace()
                    if close == UInt8(ascii: "}") {
                        guard peek == UInt8(ascii: "\"") else { throw problem("expected a quoted key") }
                        _ = try string()
                        skipSpace()
                        guard peek == UInt8(ascii: ":") else { throw problem("expected ':' after a key") }
                        index += 1
                        skipSpace()
                    }
                    _ = try value(depth: depth + 1)
                    skipSpace()
                    if peek == UInt8(ascii: ",") { index += 1; continue }
                    if peek == close { index += 1; return .composite }
                    throw problem("expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
            case UInt8(ascii: "t"): try literal("true"); return .boolean(true)
            case UInt8(ascii: "f"): try literal("false"); return .boolean(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            // Python's json module writes these unless told not to; they read as
            // non-finite values, which the cleaner drops (and counts) or refuses.
            case UInt8(ascii: "N"): try literal("NaN"); return .number(.nan)
            case UInt8(ascii: "I"): try literal("Infinity"); return .number(.infinity)
            case UInt8(ascii: "-") where index + 1 < bytes.endIndex && bytes[index + 1] == UInt8(ascii: "I"):
                index += 1
                try literal("Infinity")
                return .number(-.infinity)
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.endIndex, bytes[index..<index + expected.count].elementsEqual(expected) else {
                throw problem("unknown word (JSON has true, false, null; NaN and Infinity are read as missing)")
            }
            index += expected.count
        }

        /// A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        mutating func number() throws -> Double {
            let start = index
            func digits() -> Int { let s = index; while let b = peek, b >= 48 && b <= 57 { index += 1 }; return index - s }
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, first >= 48 && first <= 57 else {
                index = start
                throw problem("expected a value (a number, string, true, false, null, object or array)")
            }
            if first == 48 { index += 1 } else { _ = digits() }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw problem("a number needs digits after '.'") }
            }
            if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                index += 1
                if let sign = peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw problem("a number needs digits in its exponent") }
            }
            let text = bytes[start..<index]
            guard let value = ByteNumber.parse(text) else { throw problem("malformed number") }
            guard value.isFinite else {
                throw Problem(reason: "the number \(TerminalText.quoted(String(decoding: text, as: UTF8.self))) is out of the range of a double (±1.8e308)")
            }
            return value
        }
    }
}
