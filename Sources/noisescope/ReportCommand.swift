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
        discussion: CommandGuide.report)

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
