/// The file formats samples can be read from.
public enum SampleFormat: String, Sendable, CaseIterable {
    /// One number a line; blank lines and lines starting with # are skipped.
    case text
    /// Comma-separated columns, an optional header row.
    case csv
    /// Tab-separated columns, an optional header row.
    case tsv
    /// NumPy .npy: little-endian float32/float64/int32/int64, 1-D or 2-D.
    case npy
    /// JSON lines: one object a line, the samples in one numeric field.
    case jsonl

    /// The format a file name's extension implies; nil when it implies none
    /// (then plain text is assumed).
    public static func inferred(fromPath path: String) -> SampleFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "txt", "dat", "log", "out": return .text
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "npy": return .npy
        case "jsonl", "ndjson": return .jsonl
        default: return nil
        }
    }
}

/// Samples as read, with where each came from, for error messages.
public struct ReadSamples: Sendable {
    public var values: [Double]
    /// The line of each value in its file (1-based), or nil for formats without lines (NPY).
    public var lines: [Int]?
    /// The file they came from ("-" for standard input).
    public var source: String

    /// "FILE line 7" or "FILE element 7", for messages about value `index`.
    public func describe(index: Int) -> String {
        if let lines { return "\(source) line \(lines[index])" }
        return "\(source) element \(index + 1)"
    }
}
