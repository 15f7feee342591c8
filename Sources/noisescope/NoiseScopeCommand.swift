import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore
import NoiseScopeModels

/// The `noisescope` command: a thin shell over the NoiseScope library.
@main
struct NoiseScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noisescope",
        abstract: "Is my stochastic-gradient noise heavy-tailed, and what should I do about it?",
        discussion: CommandGuide.overview,
        subcommands: [MeasureCommand.self, CheckCommand.self, CalibrateCommand.self, TrainCommand.self, FigureCommand.self, SimulateCommand.self, ReportCommand.self, ReferenceCommand.self, BenchCommand.self, GenerateCommand.self, SweepCommand.self])

    /// `noisescope --version [--json]`, answered before parsing: flags declared
    /// on the root would also swallow a subcommand's own `--json`.
    static func printVersionIfAsked(_ arguments: [String]) throws -> Bool {
        guard arguments.first == "--version" || arguments.last == "--version",
              Set(arguments).isSubset(of: ["--version", "--json"]), arguments.count == Set(arguments).count else { return false }
        OpenBLASCore.useBestKernelsForThisCPU()  // the kernels every command selects by default (--blas-kernels auto)
        let report = VersionReport.current()
        StandardStreams.writeOutput(Data((arguments.contains("--json") ? try JSONOutput.encode(report) : report.text).utf8))
        return true
    }

    /// Parses and runs the command, printing every error as the rest of
    /// noisescope does: control characters escaped, help on stdout.
    static func main() {
        // A closed pipe is an EPIPE from write(2), handled where output is written.
        signal(SIGPIPE, SIG_IGN)
        // Past a file-size limit (ulimit -f) write(2) then fails with EFBIG, which
        // every writer reports in one line and cleans up after, as for a full disk;
        // SIGXFSZ's default action would kill the process with no word.
        signal(SIGXFSZ, SIG_IGN)
        do {
            if try printVersionIfAsked(Array(CommandLine.arguments.dropFirst())) { return }
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let full = fullMessage(for: error)
            if code == .success {
                if !full.isEmpty { StandardStreams.writeOutput(Data((full + "\n").utf8)) }
                Foundation.exit(0)
            }
            // A usage error is one line, like every other error: what is wrong and where help is.
            let short = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if !short.isEmpty {
                var words = short.hasPrefix("Error: ") ? String(short.dropFirst(7)) : short
                // An enum flag's list of values ("Please provide one of the following:" then
                // a line each) reads as one line: "choose one of a, b, c".
                let lines = words.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                let values = lines.filter { $0.hasPrefix("- ") }.map { $0.dropFirst(2) }
                if !values.isEmpty {
                    words = lines[0].replacingOccurrences(of: " Please provide one of the following:", with: "")
                        + " Choose one of " + values.joined(separator: ", ") + "."
                }
                let subcommand = CommandLine.arguments.dropFirst().first { name in configuration.subcommands.contains { $0._commandName == name } }
                printError("noisescope: error: \(words) (see noisescope \(subcommand.map { $0 + " " } ?? "")--help)")
            }
            // Usage errors exit 1 like every other bad input (docs/hostile-input.md).
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue)
        }
    }
}
