import Foundation

/// Reads positive samples from a file or standard input in any `SampleFormat`.
public struct SampleReader: Sendable {
    /// Forces a format; nil infers it from the extension (plain text if none).
    public var format: SampleFormat?
    /// Column name or 1-based index (CSV, TSV, 2-D NPY).
    public var column: String?
    /// Field name (JSON lines).
    public var field: String?

    public init(format: SampleFormat? = nil, column: String? = nil, field: String? = nil) {
        self.format = format
        self.column = column
        self.field = field
    }

    /// Reads `path`, or standard input when `path` is "-".
    public func read(path: String) throws -> ReadSamples {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw NoiseScopeError("\(path): no such file; check the path")
            }
            guard !isDirectory.boolValue else { throw NoiseScopeError("\(path) is a directory; give a file of samples") }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw NoiseScopeError("\(path): cannot be read (permissions?); check that it is readable")
            }
            data = contents
        }
        return try read(data: data, source: path)
    }

    /// Reads samples from bytes already in memory; `source` names them in messages.
    public func read(data: Data, source: String) throws -> ReadSamples {
        let chosen = format ?? SampleFormat.inferred(fromPath: source) ?? .text
        if chosen == .npy {
            return try NumpyArrayReader(source: source, column: column).read(data)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NoiseScopeError("\(source): not UTF-8 text; for binary arrays use a .npy file or --format npy")
        }
        let reader = DelimitedTextReader(source: source, column: column, field: field)
        switch chosen {
        case .csv: return try reader.readTable(text, separator: ",")
        case .tsv: return try reader.readTable(text, separator: "\t")
        case .jsonl: return try reader.readJSONLines(text)
        case .text, .npy: return try reader.readPlain(text)
        }
    }
}
