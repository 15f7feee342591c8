import XCTest
import NoiseScopeCore
@testable import NoiseScopeStatistics

/// Per-example noise of one recording step shares ḡ_B and the parameters: the
/// trajectory's blocks must be whole steps, never cut but at the replicate's
/// end; malformed step starts are ignored.
final class StepBlockTests: XCTestCase {
    /// 200 steps of 30 Pareto(1.5) draws, each step times 1 + c·E, E exponential
    /// (a light-tailed scale: the tail index stays 1.5, by Breiman's lemma).
    func steps(spread c: Double, seed: UInt64) -> (samples: [Double], starts: [Int]) {
        let pareto = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 6000, seed: seed)
        let scales = SyntheticDistribution.exponential.sample(count: 200, seed: seed + 1).map { 1 + c * $0 }
        let samples = pareto.enumerated().map { $0.element * scales[$0.offset / 30] }
        return (samples, stride(from: 0, to: 6000, by: 30).map { $0 })
    }

    func testReplicatesAreRunsOfWholeSteps() throws {
        // Steps of unequal sizes, each sample named by its step (s·1000 + j).
        let sizes = (0..<50).map { 20 + ($0 * 7) % 13 }
        var ordered: [Double] = [], starts: [Int] = []
        for (s, size) in sizes.enumerated() {
            starts.append(ordered.count)
            ordered += (0..<size).map { Double(s * 1000 + $0) }
        }
        let trajectory = DependentSamples(ordered: ordered, groupStarts: starts)
        XCTAssertEqual(trajectory.blockLength, 4, "⌈50^(1/3)⌉ steps")
        for r in 0..<20 {
            let sample = trajectory.resample(RandomSource.substream(seed: 3, index: r))
            XCTAssertEqual(sample.count, ordered.count)
            // Cut into runs of one step each: every run but the last is that whole step, in order.
            var runs: [[Double]] = []
            for x in sample {
                if let last = runs.last?.last, Int(last) / 1000 == Int(x) / 1000, x == last + 1 { runs[runs.count - 1].append(x) } else { runs.append([x]) }
            }
            for run in runs.dropLast() {
                let step = Int(run[0]) / 1000
                XCTAssertEqual(run, (0..<sizes[step]).map { Double(step * 1000 + $0) }, "replicate \(r) cut step \(step)")
            }
        }
        // The check reports the unit and the length in steps.
        let (samples, stepStarts) = steps(spread: 4, seed: 11)
        var options = TailCheck.Options(bootstrapReplicates: 0)
        options.dependent = true
        options.groupStarts = stepStarts
        let spread = try XCTUnwrap(try TailCheck.run(samples, options: options).evidence.blockBootstrap)
        XCTAssertEqual(spread.blockUnit, "steps")
        XCTAssertEqual(spread.blockLength, 6, "⌈200^(1/3)⌉")
    }

    func testMalformedStepStartsAreIgnored() {
        XCTAssertNil(DependentSamples(ordered: [1, 2, 3], groupStarts: [1, 2]).groupStarts, "must start at 0")
        XCTAssertNil(DependentSamples(ordered: [1, 2, 3], groupStarts: [0, 2, 2]).groupStarts, "must increase")
        XCTAssertNil(DependentSamples(ordered: [1, 2, 3], groupStarts: [0, 3]).groupStarts, "must lie inside")
        let valid = DependentSamples(ordered: [1, 2, 3, 4, 5], groupStarts: [0, 2, 3])
        XCTAssertEqual([0, 1, 2].map(valid.unit), [0..<2, 2..<3, 3..<5])
    }
}
