import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics
#if canImport(Glibc)
import Glibc
#endif

/// The byte parser must give bit for bit what the readers gave before it:
/// `strtod` on every number form, nil for every non-number, the same NaN and
/// infinities for the words. Counts are asserted so that a silent skip fails.
final class DecimalNumberTests: XCTestCase {
    /// The reader as it was before the fast parser: an allowed-character check,
    /// the words, then strtod, which must read every byte.
    static func legacy(_ text: String) -> Double? {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 32 || first == 9 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 32 || last == 9 { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count <= 400 else { return nil }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            default:
                if "nainfty".utf8.contains(byte | 0x20) { continue }
                return nil
            }
        }
        if bytes.contains(where: { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) != UInt8(ascii: "e") }) {
            switch String(decoding: bytes.map { $0 | 0x20 }, as: UTF8.self) {
            case "nan", "+nan", "-nan": return .nan
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: return nil
            }
        }
        return strtodWhole(String(decoding: bytes, as: UTF8.self))
    }

    static func strtodWhole(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        return text.withCString { start in
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(start, &end)
            return end.map { $0 - UnsafeMutablePointer(mutating: start) } == text.utf8.count ? value : nil
        }
    }

    static func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalNumber.parse($0) }
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool { a?.bitPattern == b?.bitPattern }

    func testEdgeCasesAsBefore() {
        let cases = [
            "0", "-0", "+0", "0.0", "-0.0", "0e999999", "-0e-5", "00000", ".5", "5.", "-.5", "+.5e1", "1.e5",
            "1", "+1", "-1", "1e400", "-1e400", "1e-400", "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
            "1.7976931348623159e308", "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "5e-324", "9007199254740993", "9007199254740992.5",
            "18446744073709551615", "18446744073709551616", "99999999999999999999", "1234567890123456789012345678901234567890",
            "0.000000000000000000000000000001", "123456789012345678e-45", "7.2057594037927933e16",
            "0.1", "0.2", "0.3", "1e23", "8.589973e9", "0.73113049268600172", "1e27", "1e-27", "1e28", "1e-28",
            "3.0517578125e-05", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
            "inf", "-inf", "+inf", "Infinity", "-INFINITY", "+infinity", "nan", "NaN", "-nan", "+nan", "nan(1)", "infinit",
            "infinityy", "in f", "0x1p3", "0X10", "1e", "1e+", "1e-", "e5", "E", ".", "-", "+", "", " ", "\t", " 1 ", "\t2.5\t",
            "1..2", "1e5.", "1e5e5", "--1", "+-1", "1-", "1 2", "1,5", "1_000", "\r1", "1\r", "\u{0B}inf", "\rinf", "1e0000000000000000000001",
            "1e-99999999999999999999", "1e99999999999999999999", String(repeating: "9", count: 400), String(repeating: "9", count: 401),
            "0." + String(repeating: "0", count: 300) + "1", "1" + String(repeating: "0", count: 22), "1." + String(repeating: "0", count: 30),
            "١", "½", "1e\u{2212}5",
        ]
        var agreed = 0
        for text in cases {
            if Self.same(Self.parse(text), Self.legacy(text)) { agreed += 1 } else {
                XCTFail("\(text.debugDescription): \(String(describing: Self.parse(text))) vs \(String(describing: Self.legacy(text)))")
            }
        }
        XCTAssertEqual(agreed, cases.count)
        XCTAssertEqual(Self.parse("1e400"), .infinity, "out of range reads as infinity, as strtod does")
        XCTAssertEqual(Self.parse("-0")?.sign, .minus)
        XCTAssertNil(Self.parse("0x1p3"), "hex floats are not numbers in a data file")
    }

    /// The exact core: w·10^q for random w of every bit length and |q| ≤ 27.
    func testExactCoreAgainstStrtod() {
        var generator = SplitMix(seed: 1)
        var agreed = 0, total = 0
        for _ in 0..<1_000_000 {
            let bits = Int(generator.next() % 64) + 1
            let w = max(1, generator.next() >> UInt64(64 - bits))
            let q = Int(generator.next() % 55) - 27
            total += 1
            let exact = DecimalNumber.exact(w, q)
            if exact != nil, exact?.bitPattern == Self.strtodWhole("\(w)e\(q)")?.bitPattern { agreed += 1 }
        }
        XCTAssertEqual(agreed, total)
        XCTAssertEqual(total, 1_000_000)
    }

    /// A million decimal strings of varied forms: sign, leading zeros, 0–25
    /// integer and fraction digits, exponents near 0 and far out.
    func testMillionStringsAgainstStrtod() {
        var generator = SplitMix(seed: 2)
        var agreed = 0, numbers = 0
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(generator.next() % 10)) }) }
        for _ in 0..<1_000_000 {
            var text = ["", "+", "-"][Int(generator.next() % 3)]
            if generator.next() % 8 == 0 { text += String(repeating: "0", count: Int(generator.next() % 4)) }
            let integerDigits = Int(generator.next() % 26), fractionDigits = Int(generator.next() % 26)
            text += digits(integerDigits)
            if fractionDigits > 0 || generator.next() % 4 == 0 { text += "." + digits(fractionDigits) }
            switch generator.next() % 4 {
            case 0: break
            case 1: text += "e" + String(Int(generator.next() % 61) - 30)
            case 2: text += ["e", "E"][Int(generator.next() % 2)] + ["", "+", "-"][Int(generator.next() % 3)] + String(generator.next() % 400)
            default: text += "e" + String(Int(generator.next() % 660) - 340)
            }
            let expected = Self.strtodWhole(text)
            if expected != nil { numbers += 1 }
            if Self.same(Self.parse(text), expected) { agreed += 1 } else if agreed + 20 > numbers {
                XCTFail("\(text): \(String(describing: Self.parse(text))) vs strtod \(String(describing: expected))")
            }
        }
        XCTAssertEqual(agreed, 1_000_000)
        XCTAssertGreaterThan(numbers, 900_000)
    }

    /// Short strings over the characters that matter, against the old reader.
    func testShortStringsAsBefore() {
        var generator = SplitMix(seed: 3)
        let alphabet = Array("0123456789+-.eEnaifNIty xX\tp")
        var agreed = 0, numbers = 0
        for _ in 0..<200_000 {
            let text = String((0..<Int(generator.next() % 10)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            let expected = Self.legacy(text)
            if expected != nil { numbers += 1 }
            if Self.same(Self.parse(text), expected) { agreed += 1 } else { XCTFail(text.debugDescription) }
        }
        XCTAssertEqual(agreed, 200_000)
        XCTAssertGreaterThan(numbers, 1000)
    }

    /// printf's %.17g, what `noisescope generate` and most loggers write, reads
    /// back to the same double; between about 1e-10 and 1e27 without strtod.
    func testSeventeenDigitsRoundTrip() {
        var generator = SplitMix(seed: 4)
        var roundTrips = 0, withoutStrtod = 0, inExactRange = 0
        for _ in 0..<100_000 {
            let x = Double(bitPattern: generator.next() >> 2 | 0x3000_0000_0000_0000) // about 1e-77 … 1e77
            let text = String(format: "%.17g", x)
            if Self.parse(text)?.bitPattern == x.bitPattern { roundTrips += 1 }
            // The 17 digits as an integer w and the power of ten q: the exact path's input.
            let parts = String(format: "%.16e", x).split(separator: "e")
            let w = UInt64(parts[0].replacingOccurrences(of: ".", with: ""))!, q = Int(parts[1])! - 16
            if abs(q) <= 27 {
                inExactRange += 1
                if DecimalNumber.exact(w, q)?.bitPattern == x.bitPattern { withoutStrtod += 1 }
            }
        }
        XCTAssertEqual(roundTrips, 100_000)
        XCTAssertEqual(withoutStrtod, inExactRange)
        XCTAssertGreaterThan(inExactRange, 10_000)
    }
}

/// A small seeded generator for the tests (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Line numbers kept as runs give every value the line a plain array gave it.
final class LineRunsTests: XCTestCase {
    func testRunsGiveTheSameLines() {
        var generator = SplitMix(seed: 5)
        var line = 0, lines: [Int] = [], runs = LineRuns()
        for _ in 0..<100_000 {
            line += generator.next() % 10 == 0 ? Int(generator.next() % 5) + 2 : 1
            lines.append(line)
            runs.append(line)
        }
        XCTAssertEqual(lines.indices.map(runs.line(at:)), lines)
        XCTAssertEqual(runs.count, 100_000)
        let read = ReadSamples(values: [Double](repeating: 1, count: lines.count), lineRuns: runs, source: "f")
        XCTAssertEqual(read.lines, lines)
        XCTAssertEqual(read.describe(index: 99_999), "f line \(lines[99_999])")
    }
}
