import Foundation

/// Reads numbers one at a time from a file or standard input without holding
/// the input in memory: plain text (one number a line, blank and # lines
/// skipped) in chunks of 1 MiB, or a 1-D NumPy array. Feeds a `TailSketch`.
public struct StreamingSampleReader: Sendable {
    public var format: SampleFormat
    public var policy: SampleCleaner.Policy

    public init(format: SampleFormat = .text, policy: SampleCleaner.Policy = .drop) {
        self.format = format
        self.policy = policy
    }

    /// Streams `path` ("-" for standard input) into `sketch`; returns the values dropped.
    public func read(path: String, into sketch: inout TailSketch) throws -> SampleCleaner.DroppedCounts {
        guard format == .text || format == .npy else {
            throw NoiseScopeError("streaming reads plain text (one number a line) or a 1-D .npy; \(path) is \(format.rawValue): convert it, or read it whole without --stream")
        }
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw NoiseScopeError("\(path): no such file (or unreadable); check the path")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        var dropped = SampleCleaner.DroppedCounts()
        var index = 0
        func accept(_ x: Double, _ place: () -> String) throws {
            index += 1
            if x.isFinite && x > 0 { sketch.add(x); return }
            if policy == .refuse {
                throw NoiseScopeError("\(place()) is \(x); tail estimators need positive finite samples: remove it or pass --invalid drop")
            }
            if x.isFinite { dropped.nonpositive += 1 } else { dropped.nonfinite += 1 }
        }
        if format == .npy {
            try streamNumpy(handle, source: path) { x in try accept(x) { "\(path) element \(index + 1)" } }
        } else {
            try streamLines(handle, source: path, accept: accept)
        }
        return dropped
    }

    func streamLines(_ handle: FileHandle, source: String, accept: (Double, () -> String) throws -> Void) throws {
        var carry = [UInt8]()
        var lineNumber = 0
        func parse(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            var bytes = line
            while let first = bytes.first, first == 32 || first == 9 { bytes = bytes.dropFirst() }
            while let last = bytes.last, last == 32 || last == 9 || last == 13 { bytes = bytes.dropLast() }
            if bytes.isEmpty || bytes.first == UInt8(ascii: "#") { return }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let x = DelimitedTextReader.number(Substring(text)) else {
                throw NoiseScopeError("\(source) line \(lineNumber): '\(text.prefix(40))' is not a number; plain text wants one number a line")
            }
            let number = lineNumber
            try accept(x) { "\(source) line \(number)" }
        }
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            var start = 0
            let bytes = [UInt8](chunk)
            for (i, byte) in bytes.enumerated() where byte == 10 {
                if carry.isEmpty {
                    try parse(bytes[start..<i])
                } else {
                    carry += bytes[start..<i]
                    try parse(carry[...])
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            carry += bytes[start...]
        }
        if !carry.isEmpty { try parse(carry[...]) }
    }

    func streamNumpy(_ handle: FileHandle, source: String, accept: (Double) throws -> Void) throws {
        let prefix = handle.readData(ofLength: 12)
        guard prefix.count >= 10 else { throw NoiseScopeError("\(source): not a NumPy .npy file (too short)") }
        let headerLength = prefix[6] == 1 ? Int(prefix[8]) | Int(prefix[9]) << 8
            : Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24
        let start = prefix[6] == 1 ? 10 : 12
        let rest = handle.readData(ofLength: max(0, start + headerLength - prefix.count))
        let header = try NumpyArrayReader(source: source, column: nil).parseHeader(prefix + rest)
        guard header.shape.count == 1, let width = NumpyArrayReader.supportedTypes[header.dtype] else {
            throw NoiseScopeError("\(source): streaming reads 1-D little-endian float32/float64/int32/int64 arrays; this one is \(header.dtype) of shape \(header.shape)")
        }
        var remaining = header.shape[0]
        var leftover = Data((prefix + rest).dropFirst(header.dataOffset))
        while remaining > 0 {
            let chunk = leftover + handle.readData(ofLength: min(remaining * width, 1 << 20))
            leftover = Data()
            let usable = min(chunk.count / width, remaining)
            guard usable > 0 else {
                throw NoiseScopeError("\(source): truncated NumPy file: \(remaining) of \(header.shape[0]) values missing")
            }
            let array = NumpyArrayReader(source: source, column: nil)
                .decode(chunk.prefix(usable * width), dtype: header.dtype, count: usable)
            for x in array { try accept(x) }
            remaining -= usable
            leftover = Data(chunk.dropFirst(usable * width))
        }
    }
}
