import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeStatistics
import XCTest
@testable import NoiseScopeSampling

/// The sampler against direct computations on logreg, whose per-example
/// gradients are cheap: the full gradient is the mean of per-example
/// gradients, each noise norm is ‖g_B − ∇f‖ recomputed from scratch, and the
/// running variance equals the two-pass formula. fp32 gradients accumulated
/// in Double: agreement to 1e-5 relative (fp32 rounding of each gradient
/// entry, ~6e-8, summed over ≤ 1797 examples).
final class NoiseNormSamplerTests: XCTestCase {
    /// The mean squared distance of the vectors from their mean, computed in two passes:
    /// the reference the samplers' running variance is checked against.
    static func twoPassVariance(_ vectors: [[Double]]) -> Double {
        let count = Double(vectors.count)
        let mean = (0..<(vectors.first?.count ?? 0)).map { j in vectors.reduce(0) { $0 + $1[j] } / count }
        return vectors.reduce(0) { total, v in total + zip(v, mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } / count
    }

    static let digits: DigitsDataset = {
        // The resources beside the test bundle, as the command finds them beside itself.
        return try! DigitsDataset(contentsOf: ModelCatalog.dataDirectory.appendingPathComponent("digits.csv"))
    }()

    func gradient(_ model: LogReg<Float>, _ indices: [Int]) -> [Double] {
        _ = model.lossAndGradient(indices: indices)
        return model.gradient.map(Double.init)
    }

    func testMatchesDirectComputation() throws {
        let model = LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: 16, seed: 3), data: Self.digits)
        let n = model.exampleCount
        // ∇f as the mean of per-example gradients.
        var full = [Double](repeating: 0, count: model.parameterCount)
        for i in 0..<n { for (j, g) in gradient(model, [i]).enumerated() { full[j] += g / Double(n) } }

        let options = NoiseNormSampler.Options(batchSize: 16, samples: 40, seed: 5)
        let measurement = try NoiseNormSampler(model: model, options: options).run()
        XCTAssertTrue(measurement.fullGradientIsExact)
        XCTAssertEqual(measurement.fullGradientExamples, n)
        let fullNorm = full.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(measurement.fullGradientNorm, fullNorm, accuracy: 1e-5 * fullNorm)

        // Replay the same minibatch order and recompute everything directly.
        var schedule = MinibatchSchedule(exampleCount: n, batchSize: 16, seed: 5)
        var gradients: [[Double]] = []
        for (j, norm) in measurement.noiseNorms.enumerated() {
            let g = gradient(model, schedule.next())
            gradients.append(g)
            let direct = zip(g, full).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            XCTAssertEqual(norm, direct, accuracy: 1e-5 * direct, "minibatch \(j)")
            if j == 0 {
                XCTAssertEqual(measurement.firstBatchCoordinates.count, g.count)
                for (c, (gi, fi)) in zip(measurement.firstBatchCoordinates, zip(g, full)) { XCTAssertEqual(c, gi - fi, accuracy: 1e-6) }
            }
        }
        // Two-pass variance of the gradients at the last checkpoint (n = N).
        let last = try XCTUnwrap(measurement.variance.last)
        XCTAssertEqual(last.samples, 40)
        let twoPass = Self.twoPassVariance(gradients)
        XCTAssertEqual(last.variance, twoPass, accuracy: 1e-9 * twoPass)
    }

    func testEstimatedFullGradientSaysSoAndSameSeedSameNorms() throws {
        let model = LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: 8), data: Self.digits)
        let options = NoiseNormSampler.Options(batchSize: 8, samples: 10, fullGradientBatches: 5, seed: 1)
        let a = try NoiseNormSampler(model: model, options: options).run()
        let b = try NoiseNormSampler(model: model, options: options).run()
        XCTAssertFalse(a.fullGradientIsExact)
        XCTAssertEqual(a.fullGradientExamples, 40)
        XCTAssertEqual(a.noiseNorms, b.noiseNorms)
    }

    func testRefusesBadOptionsAndStopsWhenAsked() {
        let model = LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: 8), data: Self.digits)
        XCTAssertThrowsError(try NoiseNormSampler(model: model, options: .init(batchSize: 9)))
        XCTAssertThrowsError(try NoiseNormSampler(model: model, options: .init(batchSize: 8, samples: 1)))
        XCTAssertThrowsError(try NoiseNormSampler(model: model, options: .init(batchSize: 8, samples: 5)).run(shouldStop: { true })) { error in
            XCTAssertEqual(error as? NoiseScopeError, .interrupted(detail: "nothing was written"))
        }
    }

    func testScheduleVisitsEveryExampleOncePerEpoch() {
        var schedule = MinibatchSchedule(exampleCount: 100, batchSize: 7, seed: 2)
        var seen: [Int] = []
        for _ in 0..<schedule.batchesPerEpoch { seen += schedule.next() }
        XCTAssertEqual(Set(seen).count, 98)
        XCTAssertEqual(seen.count, 98)
        var again = MinibatchSchedule(exampleCount: 100, batchSize: 7, seed: 2)
        XCTAssertEqual(again.next(), Array(seen[0..<7]))
    }

    func testVectorVarianceMatchesTwoPass() {
        let vectors: [[Double]] = [[1, 2], [3, 5], [-1, 0], [4, 4]]
        var running = VectorVariance(dimension: 2)
        vectors.forEach { running.add($0) }
        let mean = [7.0 / 4, 11.0 / 4]
        let twoPass = vectors.reduce(0) { $0 + pow($1[0] - mean[0], 2) + pow($1[1] - mean[1], 2) } / 4
        XCTAssertEqual(running.variance, twoPass, accuracy: 1e-14)
        XCTAssertEqual(NoiseMeasurement.logSpacedCounts(upTo: 30), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 16, 20, 25, 30])
    }

    func testReferenceShapeStatistics() {
        let shape = ReferenceComparison.Shape((1...1001).map(Double.init))
        XCTAssertEqual(shape.q99OverMedian, 991.0 / 501, accuracy: 1e-12)
        XCTAssertEqual(shape.maxOverMedian, 1001.0 / 501, accuracy: 1e-12)
        // GSL's kurtosis is m4/s⁴ − 3 with s² the (n−1) sample variance. For 1…N,
        // m4/σ⁴ = 0.6(3N²−7)/(N²−1) with the population σ², and s² = σ²·N/(N−1).
        let n = 1001.0
        let expected = 0.6 * (3 * n * n - 7) / (n * n - 1) * pow((n - 1) / n, 2) - 3
        XCTAssertEqual(shape.excessKurtosis, expected, accuracy: 1e-12)
    }
}

/// The gradient noise scale against its closed form on least squares, where
/// every per-example gradient r_i·(x_i, 1) is exact: tr Σ = (1/N) Σ‖g_i − ḡ‖²,
/// |G|² = ‖ḡ‖². The sampler's estimate averages 40000 squared noise norms (4 SE ≈ 2 %, below the 3.5 % finite-population factor (N−1)/(N−B) it must include);
/// tolerance 4 standard errors of that mean (propagated to the ratio), plus
/// fp32 rounding of the model's gradients (< 1e-5 relative).
final class NoiseScaleTests: XCTestCase {
    func testNoiseScaleMatchesClosedFormOnLeastSquares() throws {
        let data = try DiabetesDataset(directory: ModelCatalog.dataDirectory)
        let model = LinearRegression<Float>(data: data, maxBatchSize: 16)
        // Move away from w = 0 so that G is not dominated by the intercept alone.
        for j in 0..<model.parameterCount { model.parameters[j] = Float(0.1 * Double(j % 3) - 0.05) }
        let n = data.count, d = model.parameterCount
        var perExample: [[Double]] = []
        for i in 0..<n {
            let r = model.residual(i)
            perExample.append((0..<DiabetesDataset.featureCount).map { r * data.features[i * DiabetesDataset.featureCount + $0] } + [r])
        }
        let mean = (0..<d).map { j in perExample.reduce(0) { $0 + $1[j] } / Double(n) }
        let traceSigma = perExample.reduce(0) { total, g in total + zip(g, mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } / Double(n)
        let gSquared = mean.reduce(0) { $0 + $1 * $1 }
        let exact = traceSigma / gSquared

        let measurement = try NoiseNormSampler(model: model, options: .init(batchSize: 16, samples: 40_000, seed: 9)).run()
        XCTAssertEqual(measurement.fullGradientNorm * measurement.fullGradientNorm, gSquared, accuracy: 1e-5 * gSquared)
        let squares = measurement.noiseNorms.map { $0 * $0 }
        let meanSquare = squares.reduce(0, +) / Double(squares.count)
        let sd = (squares.reduce(0) { $0 + ($1 - meanSquare) * ($1 - meanSquare) } / Double(squares.count - 1)).squareRoot()
        let relativeStandardError = sd / Double(squares.count).squareRoot() / meanSquare
        XCTAssertLessThan(4 * relativeStandardError, 0.03, "the test must be able to see the finite-population factor")
        XCTAssertEqual(measurement.noiseScaleSimple, exact, accuracy: exact * (4 * relativeStandardError + 1e-5))
    }
}
