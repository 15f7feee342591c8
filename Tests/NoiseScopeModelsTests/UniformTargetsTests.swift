import NoiseScopeCore
@testable import NoiseScopeModels
import XCTest

/// gaussian-uniform: the Gaussian-input tinygpt over targets drawn uniformly
/// from the novel's alphabet, the control for the class-imbalance explanation.
final class UniformTargetsTests: XCTestCase {
    func testBytesAreUniformOverTheAlphabetAndFixed() {
        let source: [UInt8] = Array(String(repeating: "aaaaaaaaab c", count: 5000).utf8)  // Zipf-ish: a dominates
        let drawn = ModelCatalog.LoadedData.uniformBytes(like: source)
        XCTAssertEqual(drawn.count, source.count)
        XCTAssertEqual(Set(drawn), Set(source))
        var counts: [UInt8: Int] = [:]
        for b in drawn { counts[b, default: 0] += 1 }
        let expected = Double(drawn.count) / 4
        for (_, n) in counts { XCTAssertEqual(Double(n), expected, accuracy: 5 * expected.squareRoot()) }
        XCTAssertEqual(ModelCatalog.LoadedData.uniformBytes(like: source), drawn, "the same data every time")
    }

    func testTheDataSourceBuildsAGaussianInputModel() throws {
        XCTAssertEqual(ModelCatalog.DataSource(argument: "gaussian-uniform"), .gaussianUniform)
        XCTAssertEqual(ModelCatalog.DataSource.gaussianUniform.name, "gaussian-uniform")
        let model = try ModelCatalog.makeModel(.tinygpt, data: .gaussianUniform, batchSize: 2, seed: 1,
                                               overrides: .init(width: 16, layers: 1, heads: 2, context: 16))
        XCTAssertEqual(model.name, "tinygpt-gaussian")
        XCTAssertTrue(model.loss(indices: [0, 1]).isFinite)
        // Its most frequent eight bytes carry about 8/|alphabet| of the targets, not the novel's half.
        let text = try ModelCatalog.makeModel(.tinygpt, data: .text, batchSize: 2, seed: 1,
                                              overrides: .init(width: 16, layers: 1, heads: 2, context: 16))
        func topEightShare(_ m: any GradientModel<Float>) -> Double {
            let classes = m as! any ClassTargetLosses
            var counts = [Int](repeating: 0, count: 256)
            for i in 0..<2000 { for c in classes.targetClasses(ofExample: i) { counts[c] += 1 } }
            let sorted = counts.sorted(by: >)
            return Double(sorted.prefix(8).reduce(0, +)) / Double(sorted.reduce(0, +))
        }
        XCTAssertGreaterThan(topEightShare(text), 0.4)
        XCTAssertLessThan(topEightShare(model), 0.15)
        XCTAssertThrowsError(try ModelCatalog.makeModel(.logreg, data: .gaussianUniform, batchSize: 2, seed: 1))
    }
}
