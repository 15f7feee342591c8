import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope report`: one self-contained HTML page of a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page of a run: the verdict with its evidence, the figures, the tables.",
        usage: "noisescope report <directory> [<options>]",
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
            """)

    @Argument(help: "The run directory.") var directory: String
    @Option(name: .shortAndLong, help: "Where to write the page (default: DIR/report.html).") var output: String?
    @Option(help: "Seed of the bootstraps when the check is run here (torch logs).") var seed: UInt64 = 0
    @Option(help: "Bootstrap replicates for the power-law goodness of fit (torch logs).") var bootstrap = 100

    func validate() throws {
        try requireRange(bootstrap, "--bootstrap", 0...1_000_000)
    }

    func run() throws {
        try runReportingErrors {
            let report = try RunReportBuilder(seed: seed, bootstrap: bootstrap).report(of: RunDirectory(path: directory))
            let path = output ?? URL(fileURLWithPath: directory).appendingPathComponent("report.html").path
            try AtomicFile.write(report.html(), to: path)
            printError("noisescope: wrote \(path)")
        }
    }
}
