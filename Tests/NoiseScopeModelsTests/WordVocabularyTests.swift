import Foundation
import NoiseScopeCore
import XCTest
@testable import NoiseScopeModels

/// The word-level vocabulary: exact round trip on the novel and on arbitrary
/// bytes, its size, and its Zipfian order.
final class WordVocabularyTests: XCTestCase {
    static let novel: [UInt8] = [UInt8]((try? Data(contentsOf: TestData.corpusURL)) ?? Data())
    static let vocabulary = try? WordVocabulary(buildingFrom: novel)

    func novelVocabulary() throws -> WordVocabulary {
        XCTAssertEqual(Self.novel.count, 684_768)
        return try XCTUnwrap(Self.vocabulary)
    }

    func testTheNovelRoundTrips() throws {
        let vocabulary = try novelVocabulary()
        let tokens = vocabulary.encode(Self.novel)
        XCTAssertEqual(vocabulary.decode(tokens), Self.novel)
        XCTAssertTrue(tokens.allSatisfy { $0 >= 0 && Int($0) < vocabulary.size })
        // The token count, and how many are words with an id, computed another way:
        // ICU's regular expressions find the words (" ?[A-Za-z]+", leftmost-longest),
        // a word with an id is one token and any other byte is one token each.
        let words = Self.regexWords(of: Self.novel)
        let known = Set(vocabulary.words)
        let wordBytes = words.reduce(0) { $0 + $1.count }
        let knownWords = words.filter { known.contains($0) }
        let expected = knownWords.count + (Self.novel.count - knownWords.reduce(0) { $0 + $1.count })
        XCTAssertEqual(tokens.count, expected)
        XCTAssertEqual(tokens.filter { $0 >= 256 }.count, knownWords.count)
        XCTAssertGreaterThan(wordBytes, Self.novel.count / 2)
    }

    /// Every word of `text` as the vocabulary's rule defines one (an optional
    /// space and a run of ASCII letters), found by NSRegularExpression.
    static func regexWords(of text: [UInt8]) -> [[UInt8]] {
        let string = String(decoding: text, as: UTF8.self)
        guard let expression = try? NSRegularExpression(pattern: " ?[A-Za-z]+") else { return [] }
        let whole = NSRange(string.startIndex..., in: string)
        return expression.matches(in: string, range: whole).compactMap { match in
            Range(match.range, in: string).map { Array(string[$0].utf8) }
        }
    }

    func testArbitraryBytesRoundTrip() throws {
        let novelVocabulary = try novelVocabulary()
        let random = RandomSource(seed: 15)
        // Uniform bytes (almost never valid UTF-8), and text-like bytes: letters, spaces and high bytes.
        let textLike: [UInt8] = Array(" etaoinshrdlu ETAOIN\n,.\"'".utf8) + [0x80, 0xC3, 0xFF, 0x00]
        for trial in 0..<40 {
            let count = random.index(below: 3000)
            let bytes: [UInt8] = (0..<count).map { _ in
                trial % 2 == 0 ? UInt8(random.index(below: 256)) : textLike[random.index(below: textLike.count)]
            }
            XCTAssertEqual(novelVocabulary.decode(novelVocabulary.encode(bytes)), bytes, "trial \(trial)")
            // A vocabulary of the random text itself, small enough that some of its words fall back to bytes.
            let own = try WordVocabulary(buildingFrom: bytes, size: 260)
            XCTAssertEqual(own.decode(own.encode(bytes)), bytes, "trial \(trial), own vocabulary")
        }
        let invalidUTF8: [UInt8] = [0xC3, 0x28, 0x20, 0x74, 0x68, 0x65, 0xFF, 0xFE, 0x20, 0x20, 0x61, 0xED, 0xA0, 0x80]
        XCTAssertNil(String(validating: invalidUTF8, as: UTF8.self))
        XCTAssertEqual(novelVocabulary.decode(novelVocabulary.encode(invalidUTF8)), invalidUTF8)
        XCTAssertEqual(novelVocabulary.encode([]), [])
        XCTAssertThrowsError(try WordVocabulary(buildingFrom: invalidUTF8, size: 255))
    }

    func testPiecesAndIds() throws {
        let text = Array("  the cat, The cat\ncat 12 a".utf8)
        var pieces: [String] = []
        WordVocabulary.forEachPiece(of: text) { range, isWord in
            pieces.append((isWord ? "w:" : "b:") + String(decoding: text[range], as: UTF8.self))
        }
        XCTAssertEqual(pieces, ["b: ", "w: the", "w: cat", "b:,", "w: The", "w: cat", "b:\n", "w:cat", "b: ", "b:1", "b:2", "w: a"])
        let vocabulary = try WordVocabulary(buildingFrom: text, size: 259)
        // " cat" (twice) first; then " The", " a", " the" (once each, bytewise order) fill the two places left.
        XCTAssertEqual(vocabulary.words.map { String(decoding: $0, as: UTF8.self) }, [" cat", " The", " a"])
        XCTAssertEqual(vocabulary.wordCounts, [2, 1, 1])
        XCTAssertEqual(vocabulary.size, 259)
        // " the" has no id: its four bytes; "cat" after a newline is another word than " cat".
        XCTAssertEqual(vocabulary.encode(Array(" the cat\ncat".utf8)), [32, 116, 104, 101, 256, 10, 99, 97, 116])
    }

    /// 4096 ids: the 256 bytes and 3840 words, every one occurring at least
    /// twice, counts non-increasing in id order, and a rank–frequency slope
    /// near Zipf's −1.
    func testTheNovelsVocabularyIsZipfian() throws {
        let vocabulary = try novelVocabulary()
        XCTAssertEqual(vocabulary.size, WordVocabulary.defaultSize)
        XCTAssertEqual(vocabulary.words.count, 3840)
        XCTAssertEqual(Set(vocabulary.words).count, 3840)
        XCTAssertTrue(zip(vocabulary.wordCounts, vocabulary.wordCounts.dropFirst()).allSatisfy { $0 >= $1 })
        XCTAssertEqual(vocabulary.wordCounts.last, 2)
        // The most frequent words and their counts, counted from the regular expression's words
        // (ties broken bytewise, as the vocabulary does).
        var counts: [[UInt8]: Int] = [:]
        for word in Self.regexWords(of: Self.novel) { counts[word, default: 0] += 1 }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }.prefix(3)
        XCTAssertEqual(Array(vocabulary.words.prefix(3)), top.map(\.key))
        XCTAssertEqual(Array(vocabulary.wordCounts.prefix(3)), top.map(\.value))
        XCTAssertEqual(top.map { String(decoding: $0.key, as: UTF8.self) }, [" to", " the", " of"])
        // Least-squares slope of log count against log rank over ranks 10–1000.
        let points = (10...1000).map { (log(Double($0)), log(Double(vocabulary.wordCounts[$0 - 1]))) }
        let mx = points.reduce(0) { $0 + $1.0 } / Double(points.count), my = points.reduce(0) { $0 + $1.1 } / Double(points.count)
        let slope = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        XCTAssertEqual(slope, -1, accuracy: 0.2)
    }

    /// A word corpus needs T + 1 tokens, not bytes: 11 bytes that make 3 tokens hold no window of 3.
    func testACorpusShorterThanOneWindowOfTokensIsRefused() throws {
        let text = Array("the cat cat".utf8)
        let vocabulary = try WordVocabulary(buildingFrom: text)
        XCTAssertEqual(try TextCorpus(bytes: text, wordVocabulary: vocabulary, contextLength: 2).windowCount, 1)
        XCTAssertThrowsError(try TextCorpus(bytes: text, wordVocabulary: vocabulary, contextLength: 3)) { error in
            guard case .invalidSetting(.context, _)? = error as? NoiseScopeError else { return XCTFail("\(error)") }
        }
    }

    func testTheSameTextGivesTheSameVocabulary() throws {
        let text = Array(Self.novel.prefix(50_000))
        XCTAssertEqual(try WordVocabulary(buildingFrom: text, size: 1000), try WordVocabulary(buildingFrom: text, size: 1000))
    }
}
