/// A tiny markup for subscripts and superscripts in titles, axis labels, legend entries and
/// annotations, so that `Var_n`, `g_B`, `x^{-α}` and `‖x_T‖` print as they would in a paper.
///
/// - `_c` / `^c`: the single character `c` lowered (subscript) or raised (superscript);
/// - `_{…}` / `^{…}`: everything up to the matching `}`;
/// - `\_`, `\^`, `\{`, `\}`, `\\`: the character itself.
///
/// A `_` or `^` with nothing after it is kept as text. Scripts do not nest: inside `_{…}` the
/// markup characters are plain text. Text without markup renders exactly as before, so
/// ordinary labels are unaffected; a literal underscore in a label (a file or variable name)
/// must be written `\_`.
///
/// In SVG a script becomes `<tspan baseline-shift="sub" font-size="…">` (or `super`) at
/// `scriptScale` of the surrounding size; `TextMetrics` measures scripts at that size too.
struct RichText: Equatable {
    enum Shift: Equatable { case none, sub, `super` }

    /// A piece of text with one vertical position.
    struct Run: Equatable {
        var text: String
        var shift: Shift
    }

    /// Size of scripts relative to the surrounding text (as in TeX's \scriptstyle, about 0.7).
    static let scriptScale = 0.7

    let runs: [Run]

    /// Parses `markup`; never fails (malformed markup is shown as text).
    init(_ markup: String) {
        var runs: [Run] = []
        func append(_ text: String, _ shift: Shift) {
            guard !text.isEmpty else { return }
            if let last = runs.last, last.shift == shift {
                runs[runs.count - 1].text += text
            } else {
                runs.append(Run(text: text, shift: shift))
            }
        }
        let characters = Array(markup)
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if c == "\\", i + 1 < characters.count, "_^{}\\".contains(characters[i + 1]) {
                append(String(characters[i + 1]), .none)
                i += 2
            } else if (c == "_" || c == "^"), i + 1 < characters.count {
                let shift: Shift = c == "_" ? .sub : .super
                if characters[i + 1] == "{", let close = characters[(i + 2)...].firstIndex(of: "}") {
                    append(String(characters[(i + 2)..<close]), shift)
                    i = close + 1
                } else {
                    append(String(characters[i + 1]), shift)
                    i += 2
                }
            } else {
                append(String(c), .none)
                i += 1
            }
        }
        self.runs = runs
    }

    /// The text without markup (for `<title>` and other plain-text places).
    var plain: String { runs.map(\.text).joined() }

    /// Whether any run is raised or lowered.
    var hasScripts: Bool { runs.contains { $0.shift != .none } }
}

extension SVGWriter {
    /// Writes `<name attributes>` with `markup` rendered as text and `<tspan>` scripts set at
    /// `RichText.scriptScale × fontSize`. Text without markup is written as `textElement` does.
    mutating func richTextElement(_ name: String, _ attributes: [(String, String)], markup: String,
                                  fontSize: Double) {
        let rich = RichText(markup)
        guard rich.hasScripts else {
            textElement(name, attributes, text: rich.plain)
            return
        }
        let scriptSize = svgNumber(fontSize * RichText.scriptScale)
        var content = ""
        for run in rich.runs {
            switch run.shift {
            case .none:
                content += xmlEscaped(run.text)
            case .sub, .super:
                content += "<tspan baseline-shift=\"" + (run.shift == .sub ? "sub" : "super")
                    + "\" font-size=\"" + scriptSize + "\">" + xmlEscaped(run.text) + "</tspan>"
            }
        }
        rawElement(name, attributes, content: content)
    }
}

/// Text for figures that comes from the user (a file name, a model or group
/// name): escaped so that the markup characters in it print as themselves.
package enum FigureText {
    /// `text` with `\`, `_`, `^`, `{` and `}` escaped for `RichText`.
    package static func literal(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\_^{}".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
