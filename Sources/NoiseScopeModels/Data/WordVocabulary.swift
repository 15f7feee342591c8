import NoiseScopeCore

/// A word-level vocabulary for tinygpt: the byte tokens plus the most frequent
/// words of a text, so that the targets have the Zipfian class imbalance of a
/// real language-model vocabulary (a few thousand classes, most of them rare)
/// rather than the milder one of bytes.
///
/// **Pieces.** A text is cut into pieces, left to right: a *word* is an
/// optional single space followed by a maximal run of ASCII letters (`" the"`,
/// `"Elizabeth"`, `" Darcy"`; the space belongs to the word after it, as in
/// GPT-2's tokeniser); every other byte (punctuation, digits, newlines, a space
/// not followed by a letter, any byte ≥ 128) is a piece of its own. Case is
/// kept: `" The"` and `" the"` are different words, so nothing has to be
/// remembered besides the ids.
///
/// **Ids.** Ids 0–255 are the bytes themselves. Ids 256… are the words of two
/// or more bytes, most frequent first (ties: the bytewise smaller word first),
/// up to `size` ids in all. A word piece with an id is encoded as that id; any
/// other piece (a byte, or a word outside the vocabulary) as its bytes. So
/// `decode(encode(x)) == x` for every byte sequence `x`, UTF-8 or not, and the
/// encoding is a pure function of the text the vocabulary was built from.
///
/// **Size.** `defaultSize` is 4096: 256 bytes and 3840 words. The bundled
/// novel has 8753 distinct words of two or more bytes, 4909 of them occurring
/// at least twice, so 4096 is the largest power of two at which every word
/// with an id occurs at least twice (a word seen once is in the training
/// windows or in the held-out ones, never learnable in both). There, 95.1 % of
/// word occurrences get their own id, the rest are spelled in bytes, and the
/// 684,768 bytes become 205,259 tokens. The vocabulary is built from the whole
/// text, held-out end included: what that reveals is only which words get an id.
package struct WordVocabulary: Sendable, Equatable {
    /// 256 byte ids and 3840 word ids (see the type's documentation for why).
    package static let defaultSize = 4096
    /// Ids below this are bytes.
    package static let byteCount = 256

    /// The words with an id, in id order: word k has id 256 + k.
    package let words: [[UInt8]]
    /// How often each word occurs as a piece of the text the vocabulary was built from;
    /// non-increasing in id order.
    package let wordCounts: [Int]
    private let idOfWord: [[UInt8]: Int32]

    /// The vocabulary of `text`: the bytes and its `size − 256` most frequent words
    /// (fewer when the text has fewer distinct words). `size` must be at least 256.
    package init(buildingFrom text: [UInt8], size: Int = defaultSize) throws {
        guard size >= Self.byteCount else {
            throw NoiseScopeError.invalidInput("a word vocabulary holds the 256 bytes and then words; its size must be at least 256, got \(size)")
        }
        var counts: [[UInt8]: Int] = [:]
        Self.forEachPiece(of: text) { range, isWord in
            if isWord && range.count >= 2 { counts[Array(text[range]), default: 0] += 1 }
        }
        let ranked = counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
        }.prefix(size - Self.byteCount)
        words = ranked.map(\.key)
        wordCounts = ranked.map(\.value)
        var ids: [[UInt8]: Int32] = [:]
        for (k, word) in words.enumerated() { ids[word] = Int32(Self.byteCount + k) }
        idOfWord = ids
    }

    /// Number of ids: 256 plus the words.
    package var size: Int { Self.byteCount + words.count }

    /// The tokens of `text`: a word's id where it has one, bytes otherwise.
    package func encode(_ text: [UInt8]) -> [Int32] {
        var tokens: [Int32] = []
        tokens.reserveCapacity(text.count / 3)
        Self.forEachPiece(of: text) { range, isWord in
            if isWord && range.count >= 2, let id = idOfWord[Array(text[range])] {
                tokens.append(id)
            } else {
                for i in range { tokens.append(Int32(text[i])) }
            }
        }
        return tokens
    }

    /// The bytes of `tokens` (each must be below `size`): the inverse of `encode`.
    package func decode<Tokens: Sequence>(_ tokens: Tokens) -> [UInt8] where Tokens.Element == Int32 {
        var text: [UInt8] = []
        for token in tokens {
            let id = Int(token)
            if id < Self.byteCount { text.append(UInt8(id)) } else { text += words[id - Self.byteCount] }
        }
        return text
    }

    /// Calls `body` with every piece of `text` in order: its byte range and
    /// whether it is a word (an optional space and a run of ASCII letters).
    /// The ranges tile the text exactly.
    static func forEachPiece(of text: [UInt8], _ body: (Range<Int>, _ isWord: Bool) -> Void) {
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        let space: UInt8 = 0x20
        var i = 0
        let n = text.count
        while i < n {
            let start = i
            var letters = i
            if text[i] == space, i + 1 < n, isLetter(text[i + 1]) { letters = i + 1 }
            if isLetter(text[letters]) {
                i = letters
                while i < n && isLetter(text[i]) { i += 1 }
                body(start..<i, true)
            } else {
                i += 1
                body(start..<i, false)
            }
        }
    }
}
