import NoiseScopeCore

/// Reads numbers one at a time from a file or standard input without holding
/// the input in memory: plain text (one number a line, blank and # lines
/// skipped; CRLF and a byte order mark accepted, as in the whole-file reader)
/// in chunks of 1 MiB, or a 1-D NumPy array. Feeds a `TailSketch`.
package struct StreamingSampleReader: Sendable {
    package var format: SampleFormat
    package var policy: SampleCleaner.Policy

    package init(format: SampleFormat = .text, policy: SampleCleaner.Policy = .drop) {
        self.format = format
        self.policy = policy
    }

    /// Streams `path` ("-" for standard input) into `sketch`; returns the values dropped.
    package func read(path: String, into sketch: inout TailSketch) throws -> SampleCleaner.DroppedCounts {
        try read(path: path) { sketch.add($0) }
    }

    /// Streams `path` ("-" for standard input), handing each usable value to
    /// `keep` in input order; returns the values dropped.
    package func read(path: String, keep: (Double) -> Void) throws -> SampleCleaner.DroppedCounts {
        guard format == .text || format == .npy else {
            throw NoiseScopeError("streaming reads plain text (one number a line) or a 1-D .npy; \(TerminalText.quoted(path, limit: 200)) is \(format.rawValue): convert it, or read it whole without --stream")
        }
        let input = try InputFile(path: path)
        var dropped = SampleCleaner.DroppedCounts()
        let cleaner = SampleCleaner(policy: policy)
        func accept(_ x: Double, _ place: @autoclosure () -> String) throws {
            if x.isFinite && x > 0 { keep(x); return }
            try cleaner.reject(x, at: place(), counts: &dropped)
        }
        let shown = TerminalText.safeForTerminal(path, limit: 200)
        if format == .npy {
            try streamNumpy(input) { index, x in try accept(x, "\(shown) element \(index + 1)") }
        } else {
            var lines = TextLines()
            let parse = { (number: Int, line: ArraySlice<UInt8>) throws in
                if TextLines.isBlankOrComment(line) { return }
                guard let x = ByteNumber.parse(line) else {
                    throw DelimitedTextReader.notANumber(line, number: number, shownSource: shown)
                }
                try accept(x, "\(shown) line \(number)")
            }
            while true {
                let chunk = try input.read(upTo: 1 << 20)
                if chunk.isEmpty { break }
                try lines.feed(chunk, parse)
            }
            try lines.finish(parse)
        }
        return dropped
    }

    func streamNumpy(_ input: InputFile, accept: (Int, Double) throws -> Void) throws {
        let reader = NumpyArrayReader(source: input.path, column: nil)
        let first = try input.read(exactly: 12)
        let (length, start) = try reader.preamble(first)
        let prefix = first + (try input.read(exactly: max(0, start + length - first.count)))
        let header = try reader.parseHeader(prefix)
        guard header.shape.count == 1 else {
            throw NoiseScopeError("\(reader.shownSource): streaming reads 1-D arrays; this one has shape \(header.shape)")
        }
        var leftover = Array(prefix.dropFirst(header.dataOffset))
        var index = 0
        while index < header.count {
            let wanted = min((header.count - index) * header.width, 1 << 20)
            let chunk = leftover + (try input.read(upTo: max(0, wanted - leftover.count)))
            let usable = min(chunk.count / header.width, header.count - index)
            guard usable > 0 else {
                throw NoiseScopeError("\(reader.shownSource): truncated NumPy file: \(header.count - index) of \(header.count) values missing")
            }
            try chunk.withUnsafeBytes { raw in
                for i in 0..<usable { try accept(index + i, NumpyArrayReader.decode(raw, at: i, dtype: header.dtype)) }
            }
            index += usable
            leftover = Array(chunk.dropFirst(usable * header.width))
        }
    }
}
