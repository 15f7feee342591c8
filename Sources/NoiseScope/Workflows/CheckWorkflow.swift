import Foundation
import NoiseScopeCore
import NoiseScopeStatistics
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeTraining

/// What `check` does, as a library call: read samples from files (or a
/// noisescope_torch log), clean them, and run the tail check, in memory or
/// streamed through a bounded-memory sketch.
public struct CheckRequest: Sendable {
    /// Sample files; "-" is standard input.
    public var files: [String]
    /// Input format (nil: from the extension, else plain text).
    public var format: SampleFormat?
    /// CSV/TSV/NPY column: a header name or a 1-based index.
    public var column: String?
    /// JSON-lines field.
    public var field: String?
    /// NaN/Inf, zeros and negatives: drop (counted) or refuse.
    public var invalid: SampleCleaner.Policy = .drop
    /// The tail check's own options (k, bootstraps, seed, xmin search, dependence).
    public var options = TailCheck.Options()
    /// Stream through a sketch keeping the `top` largest values exactly.
    public var stream = false
    public var top = 1_000_000
    /// A layer group of a noisescope_torch log.
    public var group: String?

    public init(files: [String]) { self.files = files }

    /// The request with how its files are read (the command line's options).
    package init(files: [String], format: SampleFormat?, column: String?, field: String?, invalid: SampleCleaner.Policy) {
        self.files = files
        self.format = format
        self.column = column
        self.field = field
        self.invalid = invalid
    }

    /// Whether to stream the samples through the bounded-memory sketch: when asked,
    /// or by default for standard input in plain text without figures; never for a
    /// dependent (ordered) sample, which needs every value in its order. (Written
    /// once as `a && b && stream || default`, where && bound first and a dependent
    /// sample on standard input streamed and lost its order.)
    package static func streams(asked: Bool, files: [String], format: SampleFormat?, column: String?, plot: Bool, dependent: Bool) -> Bool {
        let standardInputDefault = !plot && files.allSatisfy { $0 == "-" } && (format ?? .text) == .text && column == nil
        return !dependent && (asked || standardInputDefault)
    }
}

/// The outcome of a check: the report, and the samples it was run on (in
/// memory only; empty when streamed), sorted from the largest down unless they
/// were checked as a trajectory, whose order is kept.
public struct CheckOutcome {
    public var report: TailCheckReport
    public var samples: [Double]
    /// A note on how the samples were read (streamed: what the sketch kept).
    public var sourceNote: String?
    /// Notes for people (inputs left out by the rank-merge rule of torch logs).
    public var notes: [String] = []
}

public enum CheckWorkflow {
    /// Reads and checks `request`'s samples. A noisescope_torch log is a
    /// trajectory (its manifest says so), so its interval allows for dependence.
    public static func run(_ request: CheckRequest) throws -> CheckOutcome {
        var request = request
        let merged = try TorchLogRanks.applyMergeRule(to: request.files)
        request.files = merged.files
        var outcome = try runMerged(request)
        outcome.notes = merged.notes + outcome.notes
        return outcome
    }

    static func runMerged(_ request: CheckRequest) throws -> CheckOutcome {
        let logs = try request.files.map(TorchLogInput.resolve(group: request.group))
        if request.stream && logs.allSatisfy({ $0 == nil }) { return try runStreaming(request) }
        var kept = SampleChunks()
        var dropped = SampleCleaner.DroppedCounts(nonfinite: 0, nonpositive: 0)
        // Per input: where its samples begin, how many, and its recording steps' starts if it has them.
        var segments: [(offset: Int, count: Int, starts: [Int]?)] = []
        var notes: [String] = []
        for (file, log) in zip(request.files, logs) {
            let format = request.format ?? SampleFormat.inferred(fromPath: file) ?? .text
            if log == nil { try SampleReader.refuseUnusedSelectors(format: format, column: request.column, field: request.field, source: file) }
            if log == nil && format == .text {
                // Plain text is read a chunk at a time: at 10⁷ values the whole file
                // would cost 20 bytes a value on top of the values themselves.
                let offset = kept.count
                let more = try StreamingSampleReader(format: format, policy: request.invalid).read(path: file) { kept.append($0) }
                segments.append((offset, kept.count - offset, nil))
                dropped.nonfinite += more.nonfinite
                dropped.nonpositive += more.nonpositive
                continue
            }
            let read = try log.map { try $0.samples(SampleReader()) }
                ?? SampleReader(format: request.format, column: request.column, field: request.field).read(path: file)
            let cleaned = try SampleCleaner(policy: request.invalid).clean(read.values, describeIndex: read.describe(index:))
            // Per-example noise: one step's samples share ḡ_B and the parameters, so the
            // trajectory's blocks are whole steps; several inputs join their steps in order
            // (another input's samples are each a step of their own).
            let offset = kept.count
            let starts = try log.flatMap { $0.stepsFile == nil ? nil : try $0.groupStarts(keeping: read.values.map { $0.isFinite && $0 > 0 }) }
            if let log, log.stepsFile != nil {
                let steps = starts.map { "\($0.count) recording steps, resampled a whole step at a time" } ?? "their steps file is shorter, so resampled sample by sample"
                notes.append("read \(cleaned.samples.count) per-example noise samples from \(TerminalText.safeForTerminal(log.path, limit: 200)) (\(steps))")
            }
            segments.append((offset, cleaned.samples.count, starts))
            kept.append(contentsOf: cleaned.samples)
            dropped.nonfinite += cleaned.dropped.nonfinite
            dropped.nonpositive += cleaned.dropped.nonpositive
        }
        var options = request.options
        options.dependent = options.dependent || logs.contains { $0 != nil }
        if segments.contains(where: { $0.starts != nil }) {
            options.groupStarts = segments.flatMap { segment in
                (segment.starts ?? Array(0..<segment.count)).map { segment.offset + $0 }
            }
        }
        var samples = kept.joined()
        kept = SampleChunks()
        var report = try TailCheck.run(sorting: &samples, options: options)
        report.dropped = dropped
        if options.discretePowerLaw == nil && DiscretePowerLawFitter.looksLikeCounts(samples) {
            notes.append("every sample is a positive integer, with ties: if these are counts, --discrete also fits Clauset–Shalizi–Newman's discrete power law (the continuous fit treats them as real numbers)")
        }
        return CheckOutcome(report: report, samples: samples, notes: notes)
    }

    /// One sketch per input, merged: the top part is exactly that of the concatenation.
    static func runStreaming(_ request: CheckRequest) throws -> CheckOutcome {
        let seed = request.options.seed
        var total = TailSketch(capacity: request.top, seed: seed)
        var dropped = SampleCleaner.DroppedCounts()
        for (index, file) in request.files.enumerated() {
            let fileFormat = request.format ?? SampleFormat.inferred(fromPath: file) ?? .text
            var sketch = TailSketch(capacity: request.top, seed: seed &+ UInt64(index) &+ 1)
            let more = try StreamingSampleReader(format: fileFormat, policy: request.invalid).read(path: file, into: &sketch)
            dropped.nonfinite += more.nonfinite
            dropped.nonpositive += more.nonpositive
            total.merge(sketch)
        }
        var options = request.options
        options.dependent = false
        var report = try TailCheck.run(sketch: total, options: options)
        report.dropped = dropped
        return CheckOutcome(report: report, samples: [],
                            sourceNote: total.count > request.top ? "streamed: top \(request.top) exact, body from a reservoir" : nil)
    }

    /// The α-stable index of signed samples (per-coordinate noise), in a fixed seeded order.
    package static func stableIndex(files: [String], format: SampleFormat?, column: String?, field: String?, seed: UInt64) throws -> StableIndexPool.Estimate {
        let reader = SampleReader(format: format, column: column, field: field)
        var values: [Double] = []
        for file in files { values += try reader.read(path: file).values.filter(\.isFinite) }
        guard values.contains(where: { $0 < 0 }) else { throw StableIndexEstimator.unsignedSamples }
        var pool = StableIndexPool(groups: [.init(name: "samples", range: 0..<values.count)], seed: seed, burnIn: 0)
        pool.add { values[$0] }
        guard let estimate = pool.overall else {
            throw NoiseScopeError("the stable index needs at least 64 non-zero samples, got \(values.filter { $0 != 0 }.count)")
        }
        return estimate
    }
}

extension TailCheck.Options {
    /// The seed every bootstrap of the check starts from.
    var seed: UInt64 { doubleBootstrap.seed }
}

/// Values collected in blocks of 64 Ki, so that a growing input never holds a
/// doubled array's spare half; `joined()` makes one array of exactly the count.
struct SampleChunks {
    private var full: [[Double]] = []
    private var current: [Double] = []
    private static let blockSize = 1 << 16

    /// Values appended so far.
    var count: Int { full.count * Self.blockSize + current.count }

    mutating func append(_ x: Double) {
        if current.count == Self.blockSize {
            full.append(current)
            current = []
        }
        if current.isEmpty { current.reserveCapacity(Self.blockSize) }
        current.append(x)
    }

    mutating func append(contentsOf values: [Double]) {
        for x in values { append(x) }
    }

    func joined() -> [Double] {
        var all: [Double] = []
        all.reserveCapacity(full.count * Self.blockSize + current.count)
        for block in full { all += block }
        all += current
        return all
    }
}

extension StableIndexPool.Estimate {
    /// One line for people: α̂, or why the samples are not α-stable, and the sample it rests on.
    package var summaryLine: String {
        (alpha.map { String(format: "α-stable index α̂ = %.3g", $0) + (standardError.map { String(format: " ± %.2g (sd)", $0) } ?? "") }
            ?? "not α-stable: \(note ?? "")")
            + String(format: " (%d samples in blocks of %d, Mohammadi et al. 2015)", coordinates, blockSize)
    }

    /// `check --signed`'s text: the line, then the shape caveat when there is an α̂.
    package var text: String {
        summaryLine + "\n" + (alpha == nil ? "" : "(\(Self.shapeCaveat))\n")
    }
}
