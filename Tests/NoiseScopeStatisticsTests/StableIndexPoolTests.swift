import XCTest
@testable import NoiseScopeStatistics

/// The pooled per-coordinate stable index: right on α-stable samples, and not
/// fooled by blocks that sum to zero in memory order (as LayerNorm makes the
/// rows of several weight matrices do), which fool the plain estimator.
final class StableIndexPoolTests: XCTestCase {
    func testRecoversTheIndexOfStableSamples() {
        for alpha in [1.2, 1.5, 1.8, 2.0] {
            let vectors = (0..<40).map { SyntheticDistribution.stable(alpha: alpha).sample(count: 4096, seed: UInt64($0)) }
            var pool = StableIndexPool(groups: [.init(name: "a", range: 0..<2048), .init(name: "b", range: 2048..<4096)], seed: 1)
            for v in vectors { pool.add { v[$0] } }
            let overall = pool.overall!
            XCTAssertEqual(overall.rawAlpha, alpha, accuracy: 0.15, "α = \(alpha)")
            XCTAssertEqual(overall.vectors, 20, "20 of the 40 set the per-coordinate scales")
            for group in pool.perGroup { XCTAssertEqual(group.rawAlpha, alpha, accuracy: 0.2, "\(group.name), α = \(alpha)") }
        }
    }

    /// Gaussian coordinates whose scales differ by orders of magnitude (rare and
    /// common embedding rows): one scale per tensor leaves a scale mixture that
    /// reads as α < 2; one per coordinate reads the Gaussian's 2.
    func testCoordinatesOfDifferentScalesAreNotMistakenForAStableTail() {
        let scales = (0..<4096).map { pow(10, 3 * Double($0 % 97) / 96) }
        let vectors = (0..<60).map { seed in
            zip(SyntheticDistribution.stable(alpha: 2).sample(count: 4096, seed: 100 + UInt64(seed)), scales).map { $0 * $1 }
        }
        var perTensor = StableIndexPool(groups: [.init(name: "t", range: 0..<4096)], seed: 5, burnIn: 0)
        for v in vectors { perTensor.add { v[$0] } }
        var perCoordinate = StableIndexPool(groups: [.init(name: "t", range: 0..<4096)], seed: 5)
        for v in vectors { perCoordinate.add { v[$0] } }
        XCTAssertLessThan(perTensor.overall!.rawAlpha, 1.6, "a scale mixture fakes a heavy tail")
        XCTAssertEqual(perCoordinate.overall!.rawAlpha, 2, accuracy: 0.15)
    }

    func testRowsThatSumToZeroFoolMemoryOrderNotThePool() throws {
        // Rows of 64 stable coordinates, each row centred so that it sums to zero.
        var vector = SyntheticDistribution.stable(alpha: 1.5).sample(count: 64 * 256, seed: 7)
        for row in 0..<256 {
            let mean = vector[(row * 64)..<((row + 1) * 64)].reduce(0, +) / 64
            for i in (row * 64)..<((row + 1) * 64) { vector[i] -= mean }
        }
        // Blocks of 96 in memory order hold a whole row (sum 0) and half of another:
        // they grow like sums of 32, and the index reads about 1.5 · log 96 / log 32 ≈ 2.
        let memoryOrder = try StableIndexEstimator.estimate(vector, blockSize: 96)
        XCTAssertGreaterThan(memoryOrder.alpha, 1.85, "blocks that cut across the rows read as light")
        var pool = StableIndexPool(groups: [.init(name: "w", range: 0..<vector.count)], seed: 3, burnIn: 0)
        pool.add { vector[$0] }
        XCTAssertEqual(pool.overall!.rawAlpha, 1.5, accuracy: 0.2)
        XCTAssertNotNil(pool.overall!.alpha)
    }

    func testAnEstimateOutsideTheRangeIsNotPrintedAsAnIndex() {
        // Coordinates that alternate ±1 within blocks: sums cancel, the estimator reads far above 2.
        let vector = (0..<4096).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        var pool = StableIndexPool(groups: [.init(name: "x", range: 0..<4096)], seed: 0, burnIn: 0)
        pool.add { vector[$0] }
        let estimate = pool.overall!
        // A random order of ±1: the block sums scale as √K2, the estimator reads 2 (Gaussian-like), never below.
        XCTAssertGreaterThan(estimate.rawAlpha, 1.7)
        if estimate.rawAlpha > 2 { XCTAssertNil(estimate.alpha); XCTAssertNotNil(estimate.note) }
    }
}

/// A trajectory (autocorrelated samples): the extremal index and the block
/// bootstrap widen the interval for α, and say so; independent samples keep
/// the plain interval.
final class DependentSamplesTests: XCTestCase {
    func testAutocorrelatedSamplesGetAWiderInterval() throws {
        // Each Pareto(1.5) draw repeated 8 times in a row: strongly dependent, same marginal.
        let draws = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 2500, seed: 4)
        let trajectory = draws.flatMap { Array(repeating: $0, count: 8) }.enumerated().map { $0.element * (1 + 1e-9 * Double($0.offset)) }
        var options = TailCheck.Options(bootstrapReplicates: 0)
        let plain = try TailCheck.run(trajectory, options: options)
        options.dependent = true
        let dependent = try TailCheck.run(trajectory, options: options)
        XCTAssertNil(plain.evidence.dependence)
        // Runs of 8 equal draws: extremes in clusters of 8, θ = 1/8, r = √8.
        let dependence = try XCTUnwrap(dependent.evidence.dependence)
        XCTAssertEqual(try XCTUnwrap(dependence.extremalIndex), 0.125, accuracy: 0.05)
        XCTAssertEqual(dependence.standardErrorInflation, 1 / dependence.extremalIndex!.squareRoot(), accuracy: 1e-12)
        // At its own k*, the interval is at least twice as wide as an independent sample's
        // (Hill: α·2·1.96/√k), and it covers the true α = 1.5.
        let interval = try XCTUnwrap(dependent.evidence.alphaInterval95)
        // An interval open above (α up to ∞) is the widest there is.
        let dependentWidth = (interval.upper ?? .infinity) - (try XCTUnwrap(interval.lower))
        let kStar = Double(try XCTUnwrap(dependent.evidence.kStar)), alpha = try XCTUnwrap(dependent.evidence.alpha)
        XCTAssertGreaterThan(dependentWidth, 2 * alpha * 2 * 1.96 / kStar.squareRoot(), "the dependence is seen")
        XCTAssertTrue(interval.contains(1.5), "\(interval)")
        XCTAssertNotNil(dependent.evidence.blockBootstrap)
        XCTAssertTrue(dependent.verdictReason.contains("moving-block bootstrap") || dependent.verdict == .inconclusive, dependent.verdictReason)
    }
}
