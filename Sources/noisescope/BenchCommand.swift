import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore

/// `noisescope bench`: this machine's matmul rate and the models' gradient throughput, in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm GFLOP/s and each model's minibatch gradients per second in the same run.",
        usage: "noisescope bench [<options>]",
        discussion: CommandGuide.bench)

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
            if !json { printError("noisescope: \(account); cblas from \(NativeLibraries.cblasLibraryPath ?? "?")") }
            let report = try BenchRun.run(seconds: seconds)
            try emit((json ? try report.json() : report.table()) + "\n", to: nil)
        }
    }
}
