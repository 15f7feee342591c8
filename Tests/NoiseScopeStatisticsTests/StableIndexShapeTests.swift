import Foundation
import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// What the per-coordinate stable index can and cannot say: its sampling
/// standard deviation against the spread over seeds, and its reading on
/// finite-variance coordinates that are not stable (Laplace, Student t₃, which
/// read below 2, and uniform, which reads above 2 and so is never an α).
final class StableIndexShapeTests: XCTestCase {
    /// The pooled estimate over `vectors` vectors of `dimension` coordinates
    /// drawn by `draw`, as `measure` pools them (20 vectors set the scales first).
    func estimate(dimension: Int = 64, vectors: Int = 80, seed: UInt64, _ draw: (RandomSource) -> Double) -> StableIndexPool.Estimate? {
        let random = RandomSource(seed: seed)
        var pool = StableIndexPool(groups: [.init(name: "all", range: 0..<dimension)], seed: seed, burnIn: 20)
        for _ in 0..<(vectors + 20) {
            let vector = (0..<dimension).map { _ in draw(random) }
            pool.add { vector[$0] }
        }
        return pool.overall
    }

    func laplace(_ r: RandomSource) -> Double { (r.uniformPositive() < 0.5 ? -1 : 1) * r.exponential() }

    func testFiniteVarianceShapesAreReadAsTheCaveatSays() throws {
        // Averages over seeds, so the test is about the shape bias, not one draw.
        func mean(_ draw: @escaping (RandomSource) -> Double) -> (alpha: Double, stableShare: Double) {
            let estimates = (0..<12).compactMap { estimate(seed: UInt64(100 + $0), draw) }
            let raw = estimates.map(\.rawAlpha)
            return (raw.reduce(0, +) / Double(raw.count), Double(estimates.filter { $0.alpha != nil }.count) / Double(estimates.count))
        }
        let laplace = mean(self.laplace)
        let studentT = mean { $0.studentT(nu: 3) }
        let uniform = mean { $0.uniformPositive() - 0.5 }
        let gaussian = mean { $0.gaussian() }
        // Laplace and t₃ have finite variance yet read well below 2: the caveat's numbers.
        XCTAssertEqual(laplace.alpha, 1.6, accuracy: 0.15)
        XCTAssertEqual(studentT.alpha, 1.65, accuracy: 0.2)
        // Uniform coordinates read above 2: reported as not α-stable, never as an α.
        XCTAssertGreaterThan(uniform.alpha, 2)
        XCTAssertEqual(uniform.stableShare, 0, accuracy: 0.2)
        XCTAssertEqual(gaussian.alpha, 2, accuracy: 0.2)
        XCTAssertTrue(StableIndexPool.Estimate.shapeCaveat.contains("Laplace about 1.6"))
    }

    /// The reported standard deviation against the spread of α̂ over 40 seeds
    /// of symmetric 1.5-stable coordinates.
    func testTheStandardDeviationMatchesTheSpreadOverSeeds() throws {
        let estimates = (0..<40).compactMap { estimate(dimension: 256, vectors: 40, seed: UInt64($0)) { $0.symmetricStable(alpha: 1.5) } }
        XCTAssertEqual(estimates.count, 40)
        let alphas = estimates.compactMap(\.alpha)
        XCTAssertEqual(alphas.count, 40)
        let mean = alphas.reduce(0, +) / Double(alphas.count)
        let spread = (alphas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(alphas.count - 1)).squareRoot()
        let reported = estimates.compactMap(\.standardError).reduce(0, +) / Double(estimates.count)
        // Standardising each coordinate by its running RMS, as measure does, biases α̂ down a little at this size.
        XCTAssertEqual(mean, 1.5, accuracy: 0.2)
        XCTAssertGreaterThan(reported / spread, 0.6, "reported \(reported), spread over seeds \(spread)")
        XCTAssertLessThan(reported / spread, 1.7, "reported \(reported), spread over seeds \(spread)")
    }
}
