import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// Every reader on small inputs whose values are known, and each bad input
/// on the one-line message it must give.
final class SampleReaderTests: XCTestCase {
    func read(_ text: String, source: String, column: String? = nil, field: String? = nil, format: SampleFormat? = nil) throws -> ReadSamples {
        try SampleReader(format: format, column: column, field: field).read(data: Data(text.utf8), source: source)
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    func testPlainText() throws {
        let read = try read("# noise norms\n1.5\n\n2e3\n  0.25 \nnan\n", source: "a.txt")
        XCTAssertEqual(read.values[0..<3], [1.5, 2000, 0.25])
        XCTAssertTrue(read.values[3].isNaN)
        XCTAssertEqual(read.lines, [2, 4, 5, 6])
        XCTAssertEqual(message { try self.read("1\nabc\n", source: "a.txt") },
                       "a.txt line 2: 'abc' is not a number; plain text wants one number a line (for a table pass --format csv or tsv)")
    }

    func testCSVWithHeaderByNameAndIndex() throws {
        let csv = "step,noise_norm\n1,0.5\n2,\"0.75\"\n"
        XCTAssertEqual(try read(csv, source: "log.csv", column: "noise_norm").values, [0.5, 0.75])
        XCTAssertEqual(try read(csv, source: "log.csv", column: "1").values, [1, 2])
        XCTAssertEqual(message { try self.read(csv, source: "log.csv") },
                       "log.csv has 2 columns (step, noise_norm); choose one with --column NAME or --column INDEX (1-based)")
        XCTAssertEqual(message { try self.read("a,b\n1,x\n", source: "t.csv", column: "b") },
                       "t.csv line 2, column 2: 'x' is not a number; fix the cell or choose another column with --column")
        XCTAssertEqual(message { try self.read(csv, source: "log.csv", column: "5") },
                       "--column 5 is out of range: log.csv has 2 columns (1-based)")
    }

    func testTSVWithoutHeader() throws {
        XCTAssertEqual(try read("1\t10\n2\t20\n", source: "x.tsv", column: "2").values, [10, 20])
    }

    func testJSONLines() throws {
        let jsonl = "{\"step\": 1, \"noise\": 0.5, \"tag\": \"a\"}\n{\"step\": 2, \"noise\": 2}\n"
        XCTAssertEqual(try read(jsonl, source: "l.jsonl", field: "noise").values, [0.5, 2])
        XCTAssertTrue(message { try self.read(jsonl, source: "l.jsonl") }.contains("2 numeric fields (noise, step); choose one with --field NAME"))
        XCTAssertEqual(try read("{\"x\": 3}\n", source: "l.jsonl").values, [3])
        // null is a missing value (NaN: the cleaner drops it with a count, or refuses).
        let withNull = try read("{\"b\": null}\n{\"b\": 2.5}\n", source: "s.jsonl", field: "b").values
        XCTAssertTrue(withNull[0].isNaN)
        XCTAssertEqual(withNull[1], 2.5)
    }

    /// Lines after the first are parsed in place: positions in messages still
    /// count from the start of their line; escaped and plain keys compare equal.
    func testJSONLinesProblemsPastTheFirstLine() throws {
        XCTAssertEqual(message { try self.read("{\"a\": 1}\n{\"a\": 1 x}\n", source: "l.jsonl") },
                       "l.jsonl line 2: expected ',' or '}' at character 9; JSON lines wants one {...} object a line")
        XCTAssertEqual(message { try self.read("{\"a\": 1}\n{\"a\": 1, \"\\u0061\": 2}\n", source: "l.jsonl") },
                       "l.jsonl line 2: duplicate key 'a'; each field may appear once; JSON lines wants one {...} object a line")
        XCTAssertEqual(message { try self.read("{\"a\": 1}\n{\"a\u{1}\": 1}\n", source: "l.jsonl") },
                       "l.jsonl line 2: control character in a string at character 5; JSON lines wants one {...} object a line")
        XCTAssertEqual(try read("{\"a\": 1}\n{\"\\u0061\": 2.5}\n", source: "l.jsonl", field: "a").values, [1, 2.5])
    }

    /// Builds a version-1 .npy file in memory.
    func npy(descr: String, shape: String, fortran: Bool = false, payload: Data) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        data.append(payload)
        return data
    }

    func bytes<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }

    func testNumpyDtypesAndShapes() throws {
        let reader = SampleReader()
        XCTAssertEqual(try reader.read(data: npy(descr: "<f8", shape: "(3,)", payload: bytes([1.5, 2.5, 3.5])), source: "a.npy").values, [1.5, 2.5, 3.5])
        XCTAssertEqual(try reader.read(data: npy(descr: "<f4", shape: "(2,)", payload: bytes([Float(0.25), 4])), source: "a.npy").values, [0.25, 4])
        XCTAssertEqual(try reader.read(data: npy(descr: "<i4", shape: "(2,)", payload: bytes([Int32(7), -3])), source: "a.npy").values, [7, -3])
        XCTAssertEqual(try reader.read(data: npy(descr: "<i8", shape: "(2,)", payload: bytes([Int64(9), 11])), source: "a.npy").values, [9, 11])
        // 2-D, row-major [[1, 10], [2, 20], [3, 30]] and the same table column-major.
        let table = npy(descr: "<f8", shape: "(3, 2)", payload: bytes([1.0, 10, 2, 20, 3, 30]))
        XCTAssertEqual(try SampleReader(column: "2").read(data: table, source: "t.npy").values, [10, 20, 30])
        let fortran = npy(descr: "<f8", shape: "(3, 2)", fortran: true, payload: bytes([1.0, 2, 3, 10, 20, 30]))
        XCTAssertEqual(try SampleReader(column: "2").read(data: fortran, source: "t.npy").values, [10, 20, 30])
    }

    func testNumpyErrors() {
        let reader = SampleReader()
        XCTAssertEqual(message { try reader.read(data: self.npy(descr: "<c16", shape: "(1,)", payload: Data(count: 16)), source: "c.npy") },
                       "c.npy: NumPy dtype '<c16' is not supported; save as little-endian float32/float64/int32/int64 (e.g. array.astype('<f8'))")
        XCTAssertEqual(message { try reader.read(data: self.npy(descr: "<f8", shape: "(4,)", payload: self.bytes([1.0, 2])), source: "t.npy") },
                       "t.npy: truncated NumPy file: the header promises 4 values of 8 bytes, the file holds 16 bytes of data")
        XCTAssertTrue(message { try reader.read(data: self.npy(descr: "<f8", shape: "(2, 2, 2)", payload: Data(count: 64)), source: "t.npy") }.contains("3 dimensions"))
        XCTAssertTrue(message { try reader.read(data: self.npy(descr: "<f8", shape: "(2, 2)", payload: Data(count: 32)), source: "t.npy") }.contains("choose one with --column"))
        XCTAssertTrue(message { try reader.read(data: Data("hello".utf8), source: "x.npy") }.contains("not a NumPy .npy file"))
    }

    func testMissingFileAndCleaner() throws {
        XCTAssertEqual(message { try SampleReader().read(path: "/nonexistent/x.txt") }, "/nonexistent/x.txt: no such file; check the path")
        let read = try self.read("1\n-2\n0\ninf\n3\n", source: "a.txt")
        let cleaned = try SampleCleaner(policy: .drop).clean(read.values, describeIndex: read.describe(index:))
        XCTAssertEqual(cleaned.samples, [1, 3])
        XCTAssertEqual(cleaned.dropped, SampleCleaner.DroppedCounts(nonfinite: 1, nonpositive: 2))
        XCTAssertEqual(message { try SampleCleaner(policy: .refuse).clean(read.values, describeIndex: read.describe(index:)) },
                       "a.txt line 2 is -2.0; tail estimators need positive samples: remove it or pass --invalid drop")
    }
}

final class NumpyArrayWriterTests: XCTestCase {
    /// What we write, our reader reads back bit for bit, and the header is
    /// padded to 64 bytes as the .npy format asks.
    func testRoundTrip() throws {
        let values = [1.5, -2.25, .pi, 1e-300, 0]
        let data = NumpyArrayWriter.data(values)
        XCTAssertEqual((data.count - values.count * 8) % 64, 0)
        XCTAssertEqual(try SampleReader().read(data: data, source: "x.npy").values, values)
    }
}
