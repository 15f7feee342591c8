import NoiseScopeModels
import XCTest
@testable import NoiseScopeSampling

/// `measure --batch 1` through batched per-example passes (`GradientStream`)
/// against the step-by-step path it replaced: one `lossAndGradient([i])` per
/// step, replayed here in the same schedule order on the same model. Float
/// gradients whose sums ran in a different order: agreement to 1e-5 relative
/// (a few fp32 roundings of each entry, ~6e-8, summed over ≤ 64 positions).
final class PerExampleSamplingTests: XCTestCase {
    static let corpus: TextCorpus? = try? TextCorpus(
        contentsOf: ModelCatalog.dataDirectory.appendingPathComponent("prideprejudice.txt"), contextLength: 16)

    func model() throws -> TinyGPT<Float> {
        let config = TinyGPTConfiguration(contextLength: 16, width: 32, heads: 2, maxBatchSize: 8, seed: 6, initStd: 0.2)
        return TinyGPT<Float>(configuration: config, corpus: try XCTUnwrap(Self.corpus))
    }

    /// 21 steps: two full passes of 8 and a last one of 5.
    static let options: NoiseNormSampler.Options = {
        var o = NoiseNormSampler.Options(batchSize: 1, samples: 21, seed: 4, exampleLimit: 300)
        o.spectrumRank = 2
        return o
    }()

    func testMatchesOneCallPerStep() throws {
        let model = try model()
        let stream = GradientStream(model: model, pool: [0, 1], batchSize: 1, seed: 0)
        XCTAssertEqual(stream.stepsPerPass, 8, "B = 1 must take the batched path")
        let measurement = try NoiseNormSampler(model: model, options: Self.options).run()
        let full = measurement.fullGradient
        var schedule = MinibatchSchedule(exampleCount: 300, batchSize: 1, seed: 4)
        let groups = LayerGroups(layout: model.layout)
        var gradients: [[Double]] = []
        for (j, norm) in measurement.noiseNorms.enumerated() {
            let batch = schedule.next()
            XCTAssertEqual(measurement.batches[j], batch)
            _ = model.lossAndGradient(indices: batch)
            let g = model.gradient.map(Double.init)
            gradients.append(g)
            let direct = zip(g, full).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            XCTAssertEqual(norm, direct, accuracy: 1e-5 * direct, "step \(j)")
            let byGroup = groups.squaredDistances(UnsafeBufferPointer(model.gradient), full).map { $0.squareRoot() }
            for (a, b) in zip(measurement.noiseNormsByGroup[j], byGroup) { XCTAssertEqual(a, b, accuracy: 1e-5 * direct) }
            if j == 0 {
                let scale = g.map(abs).max() ?? 1
                for (c, (gi, fi)) in zip(measurement.firstBatchCoordinates, zip(g, full)) {
                    XCTAssertEqual(c, gi - fi, accuracy: 1e-5 * scale)
                }
            }
        }
        let last = try XCTUnwrap(measurement.variance.last)
        XCTAssertEqual(last.samples, 21)
        let twoPass = NoiseNormSamplerTests.twoPassVariance(gradients)
        XCTAssertEqual(last.variance, twoPass, accuracy: 1e-5 * twoPass)
    }

    /// Same seed, fresh model: the same bytes (the batched pass splits the same way every time).
    func testSameSeedSameNorms() throws {
        let a = try NoiseNormSampler(model: try model(), options: Self.options).run()
        let b = try NoiseNormSampler(model: try model(), options: Self.options).run()
        XCTAssertEqual(a.noiseNorms, b.noiseNorms)
        XCTAssertEqual(a.noiseNormsByGroup, b.noiseNormsByGroup)
        XCTAssertEqual(a.stableIndex, b.stableIndex)
        XCTAssertEqual(a.covarianceSpectrum, b.covarianceSpectrum)
    }
}
