import NoiseScopeModels
import NoiseScopeStatistics
import XCTest
@testable import NoiseScopeSampling

/// Attribution of the largest noise norms to examples: a planted outlier
/// (one digit with every pixel at 255, 16 times the usual range, and relabelled) is found as the most
/// influential example of the top minibatches, and the norms recomputed from
/// per-example gradients equal the measured ones.
final class NoiseAttributionTests: XCTestCase {
    func testFindsAPlantedOutlierExample() throws {
        var pixels = NoiseNormSamplerTests.digits.pixels
        var labels = NoiseNormSamplerTests.digits.labels
        let planted = 777
        for i in 0..<DigitsDataset.pixelCount { pixels[planted * DigitsDataset.pixelCount + i] = 255 }
        labels[planted] = (labels[planted] + 5) % 10
        let data = DigitsDataset(pixels: pixels, labels: labels)
        let model = LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: 16, seed: 3), data: data)
        let measurement = try NoiseNormSampler(model: model, options: .init(batchSize: 16, samples: 600, seed: 5)).run()
        XCTAssertTrue(measurement.batches.contains { $0.contains(planted) }, "the planted example is sampled at least once")
        let attribution = NoiseAttribution.compute(model: model, measurement: measurement, top: 3)
        XCTAssertEqual(attribution.rows.count, 3 * 16)
        for rank in 1...3 {
            let rows = attribution.rows.filter { $0.rank == rank }
            // The recomputed norm is the measured one (fp32 gradients: 1e-5 relative).
            XCTAssertEqual(rows[0].noiseNorm, measurement.noiseNorms[rows[0].sample], accuracy: 1e-5 * rows[0].noiseNorm)
            if measurement.batches[rows[0].sample].contains(planted) {
                let top = try XCTUnwrap(rows.max { $0.influence < $1.influence })
                XCTAssertEqual(top.example, planted, "rank \(rank): the planted example drives the norm")
                XCTAssertGreaterThan(top.influence, 0)
            }
        }
        // The largest norm of all comes from a minibatch holding the planted example.
        XCTAssertTrue(measurement.batches[attribution.rows[0].sample].contains(planted))
    }

    /// --exclude: the planted example never enters a minibatch or ∇f, and the
    /// largest norms fall back to the level of the rest of the data.
    func testExcludingThePlantedExampleRemovesItsTail() throws {
        var pixels = NoiseNormSamplerTests.digits.pixels
        var labels = NoiseNormSamplerTests.digits.labels
        let planted = 777
        for i in 0..<DigitsDataset.pixelCount { pixels[planted * DigitsDataset.pixelCount + i] = 255 }
        labels[planted] = (labels[planted] + 5) % 10
        let model = LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: 16, seed: 3), data: DigitsDataset(pixels: pixels, labels: labels))
        let with = try NoiseNormSampler(model: model, options: .init(batchSize: 16, samples: 600, seed: 5)).run()
        var options = NoiseNormSampler.Options(batchSize: 16, samples: 600, seed: 5)
        options.excluded = [planted]
        let without = try NoiseNormSampler(model: model, options: options).run()
        XCTAssertFalse(without.batches.contains { $0.contains(planted) })
        XCTAssertEqual(without.fullGradientExamples, model.exampleCount - 1)
        XCTAssertLessThan(without.noiseNorms.max()!, 0.5 * with.noiseNorms.max()!)
        options.excluded = [model.exampleCount]
        XCTAssertThrowsError(try NoiseNormSampler(model: model, options: options)) { error in
            XCTAssertTrue("\(error)".contains("cannot be excluded"), "\(error)")
        }
    }

    /// Per-layer noise: the groups partition the parameters, and the squared
    /// group norms add up to the squared noise norm of each minibatch.
    func testGroupNormsAddUpToTheWhole() throws {
        let model = ResMLP<Float>(configuration: ResMLPConfiguration(width: 16, hiddenWidth: 32, blocks: 2, maxBatchSize: 8, seed: 1),
                                  data: NoiseNormSamplerTests.digits)
        let measurement = try NoiseNormSampler(model: model, options: .init(batchSize: 8, samples: 50, seed: 2)).run()
        XCTAssertEqual(measurement.groupNames, ["embeddings", "mlp", "norms", "head"])
        let covered = LayerGroups(layout: model.layout).groups.flatMap(\.ranges).reduce(0) { $0 + $1.count }
        XCTAssertEqual(covered, model.parameterCount)
        for (norm, groups) in zip(measurement.noiseNorms, measurement.noiseNormsByGroup) {
            XCTAssertEqual(groups.reduce(0) { $0 + $1 * $1 }, norm * norm, accuracy: 1e-9 * norm * norm)
        }
        XCTAssertEqual(LayerGroups.group(ofTensor: "blocks.0.qkv.weight"), "attention")
        XCTAssertEqual(LayerGroups.group(ofTensor: "blocks.1.fcp.bias"), "mlp")
        XCTAssertEqual(LayerGroups.group(ofTensor: "wpe"), "embeddings")
        XCTAssertEqual(LayerGroups.group(ofTensor: "lnf.weight"), "norms")
    }
}
