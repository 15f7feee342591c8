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
        discussion: """
            fraction_of_sgemm = model GFLOP/s ÷ the best large square sgemm rate measured in \
            the same run (before and after the models), so the figure is stable on a noisy \
            machine. Model FLOPs for tinygpt: 6·N + 6·L·T·d per token (N = parameters without \
            position embeddings). background_load says how many cores other processes used \
            while measuring.
            """)

    @Option(help: "Timed seconds per model.") var seconds = 2.0
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var kernels: BLASKernelOptions

    func run() throws {
        try runReportingErrors {
            let account = kernels.apply()
            let directory = ModelCatalog.dataDirectory
            let corpus = try TextCorpus(contentsOf: directory.appendingPathComponent("prideprejudice.txt"), contextLength: 64)
            let digits = try DigitsDataset(contentsOf: directory.appendingPathComponent("digits.csv"))
            if !json { printError("noisescope: \(account); cblas from \(NativeLibraries.cblasLibraryPath ?? "?")") }
            let report = Benchmark.run(corpus: corpus, digits: digits, seconds: seconds)
            try emit((json ? report.json() : report.table()) + "\n", to: nil)
        }
    }
}
