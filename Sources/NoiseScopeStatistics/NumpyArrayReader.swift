import Foundation

/// Reads a NumPy .npy array (format versions 1–3): little-endian float32,
/// float64, int32 or int64; 1-D, or 2-D with one column chosen (1-based).
struct NumpyArrayReader {
    var source: String
    var column: String?

    struct Header {
        var dtype: String
        var fortranOrder: Bool
        var shape: [Int]
        var dataOffset: Int
    }

    static let supportedTypes = ["<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8]

    func read(_ data: Data) throws -> ReadSamples {
        let header = try parseHeader(data)
        guard let width = Self.supportedTypes[header.dtype] else {
            throw NoiseScopeError("\(source): NumPy dtype '\(header.dtype)' is not supported; save as little-endian float32/float64/int32/int64 (e.g. array.astype('<f8'))")
        }
        let rows = header.shape.first ?? 1
        let columns: Int
        switch header.shape.count {
        case 1: columns = 1
        case 2: columns = header.shape[1]
        default:
            throw NoiseScopeError("\(source): array of shape \(header.shape) has \(header.shape.count) dimensions; save a 1-D array or a 2-D table")
        }
        let columnIndex = try chooseColumn(columns: columns)
        let count = rows * columns
        guard data.count - header.dataOffset >= count * width else {
            throw NoiseScopeError("\(source): truncated NumPy file: the header promises \(count) values of \(width) bytes, the file holds \(max(0, data.count - header.dataOffset)) bytes of data")
        }
        let payload = data.subdata(in: header.dataOffset..<(header.dataOffset + count * width))
        let all = decode(payload, dtype: header.dtype, count: count)
        let values = (0..<rows).map { row in
            all[header.fortranOrder ? columnIndex * rows + row : row * columns + columnIndex]
        }
        return ReadSamples(values: values, lines: nil, source: source)
    }

    /// `count` little-endian values of `dtype` from the start of `data`, as Double.
    func decode(_ data: Data, dtype: String, count: Int) -> [Double] {
        let width = Self.supportedTypes[dtype]!
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            (0..<count).map { i in
                let offset = i * width
                switch dtype {
                case "<f4": return Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                case "<f8": return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case "<i4": return Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                default: return Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                }
            }
        }
    }

    func chooseColumn(columns: Int) throws -> Int {
        guard let column else {
            if columns == 1 { return 0 }
            throw NoiseScopeError("\(source): a 2-D array with \(columns) columns; choose one with --column INDEX (1-based)")
        }
        guard let index = Int(column), index >= 1, index <= columns else {
            throw NoiseScopeError("--column \(column) does not name a column of \(source), which has \(columns) (give a 1-based index)")
        }
        return index - 1
    }

    func parseHeader(_ data: Data) throws -> Header {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw NoiseScopeError("\(source): not a NumPy .npy file (no \\x93NUMPY magic); pass --format for other formats")
        }
        let major = bytes[6]
        let headerLength: Int, start: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NoiseScopeError("\(source): truncated NumPy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; start = 12
        default: throw NoiseScopeError("\(source): NumPy format version \(major) is not supported (1–3 are)")
        }
        guard data.count >= start + headerLength,
              let text = String(data: data.subdata(in: start..<(start + headerLength)), encoding: .utf8) else {
            throw NoiseScopeError("\(source): truncated NumPy header")
        }
        guard let dtype = Self.value(of: "descr", in: text)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")),
              let order = Self.value(of: "fortran_order", in: text),
              let shapeText = Self.value(of: "shape", in: text) else {
            throw NoiseScopeError("\(source): malformed NumPy header '\(text.trimmingCharacters(in: .whitespacesAndNewlines))'")
        }
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return Header(dtype: dtype, fortranOrder: order.contains("True"), shape: shape, dataOffset: start + headerLength)
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
        return result.trimmingCharacters(in: .whitespaces)
    }
}
