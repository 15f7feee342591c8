import NoiseScopeCore
import Foundation

/// Reads a NumPy .npy array (format versions 1–3): little-endian float32,
/// float64, int32 or int64; 1-D, or 2-D with one column chosen (1-based).
/// Every header field is checked before a byte of data is touched: shapes
/// must be non-negative and their products (and byte counts) must not
/// overflow, so a hostile header is refused, never trusted.
struct NumpyArrayReader {
    var source: String
    var column: String?
    /// Who chose the column, for messages: nil for the user's --column.
    var columnOrigin: String? = nil

    struct Header {
        var dtype: String
        var width: Int
        var fortranOrder: Bool
        var shape: [Int]
        var dataOffset: Int
        /// rows × columns, checked.
        var count: Int
    }

    static let supportedTypes = ["<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8]
    /// The longest header accepted: numpy writes under 200 bytes; v2/v3 allow 4 GB.
    static let maximumHeaderLength = 1 << 16

    var shownSource: String { TerminalText.safeForTerminal(source, limit: 200) }

    func read(_ bytes: [UInt8]) throws -> ReadSamples {
        let header = try parseHeader(bytes)
        let rows = header.shape.first ?? 1
        let columns = header.shape.count == 2 ? header.shape[1] : 1
        let columnIndex = try chooseColumn(columns: columns)
        let available = bytes.count - header.dataOffset
        guard available / header.width >= header.count else {
            throw NoiseScopeError("\(shownSource): truncated NumPy file: the header promises \(header.count) values of \(header.width) bytes, the file holds \(max(0, available)) bytes of data")
        }
        let values = bytes.withUnsafeBytes { raw -> [Double] in
            let payload = UnsafeRawBufferPointer(rebasing: raw[header.dataOffset...])
            return (0..<rows).map { row in
                let index = header.fortranOrder ? columnIndex * rows + row : row * columns + columnIndex
                return Self.decode(payload, at: index, dtype: header.dtype)
            }
        }
        return ReadSamples(values: values, lines: nil, source: source)
    }

    /// Value `index` of a payload of `dtype`, as Double.
    @inline(__always)
    static func decode(_ raw: UnsafeRawBufferPointer, at index: Int, dtype: String) -> Double {
        switch dtype {
        case "<f4": return Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))))
        case "<f8": return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        case "<i4": return Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
        default: return Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
        }
    }

    func chooseColumn(columns: Int) throws -> Int {
        guard let column else {
            if columns == 1 { return 0 }
            throw NoiseScopeError("\(shownSource): a 2-D array with \(columns) columns; choose one with --column INDEX (1-based)")
        }
        guard let index = Int(column), index >= 1, index <= columns else {
            if let columnOrigin {
                throw NoiseScopeError("\(columnOrigin) needs column \(TerminalText.quoted(column)) of \(shownSource), which has \(columns); the log's files disagree (a run killed while writing, or files of two runs)")
            }
            throw NoiseScopeError("--column \(TerminalText.quoted(column)) does not name a column of \(shownSource), which has \(columns) (give a 1-based index)")
        }
        return index - 1
    }

    /// The magic, version and header length: (length, where the header text starts).
    func preamble(_ bytes: [UInt8]) throws -> (length: Int, start: Int) {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw NoiseScopeError("\(shownSource): not a NumPy .npy file (no \\x93NUMPY magic); pass --format for other formats")
        }
        let major = bytes[6]
        switch major {
        case 1: return (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw NoiseScopeError("\(shownSource): truncated NumPy header (\(bytes.count) bytes)") }
            let length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            guard length <= Self.maximumHeaderLength else {
                throw NoiseScopeError("\(shownSource): NumPy header length \(length) is implausible (numpy writes a few hundred bytes); the file is corrupt")
            }
            return (length, 12)
        default: throw NoiseScopeError("\(shownSource): NumPy format version \(major) is not supported (1–3 are)")
        }
    }

    func parseHeader(_ bytes: [UInt8]) throws -> Header {
        let (headerLength, start) = try preamble(bytes)
        guard bytes.count >= start + headerLength else {
            throw NoiseScopeError("\(shownSource): truncated NumPy header")
        }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        let shownHeader = TerminalText.quoted(text.trimmingSpaces, limit: 120)
        guard let dtype = Self.value(of: "descr", in: text).map({ $0.trimmingQuotesAndSpaces }),
              let order = Self.value(of: "fortran_order", in: text),
              let shapeText = Self.value(of: "shape", in: text) else {
            throw NoiseScopeError("\(shownSource): malformed NumPy header \(shownHeader)")
        }
        guard let width = Self.supportedTypes[dtype] else {
            throw NoiseScopeError("\(shownSource): NumPy dtype \(TerminalText.quoted(dtype)) is not supported; save as little-endian float32/float64/int32/int64 (e.g. array.astype('<f8'))")
        }
        let inner = shapeText.trimmingSpaces
        guard inner.hasPrefix("("), inner.hasSuffix(")") else {
            throw NoiseScopeError("\(shownSource): malformed NumPy shape \(TerminalText.quoted(inner))")
        }
        var shape: [Int] = []
        for part in inner.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part).trimmingSpaces
            if item.isEmpty { continue }
            guard let size = Int(item), size >= 0 else {
                throw NoiseScopeError("\(shownSource): NumPy shape \(TerminalText.quoted(inner)) has a size that is not a non-negative whole number")
            }
            shape.append(size)
        }
        guard shape.count == 1 || shape.count == 2 else {
            throw NoiseScopeError("\(shownSource): array of shape \(TerminalText.quoted(inner)) has \(shape.count) dimensions; save a 1-D array or a 2-D table")
        }
        let (count, overflow) = shape.count == 2 ? shape[0].multipliedReportingOverflow(by: shape[1]) : (shape[0], false)
        guard !overflow, !count.multipliedReportingOverflow(by: width).overflow else {
            throw NoiseScopeError("\(shownSource): NumPy shape \(TerminalText.quoted(inner)) is too large to be a file's contents")
        }
        return Header(dtype: dtype, width: width, fortranOrder: order.contains("True"), shape: shape,
                      dataOffset: start + headerLength, count: count)
    }

    /// The text after 'key': in the header dict, up to the next top-level comma.
    static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var result = ""
        for character in header[keyRange.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," && depth == 0) || character == "}" { break }
            result.append(character)
        }
        return result
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    var trimmingQuotesAndSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "'" || f == "\"" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "'" || l == "\"" { s = s.dropLast() }
        return String(s)
    }
}
