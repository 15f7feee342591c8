import ArgumentParser
import Foundation
import NoiseScope

/// Which OpenBLAS kernels the models run on; shared by the commands that train or sample.
struct BLASKernelOptions: ParsableArguments {
    @Option(name: .customLong("blas-kernels"), help: ArgumentHelp(
        "OpenBLAS kernel set: auto (switch to AVX2/AVX-512 kernels where OpenBLAS 0.3.21 falls back to generic SSE3 ones on CPUs it does not know), library (keep OpenBLAS's own choice), or a name such as Haswell or SkylakeX. OPENBLAS_CORETYPE, if set, always wins.",
        valueName: "kernels"))
    var blasKernels = "auto"

    /// Applies the choice; returns a one-line account for logs.
    @discardableResult
    func apply() -> String {
        switch blasKernels {
        case "library": return "OpenBLAS kernels: \(OpenBLASCore.current)"
        case "auto": return OpenBLASCore.useBestKernelsForThisCPU()
        default:
            if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil { return "OpenBLAS kernels: \(OpenBLASCore.current) (OPENBLAS_CORETYPE set by the user)" }
            return "OpenBLAS kernels: \(OpenBLASCore.select(blasKernels) ?? OpenBLASCore.current)"
        }
    }
}

/// `noisescope bench`: this machine's matmul rate and the models' gradient throughput, in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm GFLOP/s and each model's minibatch gradients per second in the same run.",
        usage: "noisescope bench [<options>]",
        discussion: """
            fraction_of_sgemm = model GFLOP/s ÷ the best large square sgemm rate measured in \
            the same run (before and after the models), so the figure is stable on a noisy \
            machine. Model FLOPs for tinygpt: 6·N + 6·L·T·d per token (N = parameters without \
            position embeddings). background_load says how many cores other processes used \
            while measuring.
            """)

    @Option(help: "Timed seconds per model. (default: 2.0)", transform: decimalFlag) var seconds = 2.0
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var kernels: BLASKernelOptions

    func validate() throws {
        guard seconds.isFinite, seconds > 0, seconds <= 3600 else {
            throw ValidationError("--seconds must be a number of seconds in (0, 3600], got \(seconds)")
        }
    }

    func run() throws {
        try runReportingErrors {
            let account = kernels.apply()
            let directory = ModelCatalog.dataDirectory
            let corpus = try TextCorpus(contentsOf: directory.appendingPathComponent("prideprejudice.txt"), contextLength: 64)
            let digits = try DigitsDataset(contentsOf: directory.appendingPathComponent("digits.csv"))
            if !json { printError("noisescope: \(account); cblas from \(NativeLibraries.cblasLibraryPath ?? "?")") }
            let report = Benchmark.run(corpus: corpus, digits: digits, seconds: seconds)
            // The measurement's own cost: `measure`'s loop against bare gradients, interleaved.
            let model = try ModelCatalog.makeModel(.tinygpt, data: .text, batchSize: 8, seed: 0)
            let overhead = try NoiseNormSampler(model: model, options: .init(batchSize: 8)).overhead()
            // The same with measure's covariance sketch (its default rank) in the loop.
            var sketched = NoiseNormSampler.Options(batchSize: 8)
            sketched.spectrumRank = CovarianceSketch.suggestedRank
            let sketchOverhead = try NoiseNormSampler(model: model, options: sketched).overhead()
            if json {
                let sampler = SamplerOverheadReport(model: model.name, batchSize: 8, gradsPerSecond: overhead.gradientsPerSecond,
                                                    measureGradsPerSecond: overhead.measuredPerSecond, ratio: overhead.ratio,
                                                    ratioWithSpectrumSketch: sketchOverhead.ratio)
                let benchmark = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as! [String: Any]
                let samplerObject = try JSONSerialization.jsonObject(with: JSONEncoder().encode(sampler))
                let merged = benchmark.merging(["measure_overhead": samplerObject]) { a, _ in a }
                let data = try JSONSerialization.data(withJSONObject: merged, options: [.prettyPrinted, .sortedKeys])
                try emit(String(decoding: data, as: UTF8.self) + "\n", to: nil)
            } else {
                let line = String(format: "measure loop on tinygpt B=8: %.1f grads/s against %.1f bare, interleaved: ratio %.3f; with the rank-%d covariance sketch: ratio %.3f",
                                  overhead.measuredPerSecond, overhead.gradientsPerSecond, overhead.ratio, CovarianceSketch.suggestedRank, sketchOverhead.ratio)
                try emit(report.table() + "\n" + line + "\n", to: nil)
            }
        }
    }
}

/// `measure`'s throughput against bare gradients of the same model, measured interleaved.
struct SamplerOverheadReport: Encodable {
    var model: String
    var batchSize: Int
    var gradsPerSecond: Double
    var measureGradsPerSecond: Double
    var ratio: Double
    /// The ratio again with `measure`'s covariance sketch in the loop.
    var ratioWithSpectrumSketch: Double

    enum CodingKeys: String, CodingKey {
        case model, ratio
        case ratioWithSpectrumSketch = "ratio_with_spectrum_sketch"
        case batchSize = "batch_size"
        case gradsPerSecond = "grads_per_second"
        case measureGradsPerSecond = "measure_grads_per_second"
    }
}
