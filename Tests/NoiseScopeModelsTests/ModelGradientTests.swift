import XCTest
@testable import NoiseScopeModels

/// Whole-model gradients in Double against central finite differences of the model's
/// own `loss(indices:)`, on small configurations of every model and variant.
///
/// Coordinates: 3 random ones in every tensor (30 for logreg, which has two) (so every layer's weights, biases and
/// LayerNorm parameters are hit), plus extra ones where the answer is known to be
/// interesting (wte rows of tokens present in the batch), about 60–110 per model; then
/// the directional derivative along one random Gaussian direction over ALL parameters.
///
/// Tolerances: rtol 1e-6 (see `FiniteDifference`), atol 5e-9. The losses are O(1–6),
/// so rounding in the central difference is ≈ 6·2.2e-16/1e-5 ≈ 1.3e-10, and
/// parameters are O(0.02–1), so the O(h²) truncation is far below that; the floor
/// sits a factor ~40 above the rounding level and only matters for components that
/// are themselves ≲ 5e-3 in relative terms of it.
final class ModelGradientTests: XCTestCase {
    static let atol = 5e-9

    /// Checks coordinates and a directional derivative; returns the worst relative error
    /// over coordinates whose derivative exceeds 1e-6 (for the record).
    @discardableResult
    func checkModel<M: GradientModel>(_ m: M, indices: [Int], extra: [Int] = [], perTensor: Int = 3, seed: UInt64,
                                      file: StaticString = #filePath, line: UInt = #line) -> Double
    where M.Scalar == Double {
        let r = TestRandom(seed: seed)
        let loss = m.lossAndGradient(indices: indices)
        let g = Array(m.gradient)
        XCTAssertEqual(m.loss(indices: indices), loss, accuracy: 1e-13, "loss() and lossAndGradient() disagree",
                       file: file, line: line)
        var coords = extra
        for slot in m.layout.tensors {
            coords += r.subset(perTensor, of: slot.count).map { slot.offset + $0 }
        }
        let p = m.parameters.baseAddress!
        var worst = 0.0
        for i in coords {
            let fd = FiniteDifference.derivative(at: i, of: p) { m.loss(indices: indices) }
            let rel = FiniteDifference.check(g[i], fd, atol: Self.atol, "\(m.name) θ[\(i)]", file: file, line: line)
            if abs(fd) > 1e-6 { worst = max(worst, rel) }
        }
        // Directional derivative along a random unit direction.
        var v = r.normal(m.parameterCount)
        let vn = v.norm
        v = v.map { $0 / vn }
        let fdDir = FiniteDifference.directional(along: v, of: m.parameters) { m.loss(indices: indices) }
        let analyticDir = zip(g, v).reduce(0) { $0 + $1.0 * $1.1 }
        FiniteDifference.check(analyticDir, fdDir, atol: Self.atol, "\(m.name) directional", file: file, line: line)
        // The gradient must not have been disturbed by the loss-only evaluations.
        XCTAssertEqual(Array(m.gradient), g, file: file, line: line)
        XCTAssertGreaterThan(g.map(abs).max()!, 1e-4, "degenerate gradient", file: file, line: line)
        let dirRel = abs(analyticDir - fdDir) / abs(fdDir)
        print("\(m.name): \(coords.count) coordinates, worst relative error \(worst); directional \(dirRel)")
        return worst
    }

    static func smallGPT(attention: Bool, gaussian: Bool) -> TinyGPTConfiguration {
        TinyGPTConfiguration(contextLength: 8, width: 16, layers: 2, heads: 2, maxBatchSize: 3,
                             attention: attention, gaussianInput: gaussian, seed: 11,
                             initStd: 0.2)  // larger init than 0.02 so attention is far from uniform
    }

    func checkGPT(attention: Bool, gaussian: Bool, corpus: TextCorpus? = nil) throws {
        let corpus = try corpus ?? TestData.corpus(context: 8)
        var config = Self.smallGPT(attention: attention, gaussian: gaussian)
        config.vocabularySize = corpus.vocabularySize
        let model = TinyGPT<Double>(configuration: config, corpus: corpus)
        model.minimumFlopsPerWorker = 0  // split even this tiny minibatch across the workers
        let indices = [3, 1000, 3]  // a repeat, and B = 3 splits 1 + 2 across the two workers
        // Extra coordinates: entries of wte rows whose token occurs in the batch (input or target):
        // the smallest ids for bytes, the largest for word tokens (rows of words, not of bytes).
        let used = Set(indices.flatMap { model.corpus.window($0).inputs + model.corpus.window($0).targets }).sorted()
        let chosen = corpus.wordVocabulary == nil ? used.prefix(8) : used.suffix(8)
        let extra = chosen.map { Int($0) * config.width + Int($0) % config.width }
        checkModel(model, indices: indices, extra: extra, seed: 100)
    }

    /// tinygpt on the novel's word tokens (vocabulary 4096): the same check, with
    /// the extra coordinates in the rows of words.
    func testTinyGPTOnWordTokens() throws {
        let novel = try TextCorpus.bytes(of: TestData.corpusURL)
        let corpus = try TextCorpus(bytes: novel, wordVocabulary: try WordVocabulary(buildingFrom: novel), contextLength: 8)
        XCTAssertEqual(corpus.vocabularySize, 4096)
        XCTAssertGreaterThan(corpus.window(1000).targets.max()!, 256)
        try checkGPT(attention: true, gaussian: false, corpus: corpus)
    }

    func testTinyGPT() throws { try checkGPT(attention: true, gaussian: false) }
    func testTinyGPTWithoutAttention() throws { try checkGPT(attention: false, gaussian: false) }
    func testTinyGPTGaussianInput() throws { try checkGPT(attention: true, gaussian: true) }
    func testTinyGPTWithoutAttentionGaussianInput() throws { try checkGPT(attention: false, gaussian: true) }

    func testResMLP() {
        let config = ResMLPConfiguration(width: 16, hiddenWidth: 24, blocks: 2, maxBatchSize: 5, seed: 12, initStd: 0.3)
        let model = ResMLP<Double>(configuration: config, data: TestData.digits)
        model.minimumFlopsPerWorker = 0
        checkModel(model, indices: [0, 17, 400, 1796, 17], seed: 101)
    }

    func testLogReg() {
        let config = LogRegConfiguration(maxBatchSize: 7, seed: 13, initStd: 0.3)
        let model = LogReg<Double>(configuration: config, data: TestData.digits)
        model.minimumFlopsPerWorker = 0
        checkModel(model, indices: [5, 6, 7, 8, 9, 10, 1000], perTensor: 30, seed: 102)
    }
}
