import XCTest
@testable import NoiseScopeModels

/// Per-example gradients from one batched pass (`perExampleGradients`) against one
/// batch-1 `lossAndGradient` per example, in Double, on every model and variant.
///
/// Each example's gradient must equal its batch-1 gradient to 1e-10 relative
/// (max |difference| over the vector / max |batch-1 gradient|): the two differ only
/// in the order of sums inside the GEMMs (rounding ≈ 1e-16 · 64 terms), so 1e-10 is
/// six orders above the expected error and far below any real mistake (a wrong
/// scale, a row in the wrong example's slot, a missing tied-weight term: all O(1)).
/// The mean of the per-example gradients must be the minibatch gradient, and the
/// returned loss the mean of the batch-1 losses. The slots are filled with NaN
/// first, so a slot the pass forgets to zero or write fails the check.
final class PerExampleGradientTests: XCTestCase {
    static let tolerance = 1e-10

    /// Max |a − b| over the vector relative to max |b|.
    func relativeMaxAbs(_ a: ArraySlice<Double>, _ b: [Double]) -> Double {
        var worst = 0.0, scale = 0.0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)); scale = max(scale, abs(y)) }
        return worst.isNaN || a.contains(where: \.isNaN) ? .infinity : worst / scale
    }

    func check<M: GradientModel>(_ model: M, batches: [[Int]], file: StaticString = #filePath, line: UInt = #line)
    where M.Scalar == Double {
        let n = model.parameterCount
        for indices in batches {
            var slots = [Double](repeating: .nan, count: indices.count * n)
            let loss = slots.withUnsafeMutableBufferPointer { model.perExampleGradients(indices: indices, into: $0) }
            var lossSum = 0.0
            var mean = [Double](repeating: 0, count: n)
            for (k, i) in indices.enumerated() {
                lossSum += model.lossAndGradient(indices: [i])
                let single = Array(model.gradient)
                let slot = slots[(k * n)..<((k + 1) * n)]
                let error = relativeMaxAbs(slot, single)
                XCTAssertLessThan(error, Self.tolerance, "\(model.name) B = \(indices.count) example \(i) (slot \(k))",
                                  file: file, line: line)
                for (j, g) in zip(0..<n, slot) { mean[j] += g / Double(indices.count) }
            }
            XCTAssertEqual(loss, lossSum / Double(indices.count), accuracy: 1e-12 * abs(loss), "\(model.name) loss",
                           file: file, line: line)
            _ = model.lossAndGradient(indices: indices)
            XCTAssertLessThan(relativeMaxAbs(mean[...], Array(model.gradient)), Self.tolerance,
                              "\(model.name) B = \(indices.count): mean of per-example gradients vs minibatch gradient",
                              file: file, line: line)
        }
    }

    /// B = 1, 3 and 8 (the model's maximum), with repeated windows, split over the workers.
    static let textBatches = [[1000], [3, 1000, 3], [5, 77, 5, 4000, 12, 5, 9000, 640]]

    func checkGPT(attention: Bool, gaussian: Bool, workers: Int = 2) throws {
        var config = ModelGradientTests.smallGPT(attention: attention, gaussian: gaussian)
        config.maxBatchSize = 8
        config.parallelism = .dataParallel(workers: workers)
        let model = TinyGPT<Double>(configuration: config, corpus: try TestData.corpus(context: 8))
        model.minimumFlopsPerWorker = 0  // split even these tiny minibatches across the workers
        XCTAssertEqual(model.workerCount, workers)
        check(model, batches: Self.textBatches)
    }

    func testTinyGPT() throws { try checkGPT(attention: true, gaussian: false) }
    func testTinyGPTWithoutAttention() throws { try checkGPT(attention: false, gaussian: false) }
    func testTinyGPTGaussianInput() throws { try checkGPT(attention: true, gaussian: true) }
    func testTinyGPTWithoutAttentionGaussianInput() throws { try checkGPT(attention: false, gaussian: true) }
    /// Three workers: 8 examples split 2 + 3 + 3, so the slots start at uneven offsets.
    func testTinyGPTThreeWorkers() throws { try checkGPT(attention: true, gaussian: false, workers: 3) }

    /// Word tokens: the tied wte rows of words (vocabulary 4096), from both the input
    /// lookup and the output head.
    func testTinyGPTOnWordTokens() throws {
        let novel = try TextCorpus.bytes(of: TestData.corpusURL)
        let corpus = try TextCorpus(bytes: novel, wordVocabulary: try WordVocabulary(buildingFrom: novel), contextLength: 8)
        var config = ModelGradientTests.smallGPT(attention: true, gaussian: false)
        config.vocabularySize = corpus.vocabularySize
        config.maxBatchSize = 8
        let model = TinyGPT<Double>(configuration: config, corpus: corpus)
        model.minimumFlopsPerWorker = 0
        check(model, batches: Self.textBatches)
    }

    func testImageModels() {
        let batches = [[17], [0, 1796, 0], [5, 6, 7, 5, 400, 1000, 33, 6]]
        let resmlp = ResMLP<Double>(configuration: ResMLPConfiguration(width: 16, hiddenWidth: 24, blocks: 2, maxBatchSize: 8,
                                                                      seed: 12, initStd: 0.3), data: TestData.digits)
        let logreg = LogReg<Double>(configuration: LogRegConfiguration(maxBatchSize: 8, seed: 13, initStd: 0.3), data: TestData.digits)
        let mlp = DigitsMLP<Double>(configuration: DigitsMLPConfiguration(width: 16, maxBatchSize: 8, seed: 14, initStd: 0.3),
                                    data: TestData.digits)
        for model in [resmlp, logreg, mlp] as [DataParallelModel<Double>] {
            model.minimumFlopsPerWorker = 0
            check(model, batches: batches)
        }
    }

    /// linreg has no batched path: the protocol's default (one batch-1 call per example).
    func testDefaultLoop() throws {
        let model = LinearRegression<Double>(data: try DiabetesDataset(directory: TestData.dataDirectory), maxBatchSize: 8)
        for i in 0..<model.parameterCount { model.parameters[i] = 0.1 * Double(i % 5) - 0.2 }
        check(model, batches: [[3], [3, 400, 3], [1, 2, 3, 4, 5, 6, 7, 1]])
    }
}
