import Foundation
import NoiseScopeCore

/// A byte corpus cut into non-overlapping windows of `contextLength` bytes: window i
/// has inputs bytes [iT, iT+T) and targets bytes [iT+1, iT+T+1). The number of windows
/// is ⌊(bytes − 1)/T⌋; a trailing partial window is dropped. Any file works (the bytes
/// are the tokens, vocabulary 256).
public struct TextCorpus: Sendable {
    /// The raw bytes.
    public let bytes: [UInt8]
    /// Window length T.
    public let contextLength: Int
    /// Where the bytes came from (for messages and reports).
    public let source: String

    /// Wraps `bytes`; throws `NoiseScopeError.textTooShort` unless there are at least T + 1.
    public init(bytes: [UInt8], contextLength: Int, source: String = "<memory>") throws {
        precondition(contextLength > 0, "context length must be positive")
        guard bytes.count >= contextLength + 1 else {
            throw NoiseScopeError.textTooShort(path: source, bytes: bytes.count,
                                         needed: contextLength + 1, contextLength: contextLength)
        }
        self.bytes = bytes
        self.contextLength = contextLength
        self.source = source
    }

    /// Reads the whole file at `url` as bytes.
    public init(contentsOf url: URL, contextLength: Int) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NoiseScopeError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(bytes: [UInt8](data), contextLength: contextLength, source: url.path)
    }

    /// Number of complete windows.
    public var windowCount: Int { (bytes.count - 1) / contextLength }

    /// Writes window `i`'s T input and T target tokens.
    @inline(__always)
    func copyWindow(_ i: Int, inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) {
        let start = i * contextLength
        bytes.withUnsafeBufferPointer { b in
            for j in 0..<contextLength {
                inputs[j] = Int32(b[start + j])
                targets[j] = Int32(b[start + j + 1])
            }
        }
    }

    /// Window `i` as arrays (convenience for tests and export; allocates).
    public func window(_ i: Int) -> (inputs: [UInt8], targets: [UInt8]) {
        let start = i * contextLength
        return (Array(bytes[start..<(start + contextLength)]),
                Array(bytes[(start + 1)..<(start + contextLength + 1)]))
    }
}
