import NoiseScopeCore
import Foundation
import NoiseScopeStatistics
import NoiseScopeTraining
import NoiseScope

/// The fuzz targets: every reader of outside bytes, and `check`'s whole
/// pipeline on short inputs. Each takes arbitrary bytes and must end in a
/// result or a thrown error, never a crash, a trap or a hang.
///
/// This one file is compiled into the libFuzzer harness (tools/fuzz/run) and
/// into the replay test, which runs every committed input that ever crashed
/// and the seed corpus through the same code.
public enum FuzzTarget: String, CaseIterable {
    case text, csv, npy
    case npyStream = "npy-stream"
    case textStream = "text-stream"
    case jsonl, checkpoint, check

    /// A file the targets that read paths write their bytes to.
    public static var scratchPath: String {
        (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()) + "/noisescope-fuzz-\(getpid()).bin"
    }

    public func run(_ bytes: [UInt8]) {
        switch self {
        case .text:
            _ = try? SampleReader(format: .text).read(data: Data(bytes), source: "fuzz")
        case .csv:
            for format in [SampleFormat.csv, .tsv] {
                for column in [nil, "1", "2", "x"] as [String?] {
                    _ = try? SampleReader(format: format, column: column).read(data: Data(bytes), source: "fuzz")
                }
            }
        case .npy:
            for column in [nil, "1", "2"] as [String?] {
                _ = try? SampleReader(format: .npy, column: column).read(data: Data(bytes), source: "fuzz.npy")
            }
        case .npyStream, .textStream:
            guard (try? Data(bytes).write(to: URL(fileURLWithPath: Self.scratchPath))) != nil else { return }
            var sketch = TailSketch(capacity: 32)
            _ = try? StreamingSampleReader(format: self == .npyStream ? .npy : .text).read(path: Self.scratchPath, into: &sketch)
        case .jsonl:
            for field in [nil, "x", "noise_norm"] as [String?] {
                _ = try? SampleReader(format: .jsonl, field: field).read(data: Data(bytes), source: "fuzz")
            }
        case .checkpoint:
            guard (try? Data(bytes).write(to: URL(fileURLWithPath: Self.scratchPath))) != nil else { return }
            _ = try? Checkpoint.read(path: Self.scratchPath)
        case .check:
            // Short inputs only: the check is O(n log n) plus bootstraps.
            guard bytes.count <= 4096, let read = try? SampleReader(format: .text).read(data: Data(bytes), source: "fuzz"),
                  let cleaned = try? SampleCleaner(policy: .drop).clean(read.values) else { return }
            for k in [nil, 3] as [Int?] {
                guard let report = try? TailCheck.run(cleaned.samples, options: .init(k: k, seed: 1, bootstrapReplicates: 4)) else { continue }
                _ = try? JSONOutput.encode(report)
                _ = report.humanReadableSummary(source: "fuzz")
            }
        }
    }
}
