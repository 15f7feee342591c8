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
    public var lines: [Int]? {
        get { lineRuns.map { runs in values.indices.map(runs.line(at:)) } }
        set { lineRuns = newValue.map(LineRuns.init) }
    }
    /// The same, stored as runs of consecutive lines: a value a line without
    /// blank lines needs no storage beyond the first (not 8 bytes a value).
    var lineRuns: LineRuns?
    /// The file they came from ("-" for standard input).
    public var source: String

    init(values: [Double], lines: [Int]?, source: String) {
        self.values = values
        self.lineRuns = lines.map(LineRuns.init)
        self.source = source
    }

    init(values: [Double], lineRuns: LineRuns, source: String) {
        self.values = values
        self.lineRuns = lineRuns
        self.source = source
    }

    /// "FILE line 7" or "FILE element 7", for messages about value `index`.
    public func describe(index: Int) -> String {
        if let lineRuns { return "\(source) line \(lineRuns.line(at: index))" }
        return "\(source) element \(index + 1)"
    }
}

/// The line of each value, as runs: value `starts[r] + i` is on line
/// `firstLines[r] + i` until the next run starts.
struct LineRuns: Sendable, Equatable {
    private var starts: [Int] = []
    private var firstLines: [Int] = []
    private(set) var count = 0

    init() {}

    init(_ lines: [Int]) {
        for line in lines { append(line) }
    }

    /// The line of the next value.
    @inline(__always) mutating func append(_ line: Int) {
        if let start = starts.last, let first = firstLines.last, line == first + (count - start) {
            count += 1
            return
        }
        starts.append(count)
        firstLines.append(line)
        count += 1
    }

    func line(at index: Int) -> Int {
        // The last run starting at or before `index`.
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= index { low = middle } else { high = middle - 1 }
        }
        return firstLines[low] + (index - starts[low])
    }
}
