import NoiseScopeCore
import NoiseScopeStatistics
import XCTest
@testable import NoiseScopeSampling

/// The matched Gaussian reference: its effective dimension (tr Σ)²/tr Σ² is
/// recovered from the norms of anisotropic Gaussian noise, so the reference
/// has the noise's spread and only the tail's shape is left to compare.
final class MatchedReferenceTests: XCTestCase {
    func testEffectiveDimensionOfAnisotropicGaussianNoise() {
        // Covariance spectrum λ_i = 1/i, i = 1…1000: (Σλ)²/Σλ² = 34.1.
        let lambdas = (1...1000).map { 1 / Double($0) }
        let truth = pow(lambdas.reduce(0, +), 2) / lambdas.reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(truth, 34.08, accuracy: 0.01)
        let random = RandomSource(seed: 11)
        let norms = (0..<4000).map { _ in lambdas.reduce(0.0) { sum, lambda in let z = random.gaussian(); return sum + lambda * z * z }.squareRoot() }
        // The CV of 4000 norms has a relative standard error of about 1.1 %, so CV² about 2.3 %:
        // within 4 SE plus the (1/(2 CV²)) approximation's own error of a few per cent.
        XCTAssertEqual(ReferenceComparison.effectiveDimension(of: norms), truth, accuracy: 0.15 * truth)
        let matched = ReferenceComparison.matchedGaussianNorms(observed: norms, count: 4000, seed: 3)
        XCTAssertEqual(Double(matched.dimension), truth, accuracy: 0.15 * truth)
        // The matched reference has the noise's spread (CV within 10 %); the full-dimension one is far narrower.
        func cv(_ x: [Double]) -> Double {
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot() / mean
        }
        XCTAssertEqual(cv(matched.norms), cv(norms), accuracy: 0.1 * cv(norms))
        XCTAssertLessThan(cv(ReferenceComparison.gaussianReferenceNorms(dimension: 1000, count: 4000, seed: 3)), 0.5 * cv(norms))
    }
}
