#if canImport(Glibc)
import Glibc
#endif

/// Splits bytes into lines, fed in chunks of any size: lines end at LF, a CR
/// before it is dropped (CRLF files read like LF files), and a UTF-8 byte order
/// mark at the very start is skipped. The one line splitter of every text
/// reader, whole-file and streaming alike, so that a file and a pipe holding
/// the same bytes read the same.
struct TextLines {
    private var carry: [UInt8] = []
    private var started = false
    /// 1-based number of the last line handed out.
    private(set) var lineNumber = 0

    /// Hands every complete line in `chunk` to `body` with its number. The first
    /// bytes wait until there are three (a byte order mark may span chunks), and
    /// are then split with the rest: a short first line is a line like any other.
    mutating func feed(_ chunk: [UInt8], _ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        guard started else {
            if carry.count + chunk.count < 3 { carry += chunk; return }
            started = true
            if carry.isEmpty {
                try split(chunk, from: Self.hasByteOrderMark(chunk) ? 3 : 0, body)
            } else {
                // Fewer than 3 bytes came first: join them to this chunk once.
                let head = carry + chunk
                carry = []
                try split(head, from: Self.hasByteOrderMark(head) ? 3 : 0, body)
            }
            return
        }
        try split(chunk, from: 0, body)
    }

    /// Hands out the last line if the input did not end with a newline.
    mutating func finish(_ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        if !started {
            started = true
            let head = carry
            carry = []
            try split(head, from: Self.hasByteOrderMark(head) ? 3 : 0, body)
        }
        guard !carry.isEmpty else { return }
        let line = carry
        carry = []
        try emit(line[...], body)
    }

    static func hasByteOrderMark(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0xEF, 0xBB, 0xBF]) }

    /// The complete lines of `chunk` from `start` on, the first one joined to
    /// what was carried over; the unterminated rest is carried.
    private mutating func split(_ chunk: [UInt8], from start: Int, _ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        var start = start
        while start <= chunk.count, let i = Self.newline(in: chunk, from: start) {
            if carry.isEmpty {
                try emit(chunk[start..<i], body)
            } else {
                carry += chunk[start..<i]
                let line = carry
                carry.removeAll(keepingCapacity: true)
                try emit(line[...], body)
            }
            start = i + 1
        }
        if start < chunk.count { carry += chunk[start...] }
    }

    private mutating func emit(_ line: ArraySlice<UInt8>, _ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        lineNumber += 1
        var text = line
        if text.last == 13 { text = text.dropLast() }
        try body(lineNumber, text)
    }

    /// The index of the first LF in `bytes` at or after `start` (memchr).
    @inline(__always)
    static func newline(in bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes.withUnsafeBytes { raw -> Int? in
            guard let found = memchr(raw.baseAddress! + start, 10, raw.count - start) else { return nil }
            return UnsafeRawPointer(found) - raw.baseAddress!
        }
    }

    /// The number of lines in `bytes` (LFs, plus one for an unterminated last
    /// line): an upper bound on the values they hold, to size arrays once.
    static func count(_ bytes: [UInt8]) -> Int {
        var lines = 0, start = 0
        while let i = newline(in: bytes, from: start) { lines += 1; start = i + 1 }
        return lines + (start < bytes.count ? 1 : 0)
    }

    /// Every line of `bytes`.
    static func each(_ bytes: [UInt8], _ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        var lines = TextLines()
        try lines.feed(bytes, body)
        try lines.finish(body)
    }

    /// True for a line that holds only spaces and tabs, or starts with '#' after them.
    static func isBlankOrComment(_ line: ArraySlice<UInt8>) -> Bool {
        for byte in line {
            if byte == 32 || byte == 9 { continue }
            return byte == UInt8(ascii: "#")
        }
        return true
    }
}

/// Parsing a number from bytes without building a String for it.
enum ByteNumber {
    /// The longest cell read as a number; longer cells are not numbers.
    static let maximumLength = DecimalNumber.maximumLength

    /// The value of `cell` with surrounding spaces and tabs ignored: decimal and
    /// exponent forms, "nan", "inf" and "infinity" in any case (the cleaner
    /// decides what to do with those); nil when the cell is not a number.
    @inline(__always)
    static func parse(_ cell: ArraySlice<UInt8>) -> Double? {
        cell.withUnsafeBufferPointer { DecimalNumber.parse($0) }
    }
}
