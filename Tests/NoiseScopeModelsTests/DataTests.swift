import NoiseScopeCore
import Foundation
import XCTest
@testable import NoiseScopeModels

/// The loaders: window arithmetic, user-supplied text, error messages, digits parsing
/// and the Gaussian input vectors.
final class DataTests: XCTestCase {
    func temporaryFile(_ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("noisescope-\(UUID().uuidString).txt")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testCorpusWindows() throws {
        let corpus = try TestData.corpus(context: 64)
        XCTAssertEqual(corpus.bytes.count, 684_768)
        XCTAssertEqual(corpus.windowCount, 10_699)
        let (inputs, targets) = corpus.window(3)
        XCTAssertEqual(inputs, corpus.bytes[192..<256].map(Int32.init))
        XCTAssertEqual(targets, corpus.bytes[193..<257].map(Int32.init))
        // The last window's target ends inside the file.
        XCTAssertLessThanOrEqual(10_698 * 64 + 65, corpus.bytes.count)
    }

    func testUserTextFileAndTooShortError() throws {
        let url = try temporaryFile("abcdefghi")  // 9 bytes
        let corpus = try TextCorpus(contentsOf: url, contextLength: 4)
        XCTAssertEqual(corpus.windowCount, 2)  // ⌊8/4⌋
        XCTAssertEqual(corpus.window(1).inputs, "efgh".utf8.map(Int32.init))
        XCTAssertEqual(corpus.window(1).targets, "fghi".utf8.map(Int32.init))
        XCTAssertEqual(try TextCorpus(bytes: Array("abcde".utf8), contextLength: 4).windowCount, 1)  // exactly T + 1
        XCTAssertEqual(try TextCorpus(contentsOf: url, contextLength: 8).windowCount, 1)  // 9 = T + 1 bytes
        XCTAssertThrowsError(try TextCorpus(contentsOf: url, contextLength: 9)) { error in
            XCTAssertEqual(error as? NoiseScopeError, .textTooShort(path: url.path, bytes: 9, needed: 10, contextLength: 9))
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.path) && message.contains("9 bytes") && message.contains("context 9"),
                          message)
        }
        XCTAssertThrowsError(try TextCorpus(contentsOf: URL(fileURLWithPath: "/nonexistent/x.txt"), contextLength: 4))
    }

    func testDigits() throws {
        let digits = TestData.digits
        XCTAssertEqual(digits.count, 1797)
        XCTAssertEqual(digits.pixels.count, 1797 * 64)
        XCTAssertEqual(Array(digits.pixels[0..<8]), [0, 0, 5, 13, 9, 1, 0, 0])  // first row of the CSV
        XCTAssertEqual(digits.labels[0], 0)
        XCTAssertEqual(Set(digits.labels), Set(0...9))
        XCTAssertEqual(digits.pixels.max(), 16)
        let bad = try temporaryFile(String(repeating: "1,", count: 64) + "3\n" + String(repeating: "1,", count: 63) + "3\n")
        XCTAssertThrowsError(try DigitsDataset(contentsOf: bad)) { error in
            XCTAssertEqual(error as? NoiseScopeError, .malformedDigits(path: bad.path, line: 2, reason: "64 fields"))
        }
        let badPixel = try temporaryFile(String(repeating: "1,", count: 63) + "17,3\n")
        XCTAssertThrowsError(try DigitsDataset(contentsOf: badPixel))
    }

    func testGaussianInputs() {
        let g = GaussianInputs(seed: 0, contextLength: 64, dimension: 64)
        let w0 = g.vectors(window: 0), w0again = g.vectors(window: 0), w1 = g.vectors(window: 1)
        XCTAssertEqual(w0, w0again)
        XCTAssertNotEqual(w0, w1)
        XCTAssertNotEqual(w0, GaussianInputs(seed: 1, contextLength: 64, dimension: 64).vectors(window: 0))
        for t in 0..<64 {
            let v = Array(w0[(t * 64)..<((t + 1) * 64)])
            XCTAssertEqual(v.norm, 1, accuracy: 1e-14)
        }
        // Entries of a unit vector in R^64 with Gaussian direction: mean 0, variance 1/64.
        let all = (0..<50).flatMap { g.vectors(window: $0) }
        let mean = all.reduce(0, +) / Double(all.count)
        let variance = all.reduce(0) { $0 + $1 * $1 } / Double(all.count)
        XCTAssertEqual(mean, 0, accuracy: 4 * (1.0 / 64 / Double(all.count)).squareRoot())
        XCTAssertEqual(variance * 64, 1, accuracy: 0.02)
        // Distinct windows use distinct generator streams.
        XCTAssertEqual(Set((0..<20_000).map { g.streamSeed(window: $0) }).count, 20_000)
    }

    /// The Gaussian variant ignores the input bytes and keeps the targets: two corpora
    /// that differ only in byte 0 (window 0's first input, nobody's target) give the
    /// same window-0 loss with Gaussian input and different ones with token input.
    func testGaussianVariantIgnoresInputBytes() throws {
        var bytes = Array(try TestData.corpus(context: 8).bytes.prefix(200))
        let a = try TextCorpus(bytes: bytes, contextLength: 8)
        bytes[0] = bytes[0] == 65 ? 66 : 65
        let b = try TextCorpus(bytes: bytes, contextLength: 8)
        for gaussian in [true, false] {
            let config = TinyGPTConfiguration(contextLength: 8, width: 16, heads: 2, maxBatchSize: 1,
                                              gaussianInput: gaussian, seed: 5)
            let la = TinyGPT<Double>(configuration: config, corpus: a).loss(indices: [0])
            let lb = TinyGPT<Double>(configuration: config, corpus: b).loss(indices: [0])
            if gaussian { XCTAssertEqual(la, lb) } else { XCTAssertNotEqual(la, lb) }
        }
    }
}
