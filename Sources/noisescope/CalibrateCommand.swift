import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore
import NoiseScopeStatistics

/// `noisescope calibrate`: the verdict measured on samples of known tail.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure check's verdict on a battery of samples with known tails: confusion table, error rates, interval coverage.",
        usage: "noisescope calibrate [<options>]",
        discussion: CommandGuide.calibrate)

    @Option(help: "Sample sizes n, comma-separated.") var sizes = "1000,10000,100000"
    @Option(help: "Seeds per case and n.") var seeds = 5
    @Option(help: "Which battery: tuning (the cases the rule was tuned on), held-out, held-out-2, held-out-3 (its earlier tests) or held-out-4 (families it never saw).") var battery: CalibrationBattery.Kind = .tuning
    @Option(help: "First seed; a later range draws samples an earlier run never saw.") var firstSeed = 0
    @Option(help: "Only cases whose name contains this text, e.g. pareto, lognormal (default: every case).") var only: String?
    @Flag(help: "Read every sample as a trajectory, as check --dependent does.") var dependent = false
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "No progress line.") var quiet = false

    var parsedSizes: [Int] { (try? commaSeparated(sizes, "--sizes") { Int($0) }) ?? [] }

    func validate() throws {
        guard !parsedSizes.isEmpty, parsedSizes.allSatisfy({ $0 >= 10 && $0 <= 10_000_000 }) else {
            throw ValidationError("--sizes must be whole numbers from 10 to 10⁷, comma-separated, got '\(sizes)'")
        }
        try requireRange(seeds, "--seeds", 1...10_000)
        try requireRange(firstSeed, "--first-seed", 0...(1 << 40))
        try MemoryBudget.require(bytes: Double(parsedSizes.max() ?? 0) * 64 * 2, for: "--sizes \(sizes)", hint: "lower the largest n")
    }

    func run() throws {
        try runReportingErrors {
            let names = battery.cases.map(\.name), indices = names.indices.filter { only.map(names[$0].contains) ?? true }
            guard !indices.isEmpty else { throw NoiseScopeError("no \(battery.rawValue) case matches --only '\(TerminalText.safeForTerminal(only ?? "", limit: 60))'; names: \(names.joined(separator: ", "))") }
            let progress = ProgressReporter(quiet: quiet)
            let lock = NSLock()
            let result = Calibration.run(sizes: parsedSizes, seeds: seeds, firstSeed: UInt64(firstSeed), battery: battery, indices: Array(indices), dependent: dependent) { done, total in
                lock.withLock { progress.update(phase: "calibrate", done: done, total: total) }
            }
            try emit(json ? try JSONOutput.encode(result) : result.text(), to: nil)
        }
    }
}

extension CalibrationBattery.Kind: ExpressibleByArgument {}
