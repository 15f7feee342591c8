/// A title set to fit the width it has (a panel title over its cell, a figure title over the
/// page), measured with `TextMetrics`.
///
/// In order of preference: one line at the base size; one line shrunk a little, down to
/// `smallestShrunkSize`; and when that is still too wide, the title wrapped at its spaces onto
/// as few lines as it needs at the base size, their lengths evened out. A word too wide for a line on its own (a long
/// path, say) is set smaller, down to `minimumFontSize`, and cut with an ellipsis if it still
/// does not fit. So no title runs past the room it is given, and none is set so small that it
/// cannot be read (the renderer used to shrink titles to 10 px and let them run on from there).
struct TitleLayout: Equatable {
    /// A one-line title is shrunk to no less than this; one that needs more is wrapped.
    static let smallestShrunkSize = 12.0
    /// The smallest size of any title: a single word too wide at the base size is set
    /// smaller, down to this, before it is cut.
    static let minimumFontSize = 10.0
    /// Distance between the baselines of wrapped lines, in units of the font size.
    static let lineSpacing = 1.2

    /// The lines, top to bottom (markup kept, as `RichText` reads it).
    var lines: [String]
    var fontSize: Double

    /// Distance between consecutive baselines in pixels.
    var lineHeight: Double { fontSize * TitleLayout.lineSpacing }
    /// Height the lines take beyond a single line.
    var extraHeight: Double { Double(max(0, lines.count - 1)) * lineHeight }

    /// `text` set at `base` pixels (bold or not) within `room` pixels.
    init(_ text: String, base: Double, bold: Bool, room: Double) {
        let width = TextMetrics.width(of: text, fontSize: base, bold: bold)
        guard width > room, width > 0 else {
            self.init(lines: [text], fontSize: base)
            return
        }
        let shrunk = (base * room / width * 10).rounded(.down) / 10
        if shrunk >= TitleLayout.smallestShrunkSize {
            self.init(lines: [text], fontSize: shrunk)
            return
        }
        // Wrapped at the base size unless a single word needs a smaller one.
        let words = TitleLayout.words(text)
        let widest = words.map { TextMetrics.width(of: $0, fontSize: base, bold: bold) }.max() ?? 0
        var size = base
        if widest > room, widest > 0 {
            size = max(TitleLayout.minimumFontSize, (base * room / widest * 10).rounded(.down) / 10)
        }
        // As few lines as fit the room, then as even as they can be: the narrowest width that
        // still gives that many lines (so a two-line title does not leave one word on its own).
        func wrapped(_ width: Double) -> [String] {
            var lines: [String] = []
            var line = ""
            for word in words {
                let candidate = line.isEmpty ? word : line + " " + word
                if line.isEmpty || TextMetrics.width(of: candidate, fontSize: size, bold: bold) <= width {
                    line = candidate
                } else {
                    lines.append(line)
                    line = word
                }
            }
            if !line.isEmpty { lines.append(line) }
            return lines
        }
        let fewest = wrapped(room).count
        var low = 0.0, high = room
        for _ in 0..<30 {
            let middle = (low + high) / 2
            if wrapped(middle).count <= fewest { high = middle } else { low = middle }
        }
        self.init(lines: wrapped(high).map { TitleLayout.cut($0, fontSize: size, bold: bold, room: room) }, fontSize: size)
    }

    init(lines: [String], fontSize: Double) {
        self.lines = lines
        self.fontSize = fontSize
    }

    /// The words of `text`: split at spaces, except inside a `{…}` script group, so that
    /// markup is never cut in two.
    static func words(_ text: String) -> [String] {
        var words: [String] = [], word = ""
        var depth = 0, escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "{" {
                depth += 1
            } else if character == "}" {
                depth = max(0, depth - 1)
            } else if character == " ", depth == 0 {
                if !word.isEmpty { words.append(word) }
                word = ""
                continue
            }
            word.append(character)
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    /// `line` if it fits in `room`, else as many of its leading characters as fit before "…".
    static func cut(_ line: String, fontSize: Double, bold: Bool, room: Double) -> String {
        guard TextMetrics.width(of: line, fontSize: fontSize, bold: bold) > room else { return line }
        var kept = Array(line)
        while !kept.isEmpty, TextMetrics.width(of: String(kept) + "…", fontSize: fontSize, bold: bold) > room {
            kept.removeLast()
        }
        return String(kept) + "…"
    }
}
