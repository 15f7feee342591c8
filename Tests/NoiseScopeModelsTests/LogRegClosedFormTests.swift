import Foundation
import XCTest
@testable import NoiseScopeModels

/// logreg against its closed form, computed here independently in plain Swift loops:
/// P = softmax(X Wᵀ + b), ∇W = (P − Y)ᵀ X / B, ∇b = Σ_rows (P − Y) / B,
/// loss = −(1/B) Σ log P[y]. Both sides are Double; they differ only in summation
/// order (BLAS vs loops), so the bound is 1e-12 relative to the largest entry.
final class LogRegClosedFormTests: XCTestCase {
    func testGradientMatchesClosedForm() {
        let data = TestData.digits
        let model = LogReg<Double>(configuration: LogRegConfiguration(maxBatchSize: 16, seed: 3, initStd: 0.5),
                                   data: data)
        let indices = [0, 1, 2, 3, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 1796]
        let loss = model.lossAndGradient(indices: indices)
        let w = model.parameterView("linear.weight"), b = model.parameterView("linear.bias")
        let k = 10, d = 64, bsz = Double(indices.count)
        var gW = [Double](repeating: 0, count: k * d), gB = [Double](repeating: 0, count: k)
        var expectedLoss = 0.0
        for i in indices {
            let x = (0..<d).map { Double(data.pixels[i * d + $0]) / 16 }
            let z = (0..<k).map { c in b[c] + (0..<d).reduce(0) { $0 + w[c * d + $1] * x[$1] } }
            let m = z.max()!
            let e = z.map { exp($0 - m) }
            let s = e.reduce(0, +)
            let y = Int(data.labels[i])
            expectedLoss += -(z[y] - m - log(s)) / bsz
            for c in 0..<k {
                let r = e[c] / s - (c == y ? 1 : 0)
                gB[c] += r / bsz
                for j in 0..<d { gW[c * d + j] += r * x[j] / bsz }
            }
        }
        XCTAssertEqual(loss, expectedLoss, accuracy: 1e-13)
        let scale = (gW + gB).map(abs).max()!
        for i in 0..<(k * d) { XCTAssertEqual(model.gradientView("linear.weight")[i], gW[i], accuracy: 1e-12 * scale) }
        for c in 0..<k { XCTAssertEqual(model.gradientView("linear.bias")[c], gB[c], accuracy: 1e-12 * scale) }
    }

    /// At W = 0, b = 0 every class has probability 1/10: loss = log 10 exactly and
    /// ∇b = (1/10 − class frequency in the batch).
    func testZeroWeightsGiveUniformPrediction() {
        let model = LogReg<Double>(configuration: LogRegConfiguration(maxBatchSize: 10), data: TestData.digits)
        for i in 0..<model.parameterCount { model.parameters[i] = 0 }
        let indices = Array(0..<10)  // the first ten digits are 0, 1, …, 9
        XCTAssertEqual(TestData.digits.labels[0..<10].map { Int($0) }, Array(0..<10))
        XCTAssertEqual(model.lossAndGradient(indices: indices), log(10), accuracy: 1e-15)
        for c in 0..<10 { XCTAssertEqual(model.gradientView("linear.bias")[c], 0.1 - 0.1, accuracy: 1e-16) }
    }
}
