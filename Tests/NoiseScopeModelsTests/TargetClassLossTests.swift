import XCTest
@testable import NoiseScopeModels

/// tinygpt's loss split by target byte adds back up to the model's own mean loss.
final class TargetClassLossTests: XCTestCase {
    func testClassSumsAddUpToTheMeanLossInDouble() throws {
        let corpus = try TextCorpus(bytes: Array(try TestData.corpus(context: 8).bytes.prefix(2000)), contextLength: 8)
        for gaussian in [false, true] {
            // 40 windows: more than the 32 the per-class pass holds at once, so it runs in two chunks.
            let config = TinyGPTConfiguration(contextLength: 8, width: 16, heads: 2, maxBatchSize: 40,
                                              gaussianInput: gaussian, seed: 3)
            let model = TinyGPT<Double>(configuration: config, corpus: corpus)
            let indices = (0..<40).map { ($0 * 7) % corpus.windowCount }
            _ = model.lossAndGradient(indices: [1, 2])
            let gradientBefore = Array(model.gradient), parametersBefore = Array(model.parameters)
            let classes = model.lossByTargetClass(indices: indices)
            XCTAssertEqual(classes.meanLoss, model.loss(indices: indices), accuracy: 1e-9, "gaussian \(gaussian)")
            XCTAssertEqual(Array(model.gradient), gradientBefore, "the gradient is untouched")
            XCTAssertEqual(Array(model.parameters), parametersBefore, "the parameters are untouched")
            // The counts are the targets' bytes.
            var expected = [Int](repeating: 0, count: 256)
            for i in indices { for c in model.targetClasses(ofExample: i) { expected[c] += 1 } }
            XCTAssertEqual(classes.counts, expected)
            XCTAssertEqual(model.targetClasses(ofExample: 3), corpus.window(3).targets.map(Int.init))
            // A class that never is a target has no loss.
            for c in 0..<256 where expected[c] == 0 { XCTAssertEqual(classes.sums[c], 0) }
        }
    }

    func testNoIndicesGiveEmptySums() throws {
        let corpus = try TextCorpus(bytes: Array("abcdefghijklmnopqrstuvwxyz".utf8), contextLength: 8)
        let model = TinyGPT<Float>(configuration: TinyGPTConfiguration(contextLength: 8, width: 16, heads: 2), corpus: corpus)
        let empty = model.lossByTargetClass(indices: [])
        XCTAssertEqual(empty.counts.reduce(0, +), 0)
        XCTAssertTrue(empty.meanLoss.isNaN)
    }
}
