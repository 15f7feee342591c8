import Foundation
import XCTest
@testable import NoiseScopeModels

/// Sizes, layouts, initialisation, determinism, parallel/serial agreement and the
/// steady-state buffer discipline of the models.
final class ModelStructureTests: XCTestCase {
    func testDefaultTinyGPTHasExactly120576Parameters() throws {
        let model = TinyGPT<Float>(corpus: try TestData.corpus(context: 64))
        XCTAssertEqual(model.parameterCount, 120_576)
        XCTAssertEqual(model.gradient.count, 120_576)
        XCTAssertEqual(model.exampleCount, 10_699)  // ⌊(684768 − 1)/64⌋
        // Per tensor: wte 256·64, wpe 64·64, per block 2·128 (LN) + 64·192+192 + 64·64+64
        // + 64·256+256 + 256·64+64 = 49,984, lnf 128.
        XCTAssertEqual(model.layout["wte"]!.shape, [256, 64])
        XCTAssertEqual(model.layout["wpe"]!.shape, [64, 64])
        XCTAssertEqual(model.layout["blocks.1.qkv.weight"]!.shape, [192, 64])
        XCTAssertEqual(model.layout["blocks.1.fcp.weight"]!.shape, [64, 256])
        XCTAssertEqual(model.layout.tensors.count, 2 + 2 * 12 + 2)
        XCTAssertEqual(model.layout.tensors.last!.range.upperBound, 120_576)
        // FLOPs per window: 64 · (6·(120576 − 4096) + 6·2·64·64).
        XCTAssertEqual(model.flopsPerExample, 64 * (6 * 116_480 + 49_152))
    }

    func testAblationAndDigitsModelSizes() throws {
        let corpus = try TestData.corpus(context: 64)
        let noattn = TinyGPT<Float>(configuration: TinyGPTConfiguration(attention: false), corpus: corpus)
        XCTAssertEqual(noattn.parameterCount, 120_576 - 2 * (128 + 12_480 + 4_160))  // 87,040
        XCTAssertNil(noattn.layout["blocks.0.qkv.weight"])
        XCTAssertEqual(noattn.name, "tinygpt-noattn")
        let gaussian = TinyGPT<Float>(configuration: TinyGPTConfiguration(gaussianInput: true), corpus: corpus)
        XCTAssertEqual(gaussian.parameterCount, 120_576)  // wte stays: it is the tied output head
        XCTAssertEqual(gaussian.name, "tinygpt-gaussian")
        // resmlp: 64·128+128 + 3·(256 + 128·512+512 + 512·128+128) + 256 + 128·10+10.
        XCTAssertEqual(ResMLP<Float>(data: TestData.digits).parameterCount, 405_770)
        XCTAssertEqual(LogReg<Float>(data: TestData.digits).parameterCount, 650)
        XCTAssertEqual(DigitsMLP<Float>(data: TestData.digits).parameterCount, 4_810)
    }

    func testInitialisationFollowsTheSpec() throws {
        let model = TinyGPT<Double>(corpus: try TestData.corpus(context: 64))
        func std(_ name: String) -> Double {
            let v = Array(model.parameterView(name))
            let m = v.reduce(0, +) / Double(v.count)
            return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
        }
        // Sample std of n Gaussian draws has relative s.e. 1/√(2n) ≤ 1.1% here; allow 5%.
        XCTAssertEqual(std("wte"), 0.02, accuracy: 0.001)
        XCTAssertEqual(std("blocks.0.qkv.weight"), 0.02, accuracy: 0.001)
        XCTAssertEqual(std("blocks.0.fc.weight"), 0.02, accuracy: 0.001)
        XCTAssertEqual(std("blocks.0.proj.weight"), 0.01, accuracy: 0.0005)  // 0.02/√(2L), L = 2
        XCTAssertEqual(std("blocks.1.fcp.weight"), 0.01, accuracy: 0.0005)
        XCTAssertTrue(model.parameterView("blocks.0.ln1.weight").allSatisfy { $0 == 1 })
        XCTAssertTrue(model.parameterView("lnf.bias").allSatisfy { $0 == 0 })
        XCTAssertTrue(model.parameterView("blocks.1.qkv.bias").allSatisfy { $0 == 0 })
        // At init the logits are ≈ 0, so the loss is ≈ log 256 = 5.545.
        XCTAssertEqual(model.loss(indices: [0, 1, 2, 3]), log(256), accuracy: 0.05)
        let res = ResMLP<Double>(data: TestData.digits)
        let w2 = Array(res.parameterView("blocks.2.fc2.weight"))
        let s = (w2.reduce(0) { $0 + $1 * $1 } / Double(w2.count)).squareRoot()
        XCTAssertEqual(s, 0.02 / 6.0.squareRoot(), accuracy: 0.0003)  // 0.02/√(2·3)
    }

    func testInitialisationIsDeterministicAndPrecisionIndependent() throws {
        let corpus = try TestData.corpus(context: 64)
        let a = TinyGPT<Float>(corpus: corpus), b = TinyGPT<Float>(corpus: corpus)
        let d = TinyGPT<Double>(corpus: corpus)
        XCTAssertEqual(Array(a.parameters), Array(b.parameters))
        XCTAssertEqual(Array(a.parameters), d.parameters.map { Float($0) })
        let other = TinyGPT<Float>(configuration: TinyGPTConfiguration(seed: 1), corpus: corpus)
        XCTAssertNotEqual(Array(a.parameters), Array(other.parameters))
    }

    /// Two workers (split minibatch, summed gradients) and one worker must agree to
    /// summation-order rounding: 1e-13 relative in Double. The Float path with OpenBLAS
    /// threads must agree with data parallelism to fp32 rounding (1e-5 of max |g|).
    func testDataParallelMatchesSerial() throws {
        let corpus = try TestData.corpus(context: 16)
        var config = TinyGPTConfiguration(contextLength: 16, width: 32, heads: 2, maxBatchSize: 5)
        config.parallelism = .dataParallel(workers: 2)
        let par = TinyGPT<Double>(configuration: config, corpus: corpus)
        par.minimumFlopsPerWorker = 0
        config.parallelism = .dataParallel(workers: 1)
        let ser = TinyGPT<Double>(configuration: config, corpus: corpus)
        XCTAssertEqual(par.workerCount, 2)
        XCTAssertEqual(ser.workerCount, 1)
        for indices in [[4, 9, 100, 2000, 4], [31], [1, 2]] {
            let lp = par.lossAndGradient(indices: indices), ls = ser.lossAndGradient(indices: indices)
            XCTAssertEqual(lp, ls, accuracy: 1e-13 * ls)
            let diff = zip(par.gradient, ser.gradient).map { $0 - $1 }
            XCTAssertLessThan(diff.norm / Array(ser.gradient).norm, 1e-13)
        }
        config.parallelism = .blasThreads(2)
        let fb = TinyGPT<Float>(configuration: config, corpus: corpus)
        config.parallelism = .dataParallel(workers: 2)
        let fp = TinyGPT<Float>(configuration: config, corpus: corpus)
        fp.minimumFlopsPerWorker = 0
        _ = fb.lossAndGradient(indices: [4, 9, 100]); _ = fp.lossAndGradient(indices: [4, 9, 100])
        let scale = fp.gradient.map { abs($0) }.max()!
        for i in 0..<fp.parameterCount { XCTAssertEqual(fb.gradient[i], fp.gradient[i], accuracy: 1e-5 * scale) }
    }

    /// The steady state reuses its buffers: the parameter and gradient addresses never
    /// change and repeated calls overwrite (not accumulate) the gradient. (That a call
    /// makes no heap allocation at all is measured with valgrind, see the NoiseScopeModels.docc
    /// article: the process's malloc count is the same after 5 and after 15 calls.)
    func testSteadyStateReusesBuffers() throws {
        let config = TinyGPTConfiguration(contextLength: 16, width: 32, heads: 2, maxBatchSize: 4)
        let model = TinyGPT<Float>(configuration: config, corpus: try TestData.corpus(context: 16))
        let p0 = model.parameters.baseAddress, g0 = model.gradient.baseAddress
        let indices = [1, 2, 3, 4]
        _ = model.lossAndGradient(indices: indices)
        let first = Array(model.gradient)
        for _ in 0..<20 { _ = model.lossAndGradient(indices: indices) }
        XCTAssertEqual(Array(model.gradient), first, "the gradient must be overwritten, not accumulated")
        XCTAssertEqual(model.parameters.baseAddress, p0)
        XCTAssertEqual(model.gradient.baseAddress, g0)
    }

    /// Small minibatches run on worker 0 alone (which therefore holds a full batch), and
    /// give the same result as the forced split.
    func testSmallWorkIsNotSplit() {
        let config = LogRegConfiguration(maxBatchSize: 32, parallelism: .dataParallel(workers: 2))
        let serial = LogReg<Double>(configuration: config, data: TestData.digits)
        let split = LogReg<Double>(configuration: config, data: TestData.digits)
        split.minimumFlopsPerWorker = 0
        let indices = Array(100..<132)
        XCTAssertEqual(serial.lossAndGradient(indices: indices), split.lossAndGradient(indices: indices), accuracy: 1e-14)
        for i in 0..<serial.parameterCount { XCTAssertEqual(serial.gradient[i], split.gradient[i], accuracy: 1e-15) }
    }

    /// Three workers on a minibatch that is only worth two (capacity of the others).
    func testPartialSplitFitsWorkspaces() throws {
        var config = TinyGPTConfiguration(contextLength: 16, width: 32, heads: 2, maxBatchSize: 9)
        config.parallelism = .dataParallel(workers: 3)
        let model = TinyGPT<Double>(configuration: config, corpus: try TestData.corpus(context: 16))
        XCTAssertEqual(model.workerCount, 3)
        model.minimumFlopsPerWorker = model.flopsPerExample * 4.5  // 9 windows → 2 workers
        let l = model.lossAndGradient(indices: Array(0..<9))
        model.minimumFlopsPerWorker = 0  // 9 windows → 3 workers
        XCTAssertEqual(model.lossAndGradient(indices: Array(0..<9)), l, accuracy: 1e-13 * l)
    }

    func testLossOnlyLeavesGradientAlone() throws {
        let model = ResMLP<Float>(configuration: ResMLPConfiguration(maxBatchSize: 4), data: TestData.digits)
        let l = model.lossAndGradient(indices: [1, 2, 3])
        let g = Array(model.gradient)
        XCTAssertEqual(model.loss(indices: [1, 2, 3]), l)
        _ = model.loss(indices: [9, 10])
        XCTAssertEqual(Array(model.gradient), g)
    }
}
