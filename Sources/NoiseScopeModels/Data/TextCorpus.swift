import Foundation
import NoiseScopeCore

/// A token corpus cut into non-overlapping windows of `contextLength` tokens: window i
/// has inputs tokens [iT, iT+T) and targets tokens [iT+1, iT+T+1). The number of windows
/// is ⌊(tokens − 1)/T⌋; a trailing partial window is dropped.
///
/// The tokens are either the bytes themselves (any file works; vocabulary 256), or the
/// ids of a `WordVocabulary` (vocabulary a few thousand), which decode back to the exact
/// bytes they were made from.
package struct TextCorpus: Sendable {
    /// The token ids, each below `vocabularySize`.
    package let tokens: [Int32]
    /// The word vocabulary that encoded the text; nil when the tokens are the bytes.
    package let wordVocabulary: WordVocabulary?
    /// Window length T.
    package let contextLength: Int
    /// Where the bytes came from (for messages and reports).
    package let source: String

    /// Wraps `bytes` as byte tokens; throws `NoiseScopeError.textTooShort` unless there are at least T + 1.
    package init(bytes: [UInt8], contextLength: Int, source: String = "<memory>") throws {
        precondition(contextLength > 0, "context length must be positive")
        guard bytes.count >= contextLength + 1 else {
            throw NoiseScopeError.textTooShort(path: source, bytes: bytes.count,
                                         needed: contextLength + 1, contextLength: contextLength)
        }
        self.tokens = bytes.map(Int32.init)
        self.wordVocabulary = nil
        self.contextLength = contextLength
        self.source = source
    }

    /// Encodes `bytes` with `wordVocabulary`; throws unless there are at least T + 1 tokens.
    package init(bytes: [UInt8], wordVocabulary: WordVocabulary, contextLength: Int, source: String = "<memory>") throws {
        precondition(contextLength > 0, "context length must be positive")
        let tokens = wordVocabulary.encode(bytes)
        guard tokens.count >= contextLength + 1 else {
            throw NoiseScopeError.invalidSetting(.context, message: "\(TerminalText.safeForTerminal(source, limit: 200)) has \(tokens.count) word tokens, but one window of context \(contextLength) needs at least \(contextLength + 1); use a smaller context length")
        }
        self.tokens = tokens
        self.wordVocabulary = wordVocabulary
        self.contextLength = contextLength
        self.source = source
    }

    /// Reads the whole file at `url` as bytes.
    package init(contentsOf url: URL, contextLength: Int) throws {
        try self.init(bytes: try Self.bytes(of: url), contextLength: contextLength, source: url.path)
    }

    /// The whole file at `url`.
    package static func bytes(of url: URL) throws -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: url)) } catch {
            throw NoiseScopeError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Number of token ids: 256 for bytes, the word vocabulary's size otherwise.
    package var vocabularySize: Int { wordVocabulary?.size ?? WordVocabulary.byteCount }

    /// The bytes of `tokens` of this corpus (the inverse of the encoding).
    package func text<Tokens: Sequence>(of tokens: Tokens) -> [UInt8] where Tokens.Element == Int32 {
        wordVocabulary?.decode(tokens) ?? tokens.map { UInt8(truncatingIfNeeded: $0) }
    }

    /// The whole text as bytes, decoded from the tokens (allocates).
    package var bytes: [UInt8] { text(of: tokens) }

    /// Number of complete windows.
    package var windowCount: Int { (tokens.count - 1) / contextLength }

    /// Writes window `i`'s T input and T target tokens.
    @inline(__always)
    func copyWindow(_ i: Int, inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) {
        let start = i * contextLength
        tokens.withUnsafeBufferPointer { b in
            for j in 0..<contextLength {
                inputs[j] = b[start + j]
                targets[j] = b[start + j + 1]
            }
        }
    }

    /// Window `i`'s tokens as arrays (convenience for tests and export; allocates).
    package func window(_ i: Int) -> (inputs: [Int32], targets: [Int32]) {
        let start = i * contextLength
        return (Array(tokens[start..<(start + contextLength)]),
                Array(tokens[(start + 1)..<(start + contextLength + 1)]))
    }
}
