import NoiseScopeCore
import Foundation

/// Reads positive samples from a file or standard input in any `SampleFormat`.
public struct SampleReader: Sendable {
    /// Forces a format; nil infers it from the extension (plain text if none).
    public var format: SampleFormat?
    /// Column name or 1-based index (CSV, TSV, 2-D NPY).
    public var column: String?
    /// Field name (JSON lines).
    public var field: String?
    /// Who chose `column`, for messages; nil when the user gave it (--column).
    public var columnOrigin: String?

    public init(format: SampleFormat? = nil, column: String? = nil, field: String? = nil) {
        self.format = format
        self.column = column
        self.field = field
    }

    /// The largest input read whole: text takes several times its size once
    /// parsed, so a third of what a job may use.
    public static var inputByteLimit: Int {
        Int(min(MemoryBudget.physicalBytes * MemoryBudget.usableFraction / 3, Double(Int.max / 2)))
    }

    /// Reads `path`, or standard input when `path` is "-" (also FIFOs and
    /// `/dev/stdin`, read to their end).
    public func read(path: String) throws -> ReadSamples {
        try read(try InputFile(path: path))
    }

    /// Reads an input already opened (e.g. without following links); its path names it.
    package func read(_ input: InputFile) throws -> ReadSamples {
        try read(bytes: input.readAll(limit: Self.inputByteLimit), source: input.path)
    }

    /// Reads samples from bytes already in memory; `source` names them in messages.
    public func read(data: Data, source: String) throws -> ReadSamples {
        try read(bytes: [UInt8](data), source: source)
    }

    /// Refuses a column for plain text or JSON lines, and a field for anything
    /// but JSON lines: a selector the format has no use for was a mistake
    /// (the wrong file, or a missing --format), not something to ignore.
    package static func refuseUnusedSelectors(format: SampleFormat, column: String?, field: String?, source: String) throws {
        let shown = TerminalText.quoted(source, limit: 200)
        if let column, format == .text || format == .jsonl {
            throw NoiseScopeError.invalidSetting(.column, message: "\(TerminalText.quoted(column, limit: 60)) names a column of a CSV, TSV or 2-D .npy, but \(shown) is read as \(format.rawValue); drop --column, or say --format csv|tsv")
        }
        if let field, format != .jsonl {
            throw NoiseScopeError.invalidSetting(.field, message: "\(TerminalText.quoted(field, limit: 60)) names a field of JSON lines, but \(shown) is read as \(format.rawValue); drop --field, or say --format jsonl")
        }
    }

    func read(bytes: [UInt8], source: String) throws -> ReadSamples {
        let chosen = format ?? SampleFormat.inferred(fromPath: source) ?? .text
        try Self.refuseUnusedSelectors(format: chosen, column: column, field: field, source: source)
        if chosen == .npy {
            return try NumpyArrayReader(source: source, column: column, columnOrigin: columnOrigin).read(bytes)
        }
        let reader = DelimitedTextReader(source: source, column: column, field: field)
        switch chosen {
        case .csv: return try reader.readTable(bytes, separator: ",")
        case .tsv: return try reader.readTable(bytes, separator: "\t")
        case .jsonl: return try reader.readJSONLines(bytes)
        case .text, .npy: return try reader.readPlain(bytes)
        }
    }
}
