import CGSL
import Foundation
import NoiseScopeCore
@testable import NoiseScopeSampling
import XCTest

/// The covariance sketch behind the spectrum-matched reference, on noise
/// vectors whose covariance is known.
final class CovarianceSketchTests: XCTestCase {
    /// m Gaussian vectors in P dimensions with covariance diag(λ), λᵢ = 1/i.
    static func harmonicNoise(dimension: Int, count: Int, seed: UInt64) -> [[Double]] {
        let random = RandomSource(seed: seed)
        let scales = (1...dimension).map { (1 / Double($0)).squareRoot() }
        return (0..<count).map { _ in scales.map { $0 * random.gaussian() } }
    }

    /// The eigenvalues of the sample covariance (1/m) Σ nᵢnᵢᵀ, computed
    /// directly (dsyrk, then GSL's symmetric eigensolver), largest first.
    static func exactEigenvalues(_ vectors: [[Double]]) -> [Double] {
        let p = vectors[0].count, m = vectors.count
        let stacked = vectors.flatMap { $0 }
        var covariance = [Double](repeating: 0, count: p * p)
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(p), Int32(m), 1 / Double(m), stacked, Int32(p), 0, &covariance, Int32(p))
        for i in 0..<p { for j in 0..<i { covariance[j * p + i] = covariance[i * p + j] } }
        return (NystromCore.symmetricEigenvalues(covariance, order: p) ?? []).sorted(by: >)
    }

    /// (a) P = 2000, m = 4000, λᵢ ∝ 1/i, rank 32 from 64 columns. A Nyström
    /// approximation lies below the matrix it sketches (Â ≼ C), so every
    /// estimate is at most the exact sample-covariance eigenvalue. How far
    /// below depends on the tail: a Gaussian sketch of k columns sees direction
    /// i against the tail's weight spread over the sketch, τ = Σ_{j>k} λⱼ/k
    /// (≈ 0.05 here, the tail of a 1/i spectrum being heavy), and keeps about
    /// λᵢ/(λᵢ + τ) of it; so λ₁ should be within about 5 % and λ₅ within about
    /// 20 %. The bounds asserted are twice that heuristic deficit (plus 2 %).
    func testSketchRecoversTheTopEigenvaluesOfAKnownSpectrum() throws {
        let (p, m) = (2000, 4000)
        let vectors = Self.harmonicNoise(dimension: p, count: m, seed: 11)
        let exact = Self.exactEigenvalues(vectors)
        XCTAssertEqual(exact.count, p)
        let sketch = try CovarianceSketch(dimension: p, rank: 32, seed: 5)
        for vector in vectors { sketch.add(vector) }
        let trace = vectors.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } } / Double(m)
        let spectrum = try sketch.spectrum(trace: trace)
        XCTAssertEqual(spectrum.rank, 32)
        XCTAssertEqual(spectrum.sketchColumns, 64)
        XCTAssertEqual(spectrum.trace, exact.reduce(0, +), accuracy: 1e-9 * trace, "the trace is kept exactly")
        let tau = exact.dropFirst(64).reduce(0, +) / 64
        var report: [String] = []
        for i in 0..<32 {
            let estimate = spectrum.topEigenvalues[i], truth = exact[i]
            report.append(String(format: "λ%d %.4f / %.4f (%.1f %%, heuristic %.1f %%)", i + 1, estimate, truth,
                                 100 * (1 - estimate / truth), 100 * tau / (truth + tau)))
            XCTAssertLessThanOrEqual(estimate, truth * (1 + 1e-4), "λ\(i + 1): a Nyström estimate lies below")
            if i < 5 {
                let allowed = 2 * tau / (truth + tau) + 0.02
                XCTAssertGreaterThanOrEqual(estimate, truth * (1 - allowed), "λ\(i + 1): \(report.last!)")
            }
        }
        print(report.joined(separator: "\n"))
        XCTAssertGreaterThan(spectrum.capturedTraceFraction, 0.3 * exact.prefix(32).reduce(0, +) / trace)
    }

    /// (b) The reference's squared norms have mean tr C exactly in expectation:
    /// Σλᵢ·1 + ρ·(P − r) with ρ = (tr C − Σλᵢ)/(P − r). Checked within 4 standard errors.
    func testReferenceNormsHaveTheTraceAsMeanSquare() {
        let top = (1...32).map { 10 / Double($0) }
        let spectrum = CovarianceSpectrum(dimension: 5000, sketchColumns: 64, vectors: 1000, trace: 120, topEigenvalues: top)
        XCTAssertEqual(spectrum.remainingEigenvalue * Double(5000 - 32) + top.reduce(0, +), 120, accuracy: 1e-9)
        let squares = spectrum.referenceNorms(count: 20_000, seed: 4).map { $0 * $0 }
        let mean = squares.reduce(0, +) / Double(squares.count)
        let sd = (squares.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(squares.count - 1)).squareRoot()
        let standardError = sd / Double(squares.count).squareRoot()
        XCTAssertEqual(mean, 120, accuracy: 4 * standardError)
        // And the spread is the spectrum's: Var‖z‖² = 2 Σ λ² (Gaussian quadratic form).
        let expectedSD = (2 * (top.reduce(0) { $0 + $1 * $1 } + Double(5000 - 32) * pow(spectrum.remainingEigenvalue, 2))).squareRoot()
        XCTAssertEqual(sd, expectedSD, accuracy: 0.05 * expectedSD)
        // Same seed, same norms.
        XCTAssertEqual(spectrum.referenceNorms(count: 50, seed: 4), spectrum.referenceNorms(count: 50, seed: 4))
        XCTAssertNotEqual(spectrum.referenceNorms(count: 50, seed: 4), spectrum.referenceNorms(count: 50, seed: 5))
    }

    /// (c) Same seed, same vectors: the same sketch bit for bit; another seed, another test matrix.
    func testSameSeedGivesAnIdenticalSketch() throws {
        let vectors = Self.harmonicNoise(dimension: 300, count: 70, seed: 2)  // two full blocks of 32 and a partial one
        func sketch(seed: UInt64) throws -> CovarianceSketch {
            let sketch = try CovarianceSketch(dimension: 300, rank: 8, seed: seed, blockSize: 32)
            for vector in vectors { sketch.add(vector) }
            return sketch
        }
        let a = try sketch(seed: 9), b = try sketch(seed: 9), c = try sketch(seed: 10)
        XCTAssertEqual(a.sketchMatrix, b.sketchMatrix)
        XCTAssertEqual(try a.spectrum(trace: 1).topEigenvalues, try b.spectrum(trace: 1).topEigenvalues)
        XCTAssertNotEqual(a.sketchMatrix, c.sketchMatrix)
        XCTAssertEqual(a.count, 70)
    }

    /// A covariance of rank below the sketch is recovered exactly (to rounding):
    /// the Nyström approximation of a matrix whose range the sketch spans is the matrix.
    func testLowRankCovarianceIsRecoveredExactly() throws {
        let random = RandomSource(seed: 1)
        let directions = (0..<3).map { _ in (0..<500).map { _ in random.gaussian() } }
        let weights = [3.0, 1.0, 0.25]
        let vectors = (0..<200).map { _ -> [Double] in
            let z = weights.map { $0.squareRoot() * random.gaussian() }
            return (0..<500).map { p in (0..<3).reduce(0) { $0 + z[$1] * directions[$1][p] } }
        }
        let exact = Self.exactEigenvalues(vectors)
        let sketch = try CovarianceSketch(dimension: 500, rank: 4, seed: 3)
        for vector in vectors { sketch.add(vector) }
        let spectrum = try sketch.spectrum(trace: exact.reduce(0, +))
        for i in 0..<3 { XCTAssertEqual(spectrum.topEigenvalues[i], exact[i], accuracy: 1e-4 * exact[0]) }
        XCTAssertEqual(spectrum.topEigenvalues[3], 0, accuracy: 1e-4 * exact[0])
        XCTAssertEqual(spectrum.capturedTraceFraction, 1, accuracy: 1e-4)
    }

    func testRankIsValidated() {
        XCTAssertThrowsError(try CovarianceSketch(dimension: 10, rank: 0, seed: 0))
        // A rank above half the dimension is clamped to the dimension's columns.
        XCTAssertEqual(try CovarianceSketch(dimension: 10, rank: 8, seed: 0).columns, 10)
    }
}
