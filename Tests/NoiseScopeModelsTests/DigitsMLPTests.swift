import Foundation
import XCTest
@testable import NoiseScopeModels

/// mlp: its loss against a plain-Swift forward pass written here from the
/// formula, and its gradient against central finite differences.
extension ModelGradientTests {
    func testDigitsMLPGradient() {
        let model = DigitsMLP<Double>(configuration: DigitsMLPConfiguration(width: 12, maxBatchSize: 6, seed: 14, initStd: 0.3),
                                      data: TestData.digits)
        model.minimumFlopsPerWorker = 0  // exercise the two-worker split as well
        checkModel(model, indices: [3, 4, 700, 1500, 1796, 3], perTensor: 20, seed: 103)
    }

    func testDigitsMLPLossMatchesThePlainFormula() {
        let width = 9
        let model = DigitsMLP<Double>(configuration: DigitsMLPConfiguration(width: width, maxBatchSize: 4, seed: 5, initStd: 0.5),
                                      data: TestData.digits)
        let indices = [0, 11, 222, 1333]
        let p = Array(model.parameters)
        let w1 = model.layout["fc1.weight"]!.offset, b1 = model.layout["fc1.bias"]!.offset
        let w2 = model.layout["head.weight"]!.offset, b2 = model.layout["head.bias"]!.offset
        var total = 0.0
        for index in indices {
            let features = TestData.digits.pixels[index * 64..<(index + 1) * 64].map { Double($0) / 16 }
            let label = TestData.digits.labels[index]
            let h = (0..<width).map { j -> Double in
                let z = (0..<64).reduce(p[b1 + j]) { $0 + p[w1 + j * 64 + $1] * features[$1] }
                return 0.5 * z * (1 + tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)))
            }
            let logits = (0..<10).map { c in (0..<width).reduce(p[b2 + c]) { $0 + p[w2 + c * width + $1] * h[$1] } }
            let top = logits.max()!
            let logSum = top + log(logits.reduce(0) { $0 + exp($1 - top) })
            total += logSum - logits[Int(label)]
        }
        XCTAssertEqual(model.loss(indices: indices), total / Double(indices.count), accuracy: 1e-12)
        XCTAssertEqual(model.parameterCount, width * 65 + 10 * (width + 1))
    }
}
