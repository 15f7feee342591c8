import NoiseScopeCore
import CGSL
import XCTest
@testable import NoiseScopeStatistics

/// Each GSL call the estimators rely on, against closed forms or values from
/// GSL's manual and standard tables. Tolerances are relative, near double
/// precision where GSL documents full accuracy.
final class SpecialFunctionsTests: XCTestCase {
    func testGammaQuantileMatchesClosedForms() {
        // Gamma(1, 1) is Exp(1): quantile −log(1 − p).
        for p in [0.025, 0.5, 0.975] {
            XCTAssertEqual(SpecialFunctions.gammaQuantile(p, shape: 1), -log(1 - p), accuracy: 1e-12)
        }
        // Gamma(k, 1) with integer k: P(X ≤ x) = 1 − e^{−x} Σ_{j<k} x^j/j!; invert-check at k = 5.
        let x = SpecialFunctions.gammaQuantile(0.975, shape: 5)
        var sum = 0.0, term = 1.0
        for j in 0..<5 { if j > 0 { term *= x / Double(j) }; sum += term }
        XCTAssertEqual(1 - exp(-x) * sum, 0.975, accuracy: 1e-12)
        // Huge shapes (Hill with k near 10⁶): finite, and the CDF at the quantile is p.
        for shape in [2e5, 999_999.0] {
            let q = SpecialFunctions.gammaQuantile(0.975, shape: shape)
            XCTAssertEqual(gsl_cdf_gamma_P(q, shape, 1), 0.975, accuracy: 1e-7)
        }
    }

    func testNormalFunctions() {
        XCTAssertEqual(SpecialFunctions.normalQuantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.normalCDF(0), 0.5, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.normalCDF(1.959963984540054), 0.975, accuracy: 1e-12)
        // Q(8) = 6.220960574271785e-16 (Abramowitz & Stegun 26.2); relative check in the far tail.
        XCTAssertEqual(SpecialFunctions.normalSurvival(8) / 6.220960574271785e-16, 1, accuracy: 1e-10)
        // log(1 − Φ(40)) far past underflow: asymptotically −x²/2 − log(x √(2π)) − 1/x² + …
        let x = 40.0
        let asymptotic = -x * x / 2 - log(x * (2 * Double.pi).squareRoot()) + log(1 - 1 / (x * x) + 3 / pow(x, 4))
        XCTAssertEqual(SpecialFunctions.logNormalSurvival(x), asymptotic, accuracy: 1e-8)
        XCTAssertEqual(SpecialFunctions.logNormalCDF(0), log(0.5), accuracy: 1e-15)
    }

    func testErfcLogGammaDigammaZeta() {
        XCTAssertEqual(SpecialFunctions.erfc(1), 0.15729920705028513066, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.erfc(0), 1, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.logGamma(0.5), 0.5 * log(Double.pi), accuracy: 1e-14)
        XCTAssertEqual(SpecialFunctions.logGamma(10), log(362_880), accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.digamma(1), -0.57721566490153286061, accuracy: 1e-14)
        XCTAssertEqual(SpecialFunctions.hurwitzZeta(2, 1), Double.pi * Double.pi / 6, accuracy: 1e-14)
        // ζ(2, 2) = π²/6 − 1.
        XCTAssertEqual(SpecialFunctions.hurwitzZeta(2, 2), Double.pi * Double.pi / 6 - 1, accuracy: 1e-14)
    }

    func testRandomSourceIsDeterministicAndDistinctAcrossSeeds() {
        let a = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 5, seed: 7)
        let b = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 5, seed: 7)
        let c = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 5, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(RandomSource.substream(seed: 0, index: 0).uniformPositive(),
                          RandomSource.substream(seed: 0, index: 1).uniformPositive())
    }

    /// GSL's generators against their exact CDFs: the KS distance of 20000 draws
    /// stays below the 0.1 % critical value 1.95/√n.
    func testGeneratorsFollowTheirDistributions() {
        let n = 20_000
        let critical = 1.95 / Double(n).squareRoot()
        func ks(_ sample: [Double], cdf: (Double) -> Double) -> Double {
            let sorted = sample.sorted()
            var d = 0.0
            for (i, x) in sorted.enumerated() {
                let f = cdf(x)
                d = max(d, abs(f - Double(i) / Double(n)), abs(Double(i + 1) / Double(n) - f))
            }
            return d
        }
        XCTAssertLessThan(ks(SyntheticDistribution.pareto(alpha: 1.5, xmin: 2).sample(count: n, seed: 1)) { 1 - pow($0 / 2, -1.5) }, critical)
        XCTAssertLessThan(ks(SyntheticDistribution.exponential.sample(count: n, seed: 2)) { 1 - exp(-$0) }, critical)
        // |Cauchy| = |stable α = 1|: P(|X| ≤ x) = (2/π) atan(x).
        XCTAssertLessThan(ks(SyntheticDistribution.absoluteStable(alpha: 1).sample(count: n, seed: 3)) { 2 / Double.pi * atan($0) }, critical)
        XCTAssertLessThan(ks(SyntheticDistribution.lognormal(sigma: 1).sample(count: n, seed: 4)) { SpecialFunctions.normalCDF(log($0)) }, critical)
    }
}

/// BLAS calls must reach OpenBLAS, not GSL's reference CBLAS that libgsl pulls in.
final class NativeLibrariesTests: XCTestCase {
    func testCBLASResolvesToOpenBLAS() throws {
        let path = try XCTUnwrap(NativeLibraries.cblasLibraryPath)
        XCTAssertTrue(path.contains("openblas"), "cblas_sgemm resolves to \(path)")
        XCTAssertFalse(path.contains("gslcblas"))
        XCTAssertTrue(NativeLibraries.openBLASConfiguration.contains("OpenBLAS"))
    }

    /// A 2×2 sgemm through the bridge, against the product by hand.
    func testSgemmComputesAProduct() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
    }
}

/// The synthetic noise references of `noisescope reference`.
final class SyntheticReferenceTests: XCTestCase {
    /// (1/D) Σ X_i² with Gaussian X has mean 1 and variance 2/D exactly:
    /// over 4000 draws the sample mean is within 4·√(2/D/4000) of 1.
    func testMeanOfSquaredGaussiansHasKnownMoments() {
        let d = 50, n = 4000
        let sample = SyntheticDistribution.meanOfSquaredGaussians(dimension: d).sample(count: n, seed: 3)
        let mean = sample.reduce(0, +) / Double(n)
        let variance = sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        XCTAssertEqual(mean, 1, accuracy: 4 * (2.0 / Double(d) / Double(n)).squareRoot())
        // The variance of the sample variance of χ²_D/D: relative SE ≈ √(2/n)·√(1 + 6/D)/… ; 15 % is > 4 SE at n = 4000.
        XCTAssertEqual(variance, 2 / Double(d), accuracy: 0.15 * 2 / Double(d))
        XCTAssertNil(SyntheticDistribution.meanOfSquaredGaussians(dimension: d).tailIndex)
    }

    /// Squared stable variables have tail index α/2; their mean keeps it, and
    /// Hill on the top 1 % of 20000 draws reads it within 4 SE (α/2/√k) plus
    /// 0.1 for the stable law's second-order bias.
    func testMeanOfSquaredStableHasTailIndexHalfAlpha() {
        let distribution = SyntheticDistribution.meanOfSquaredStable(alpha: 1.5, dimension: 10)
        XCTAssertEqual(distribution.tailIndex, 0.75)
        let data = OrderStatistics(samples: distribution.sample(count: 20_000, seed: 4))
        let k = 200
        XCTAssertEqual(HillEstimator.estimate(data, k: k).alpha!, 0.75, accuracy: 4 * 0.75 / Double(k).squareRoot() + 0.1)
    }

    /// Student's t quantile from GSL against closed forms: Cauchy at ν = 1
    /// (tan(π(p − ½))), (2p − 1)/√(2p(1 − p)) at ν = 2, and the normal as ν grows.
    func testStudentTQuantileAgainstClosedForms() {
        for p in [0.6, 0.9, 0.975, 0.995] {
            XCTAssertEqual(SpecialFunctions.studentTQuantile(p, degreesOfFreedom: 1), tan(Double.pi * (p - 0.5)), accuracy: 1e-9 * tan(Double.pi * (p - 0.5)))
            XCTAssertEqual(SpecialFunctions.studentTQuantile(p, degreesOfFreedom: 2), (2 * p - 1) / (2 * p * (1 - p)).squareRoot(), accuracy: 1e-10)
        }
        XCTAssertEqual(SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: 1e7), SpecialFunctions.normalQuantile(0.975), accuracy: 1e-6)
        // The printed table value at 30 degrees of freedom.
        XCTAssertEqual(SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: 30), 2.042272, accuracy: 1e-6)
    }
}
