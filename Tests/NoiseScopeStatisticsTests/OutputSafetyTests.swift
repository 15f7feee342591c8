import NoiseScopeCore
import Foundation
import XCTest
@testable import NoiseScopeStatistics

/// Terminal-safe messages, JSON that stays valid with non-finite numbers,
/// NumPy headers that lie, and the byte-level readers' edge cases.
final class OutputSafetyTests: XCTestCase {
    func testControlCharactersAreEscapedAndLongTextCut() {
        XCTAssertEqual(TerminalText.safeForTerminal("a\u{1B}[2Jb\u{07}\u{9B}c\u{202E}d"), "a\\e[2Jb\\x07\\u{9B}c\\u{202E}d")
        XCTAssertEqual(TerminalText.safeForTerminal("line\nnext", keep: ["\n"]), "line\nnext")
        XCTAssertEqual(TerminalText.safeForTerminal(String(repeating: "x", count: 50), limit: 10), "xxxxxxxxxx… (40 more characters)")
    }

    struct Sample: Encodable { var a: Double; var nested: [String: [Double]]; var seed: UInt64 }

    func testNonFiniteNumbersBecomeNullWithTheirPaths() throws {
        let text = try JSONOutput.encode(Sample(a: .infinity, nested: ["xs": [1, .nan, -.infinity]], seed: .max))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertTrue(json["a"] is NSNull)
        XCTAssertEqual(json["nonfinite"] as? [String: String], ["a": "+inf", "nested.xs.1": "nan", "nested.xs.2": "-inf"])
        XCTAssertTrue(text.contains("18446744073709551615"), "integers keep every digit")
        // Finite documents are untouched.
        XCTAssertFalse(try JSONOutput.encode(Sample(a: 1, nested: [:], seed: 1)).contains("nonfinite"))
    }

    func npy(_ shape: String, descr: String = "<f8", payload: [UInt8] = []) -> Data {
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(32) }
        header.append(10)
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + payload)
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    func testNumpyHeadersThatLieAreRefused() {
        let reader = SampleReader(format: .npy)
        XCTAssertTrue(message { try reader.read(data: self.npy("(-5,)"), source: "n.npy") }.contains("not a non-negative whole number"))
        XCTAssertTrue(message { try reader.read(data: self.npy("(9223372036854775807,)"), source: "n.npy") }.contains("too large to be a file's contents"))
        XCTAssertTrue(message { try reader.read(data: self.npy("(4611686018427387904, 4)"), source: "n.npy") }.contains("too large"))
        XCTAssertTrue(message { try reader.read(data: self.npy("(1000,)"), source: "n.npy") }.contains("truncated NumPy file: the header promises 1000 values"))
        XCTAssertTrue(message { try reader.read(data: Data([0x93] + Array("NUMPY".utf8) + [2, 0, 16, 0]), source: "n.npy") }.contains("truncated NumPy header (10 bytes)"))
        let good = npy("(2,)", payload: Array(Data(bytes: [1.5, 2.5] as [Double], count: 16)))
        XCTAssertEqual(try reader.read(data: good, source: "g.npy").values, [1.5, 2.5])
    }

    func testNumbersAreParsedStrictly() {
        XCTAssertEqual(ByteNumber.parse(Array(" 1.5e3\t".utf8)[...]), 1500)
        XCTAssertEqual(ByteNumber.parse(Array("-Infinity".utf8)[...]), -.infinity)
        XCTAssertTrue(ByteNumber.parse(Array("NaN".utf8)[...])?.isNaN ?? false)
        for bad in ["0x10", "1e", "e5", "", "  ", "1 2", "nan(12)", "1,5", "infinit"] {
            XCTAssertNil(ByteNumber.parse(Array(bad.utf8)[...]), bad)
        }
    }

    func testLinesSplitTheSameWhateverTheChunks() {
        // Short first lines, which arrive before the splitter knows whether a byte order mark begins the input.
        let cases: [(String, [String])] = [("\u{FEFF}1\r\n2\n\r\n3", ["1:1", "2:2", "3:", "4:3"]),
                                           ("7\n1.5\n2\n", ["1:7", "2:1.5", "3:2"]), ("7\n", ["1:7"]),
                                           ("\n\n3", ["1:", "2:", "3:3"]), ("#\n4", ["1:#", "2:4"]), ("\u{FEFF}", [])]
        for (input, expected) in cases { checkLines(input, expected) }
    }

    func checkLines(_ input: String, _ expected: [String]) {
        let text = Array(input.utf8)
        var whole: [String] = []
        TextLines.each(text) { whole.append("\($0):" + String(decoding: $1, as: UTF8.self)) }
        XCTAssertEqual(whole, expected, input)
        for size in 1...5 {
            var lines = TextLines(), pieces: [String] = []
            for start in stride(from: 0, to: text.count, by: size) {
                lines.feed(Array(text[start..<min(start + size, text.count)])) { pieces.append("\($0):" + String(decoding: $1, as: UTF8.self)) }
            }
            lines.finish { pieces.append("\($0):" + String(decoding: $1, as: UTF8.self)) }
            XCTAssertEqual(pieces, whole, "\(input.debugDescription) in chunks of \(size)")
        }
    }
}
