import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// The streaming sketch: exact where it promises to be (the top K, n, mean,
/// kurtosis, and every estimator that reads only the top K), mergeable across
/// shards, and equal to the in-memory check when the stream fits.
final class TailSketchTests: XCTestCase {
    func sketch(_ values: [Double], capacity: Int, seed: UInt64 = 0) -> TailSketch {
        var sketch = TailSketch(capacity: capacity, reservoirCapacity: 2000, seed: seed)
        values.forEach { sketch.add($0) }
        return sketch
    }

    func testTopKAndMomentsAreExact() {
        let values = SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: 50_000, seed: 1)
        let s = sketch(values, capacity: 1000)
        XCTAssertEqual(s.count, 50_000)
        XCTAssertEqual(s.largest, Array(values.sorted(by: >).prefix(1000)))
        let summary = SampleSummary(OrderStatistics(samples: values))
        XCTAssertEqual(s.mean, summary.mean, accuracy: 1e-12 * summary.mean)
        XCTAssertEqual(s.excessKurtosis, summary.excessKurtosis, accuracy: 1e-9 * abs(summary.excessKurtosis))
        XCTAssertEqual(s.reservoir.count, 2000)
        XCTAssertTrue(Set(s.reservoir).isSubset(of: Set(values)))
    }

    /// Shards merge to exactly the sketch of the concatenation for everything top-K.
    func testShardsMergeExactly() throws {
        let values = SyntheticDistribution.pareto(alpha: 1.7, xmin: 1).sample(count: 30_000, seed: 2)
        var merged = sketch(Array(values[0..<10_000]), capacity: 500, seed: 1)
        merged.merge(sketch(Array(values[10_000..<25_000]), capacity: 500, seed: 2))
        merged.merge(sketch(Array(values[25_000...]), capacity: 500, seed: 3))
        let whole = sketch(values, capacity: 500)
        XCTAssertEqual(merged.count, whole.count)
        XCTAssertEqual(merged.largest, whole.largest)
        XCTAssertEqual(merged.mean, whole.mean, accuracy: 1e-12 * whole.mean)
        XCTAssertEqual(merged.excessKurtosis, whole.excessKurtosis, accuracy: 1e-9 * abs(whole.excessKurtosis))
        XCTAssertEqual(merged.reservoir.count, 2000)
        // A user k: Hill, moments, Pickands and the power-law fit agree exactly.
        let options = TailCheck.Options(k: 200, bootstrapReplicates: 0)
        let a = try TailCheck.run(sketch: merged, options: options), b = try TailCheck.run(sketch: whole, options: options)
        XCTAssertEqual(a.hill, b.hill)
        XCTAssertEqual(a.moments, b.moments)
        XCTAssertEqual(a.pickands, b.pickands)
        XCTAssertEqual(a.powerLaw, b.powerLaw)
    }

    /// Against the in-memory check on all the values: identical when the stream
    /// fits in the sketch; with n > K, identical at the same k and the same CSN
    /// fit whenever the exact fit's tail lies within the top K.
    func testAgreesWithInMemoryCheck() throws {
        let values = SyntheticDistribution.absoluteStudentT(nu: 2.5).sample(count: 40_000, seed: 3)
        let options = TailCheck.Options(seed: 1, bootstrapReplicates: 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(try encoder.encode(TailCheck.run(sketch: sketch(values, capacity: 40_000), options: options)),
                       try encoder.encode(TailCheck.run(values, options: options)))

        let fixedK = TailCheck.Options(k: 1000, seed: 1, bootstrapReplicates: 0, xminSearch: .exact)
        let exact = try TailCheck.run(values, options: fixedK)
        let streamed = try TailCheck.run(sketch: sketch(values, capacity: 8000), options: fixedK)
        XCTAssertEqual(streamed.n, exact.n)
        XCTAssertEqual(streamed.hill, exact.hill)
        XCTAssertEqual(streamed.moments, exact.moments)
        XCTAssertLessThan(exact.powerLaw!.tailCount, 8000)
        XCTAssertEqual(streamed.powerLaw?.xmin, exact.powerLaw?.xmin)
        XCTAssertEqual(streamed.powerLaw?.alpha, exact.powerLaw?.alpha)
        XCTAssertThrowsError(try TailCheck.run(sketch: sketch(values, capacity: 8000), options: .init(k: 9000)))
    }

    func testStreamingReaderReadsTextAndNumpy() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let values = (1...3000).map { Double($0) * 0.5 }
        let text = directory.appendingPathComponent("v.txt").path
        try ("# header\n" + values.map { "\($0)" }.joined(separator: "\n") + "\n0\n-1\nnan").write(toFile: text, atomically: true, encoding: .utf8)
        let npy = directory.appendingPathComponent("v.npy").path
        try NumpyArrayWriter.data(values).write(to: URL(fileURLWithPath: npy))
        var fromText = TailSketch(capacity: 100)
        let dropped = try StreamingSampleReader(format: .text).read(path: text, into: &fromText)
        XCTAssertEqual(dropped, SampleCleaner.DroppedCounts(nonfinite: 1, nonpositive: 2))
        var fromNumpy = TailSketch(capacity: 100)
        _ = try StreamingSampleReader(format: .npy).read(path: npy, into: &fromNumpy)
        XCTAssertEqual(fromText.count, 3000)
        XCTAssertEqual(fromText.largest, fromNumpy.largest)
        XCTAssertEqual(fromText.largest.first, 1500)
        XCTAssertThrowsError(try StreamingSampleReader(format: .text, policy: .refuse).read(path: text, into: &fromText)) { error in
            XCTAssertEqual("\(error)", "\(text) line 3002 is 0.0; tail estimators need positive samples: remove it or pass --invalid drop")
        }
    }
}
