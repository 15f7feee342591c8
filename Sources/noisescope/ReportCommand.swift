import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore

/// `noisescope report`: one self-contained HTML page of a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page of a run: the verdict with its evidence, the figures, the tables.",
        usage: "noisescope report <directory> [<directory> ...] [<options>]",
        discussion: """
            DIR is the output of `noisescope measure` (summary.json, noise_norms.npy, variance.csv), \
            a log directory written by the PyTorch companion noisescope_torch (manifest.json, \
            schema noisescope-log/1, and noise_norms.npy; the check is then run on the noise norms, \
            per layer group where recorded, and per window of training steps), or a directory \
            written by `noisescope train` (loss.csv and noise snapshots). \
            The page is drawn from those numbers alone: figures found in DIR are not copied in, \
            only regular files inside DIR are read (symbolic links are refused), and the page \
            cannot run anything (no scripts; a Content-Security-Policy forbids them). It reads offline.
            Example: noisescope report runs/noise && chromium runs/noise/report.html
            Several directories (2 to 8 measure runs or torch logs) make one page that compares \
            them: each run's verdict, interval and quantiles in one table, their tails on one pair \
            of axes (each scaled by its median), α̂ and B_simple over training on shared axes.
            Example: noisescope report runs/sgd runs/adam -o compare.html
            """)

    @Argument(help: "The run directory, or several to compare.") var directories: [String]
    @Option(name: .shortAndLong, help: "Where to write the page (default: DIR/report.html; for several runs, comparison.html here).") var output: String?
    @Option(help: "Seed of the bootstraps when the check is run here (torch logs).") var seed: UInt64 = 0
    @Option(help: "Bootstrap replicates for the power-law goodness of fit (torch logs).") var bootstrap = 100

    func validate() throws {
        try requireRange(bootstrap, "--bootstrap", 0...1_000_000)
        try requireRange(directories.count, "the number of directories", 1...RunReportBuilder.comparedRunLimit)
    }

    func run() throws {
        try runReportingErrors {
            let builder = RunReportBuilder(seed: seed, bootstrap: bootstrap)
            let report = directories.count == 1 ? try builder.report(of: RunDirectory(path: directories[0]))
                                                : try builder.comparison(of: directories.map(RunDirectory.init(path:)))
            let path = output ?? (directories.count == 1 ? URL(fileURLWithPath: directories[0]).appendingPathComponent("report.html").path : "comparison.html")
            try AtomicFile.write(report.html(), to: path)
            printError("noisescope: wrote \(path)")
        }
    }
}
