/// Text that is safe to print on a terminal: what came from a file or a flag
/// can hold escape sequences (retitle the window, move the cursor, hide text)
/// or be a 75 KB "line". Messages pass through `safeForTerminal` before they
/// reach stderr.
package enum TerminalText {
    /// `text` with every control character (C0 but the ones in `keep`, DEL, C1)
    /// written as a visible escape such as `\e`, `\x07` or `\u{9B}`, and cut
    /// to `limit` characters with a note of how much was left out.
    package static func safeForTerminal(_ text: String, limit: Int = 400, keep: Set<Unicode.Scalar> = []) -> String {
        var out = ""
        var length = 0
        var cut = 0
        for scalar in text.unicodeScalars {
            if length >= limit { cut += 1; continue }
            let piece: String
            if keep.contains(scalar) {
                piece = String(scalar)
            } else {
                switch scalar.value {
                case 0x1B: piece = "\\e"
                case 0x09: piece = "\\t"
                case 0x0A: piece = "\\n"
                case 0x0D: piece = "\\r"
                case 0x00..<0x20, 0x7F: piece = "\\x" + hex(scalar.value, digits: 2)
                case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                    // C1 controls (0x9B is a one-byte CSI) and the bidirectional overrides
                    // that can make a terminal show text in another order than it is.
                    piece = "\\u{" + hex(scalar.value, digits: 2) + "}"
                default: piece = String(scalar)
                }
            }
            out += piece
            length += 1
        }
        if cut > 0 { out += "… (\(cut) more characters)" }
        return out
    }

    /// Quotes a piece of input for a message: safe for the terminal and short.
    package static func quoted<S: StringProtocol>(_ input: S, limit: Int = 40) -> String {
        "'" + safeForTerminal(String(input), limit: limit) + "'"
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
