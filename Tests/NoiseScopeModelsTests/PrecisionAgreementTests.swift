import XCTest
@testable import NoiseScopeModels

/// The Float path (fast exp/tanh, sgemm) against the Double path (libm, dgemm) on the
/// default tinygpt architecture at B = 4, with identical parameters (the Float model's
/// values copied into the Double model, exactly representable).
///
/// A priori: fp32 unit roundoff 6e-8, grown by sums of 64–512 terms and a dozen
/// layers, plus the fast exp/tanh (≤ 3e-7), suggests up to ~1e-6–1e-5. Measured
/// (this machine, OpenBLAS 0.3.21): loss relative 4e-9 (tinygpt) and 1.3e-10 (resmlp;
/// the loss sum is in Double), gradient ‖g_F − g_D‖/‖g_D‖ 1.8e-7 and 2.6e-7, worst
/// coordinate 1.7e-7 and 2.1e-7 of max|g_D|. Bounds, ~10× above the measurements to
/// allow other BLAS kernels / summation orders: loss relative 1e-7, gradient relative
/// norm 3e-6, every coordinate within 3e-6·max|g_D|.
final class PrecisionAgreementTests: XCTestCase {
    func check<F: GradientModel, D: GradientModel>(_ f: F, _ d: D, indices: [Int], name: String)
    where F.Scalar == Float, D.Scalar == Double {
        XCTAssertEqual(f.layout, d.layout)
        for i in 0..<f.parameterCount { d.parameters[i] = Double(f.parameters[i]) }
        let lf = f.lossAndGradient(indices: indices), ld = d.lossAndGradient(indices: indices)
        let gf = f.gradient.map(Double.init), gd = Array(d.gradient)
        let diff = zip(gf, gd).map { $0 - $1 }
        let relNorm = diff.norm / gd.norm
        let maxScale = gd.map(abs).max()!
        let worst = diff.map(abs).max()! / maxScale
        print("\(name) Float vs Double: loss \(lf) vs \(ld) (rel \(abs(lf - ld) / ld)); gradient relative norm error \(relNorm); worst coordinate / max|g| \(worst)")
        XCTAssertEqual(lf, ld, accuracy: 1e-7 * ld)
        XCTAssertLessThan(relNorm, 3e-6)
        XCTAssertLessThan(worst, 3e-6)
    }

    func testTinyGPTFloatMatchesDouble() throws {
        let corpus = try TestData.corpus(context: 64)
        let config = TinyGPTConfiguration(maxBatchSize: 4)
        check(TinyGPT<Float>(configuration: config, corpus: corpus), TinyGPT<Double>(configuration: config, corpus: corpus),
              indices: [0, 7, 5000, 10698], name: "tinygpt")
    }

    func testResMLPFloatMatchesDouble() {
        let config = ResMLPConfiguration(maxBatchSize: 16)
        check(ResMLP<Float>(configuration: config, data: TestData.digits),
              ResMLP<Double>(configuration: config, data: TestData.digits),
              indices: Array(stride(from: 0, to: 1600, by: 100)), name: "resmlp")
    }
}
