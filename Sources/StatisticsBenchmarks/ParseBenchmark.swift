import Foundation
import NoiseScopeStatistics
#if canImport(Glibc)
import Glibc
#endif

/// Reading numbers from text, in MB/s of input (text, CSV/TSV and JSON lines
/// by their extension), next to two baselines over
/// the same bytes measured in the same run: splitting the lines with memchr
/// (what any reader must at least do) and calling strtod on every line (the C
/// library's parser, with no checks). Each timing is the best of three.
enum ParseBenchmark {
    static func run(paths: [String]) throws {
        for path in paths {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let megabytes = Double(bytes.count) / 1e6
            var lineCount = 0
            let split = StatisticsBenchmarks.best(of: 3) { lineCount = countLines(bytes) }
            var strtodSum = 0.0
            let strtodTime = StatisticsBenchmarks.best(of: 3) { strtodSum = sumWithStrtod(bytes) }
            var values = 0
            let readSeconds = try StatisticsBenchmarks.best(of: 3) {
                values = try Self.reader(for: path).read(data: Data(bytes), source: path).values.count
            }
            // Data(bytes) is part of the reader's timing; measure it to subtract.
            let copy = StatisticsBenchmarks.best(of: 3) { _ = Data(bytes) }
            let readerTime = max(1e-9, readSeconds - copy)
            print(String(format: "%@: %.1f MB, %d lines, %d values | noisescope %.0f MB/s (%.3fs) | strtod a line %.0f MB/s (%.3fs, sum %.6g) | memchr line split %.0f MB/s | noisescope = %.2f× strtod",
                         (path as NSString).lastPathComponent, megabytes, lineCount, values,
                         megabytes / readerTime, readerTime, megabytes / strtodTime, strtodTime, strtodSum,
                         megabytes / split, strtodTime / readerTime))
        }
    }

    /// Plain text as is; a CSV/TSV column or a JSON-lines field named noise_norm
    /// when there are several (benchmarks/check_scaling.sh writes them so).
    static func reader(for path: String) -> SampleReader {
        switch SampleFormat.inferred(fromPath: path) {
        case .csv?, .tsv?: return SampleReader(column: "noise_norm")
        case .jsonl?: return SampleReader(field: "noise_norm")
        default: return SampleReader()
        }
    }

    static func countLines(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            guard var cursor = raw.baseAddress else { return 0 }
            let end = cursor + raw.count
            var count = 0
            while cursor < end, let newline = memchr(cursor, 10, end - cursor) {
                count += 1
                cursor = UnsafeRawPointer(newline) + 1
            }
            return count
        }
    }

    /// strtod on the last field of each line in place (after its last ',',
    /// tab, ':' or space: the noise_norm column of the CSV, the field of the
    /// JSON line, the whole of a plain line), summing what it reads: the C
    /// library's parsing with none of the checks.
    static func sumWithStrtod(_ bytes: [UInt8]) -> Double {
        var copy = bytes
        copy.append(0)
        return copy.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
                var cursor = start, sum = 0.0
                let end = start + buffer.count - 1
                while cursor < end {
                    let lineEnd = memchr(cursor, 10, end - cursor).map { $0.assumingMemoryBound(to: CChar.self) } ?? end
                    var field = lineEnd
                    while field > cursor, ![44, 9, 58, 32].contains(field[-1]) { field -= 1 }
                    var stop: UnsafeMutablePointer<CChar>? = nil
                    let x = strtod(field, &stop)
                    if let stop, stop > field { sum += x.isFinite ? x : 0 }
                    cursor = lineEnd + 1
                }
                return sum
            }
        }
    }
}
