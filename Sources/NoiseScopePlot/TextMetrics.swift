/// Approximate text widths, used for layout: margins, legend size and tick-label overlap checks.
///
/// SVG has no way to measure text before a viewer renders it, so the renderer estimates widths
/// from the advance widths of DejaVu Sans (the usual `sans-serif` on Linux, and wider than
/// Helvetica or Arial, so estimates err on the side of more room). Widths are in units of the
/// font size.
enum TextMetrics {
    /// Estimated width in pixels of `text` set at `fontSize` pixels; bold text is about 8 % wider.
    /// `text` is read as `RichText` markup: subscripts and superscripts count at their smaller
    /// size and the markup characters themselves take no room.
    static func width(of text: String, fontSize: Double, bold: Bool = false) -> Double {
        var em = 0.0
        for run in RichText(text).runs {
            let scale = run.shift == .none ? 1 : RichText.scriptScale
            for scalar in run.text.unicodeScalars {
                em += advance(of: scalar) * scale
            }
        }
        return em * fontSize * (bold ? 1.08 : 1.0)
    }

    private static func advance(of scalar: Unicode.Scalar) -> Double {
        switch scalar {
        case "0"..."9": return 0.636
        case " ", ".", ",", ":", ";", "!", "|": return 0.318
        case "i", "j", "l", "I": return 0.28
        case "f", "t", "r", "(", ")", "[", "]", "-", "/", "'": return 0.39
        case "m", "w": return 0.9
        case "M", "W", "%": return 0.95
        case "a"..."z": return 0.61
        case "A"..."Z": return 0.72
        case "=", "+", "<", ">", "×", "≥", "≤", "−", "~": return 0.838
        case "_": return 0.5
        case "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "⁻": return 0.401
        case "\u{0300}"..."\u{036F}": return 0 // combining marks, e.g. the hat in α̂
        default:
            // Subscript letters, Greek and other symbols: a middle-of-the-road width.
            return scalar.value >= 0x1D00 && scalar.value <= 0x209F ? 0.42 : 0.65
        }
    }
}
