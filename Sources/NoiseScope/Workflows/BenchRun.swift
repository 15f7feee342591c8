import Foundation
import NoiseScopeBenchmarks
import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeSampling

/// `noisescope bench`: this machine's sgemm rate, each bundled model's gradients per
/// second against it, and `measure`'s own loop against bare gradients, in one run.
package enum BenchRun {
    /// Runs the benchmark with `seconds` of timed work per model. The bundled novel and
    /// digits must be found (`ModelCatalog.dataDirectory`).
    package static func run(seconds: Double) throws -> Benchmark.Report {
        let directory = ModelCatalog.dataDirectory
        let corpus = try TextCorpus(contentsOf: directory.appendingPathComponent("prideprejudice.txt"), contextLength: 64)
        let digits = try DigitsDataset(contentsOf: directory.appendingPathComponent("digits.csv"))
        var report = Benchmark.run(corpus: corpus, digits: digits, seconds: seconds)
        // The measurement's own cost: `measure`'s loop against bare gradients, interleaved,
        // then the same with measure's covariance sketch (its default rank) in the loop.
        let batchSize = 8
        let model = try ModelCatalog.makeModel(.tinygpt, data: .text, batchSize: batchSize, seed: 0)
        let overhead = try NoiseNormSampler(model: model, options: .init(batchSize: batchSize)).overhead()
        var sketched = NoiseNormSampler.Options(batchSize: batchSize)
        sketched.spectrumRank = CovarianceSketch.suggestedRank
        let sketchOverhead = try NoiseNormSampler(model: model, options: sketched).overhead()
        report.measureOverhead = .init(model: model.name, batchSize: batchSize, gradsPerSecond: overhead.gradientsPerSecond,
                                       measureGradsPerSecond: overhead.measuredPerSecond, ratio: overhead.ratio,
                                       ratioWithSpectrumSketch: sketchOverhead.ratio, spectrumSketchRank: CovarianceSketch.suggestedRank)
        return report
    }
}
