import Foundation

/// The one number formatter of the files and pages noisescope writes.
public enum NumberText {
    /// Every digit a Double holds (`%.17g`): what CSV files store, so that
    /// reading them back gives the same bits. A value that is not finite is
    /// written `inf`, `-inf` or `nan` (never glibc's `-nan`): the words
    /// numpy, pandas, Python's float() and noisescope's readers all take.
    public static func exact(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(format: "%.17g", x)
    }

    /// Four significant digits (`%.4g`), for people; "inf", "nan" as Swift
    /// prints them, and "n/a" for a value that is not there.
    public static func short(_ x: Double?) -> String {
        guard let x else { return "n/a" }
        return x.isFinite ? String(format: "%.4g", x) : "\(x)"
    }

    /// A CSV document: the header line, then one line per row, newline-terminated.
    public static func csv(header: String, rows: [String]) -> Data {
        Data((([header] + rows).joined(separator: "\n") + "\n").utf8)
    }
}
