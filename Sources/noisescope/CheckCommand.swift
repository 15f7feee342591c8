import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopeStatistics

/// `noisescope check`: the heavy-tail verdict on samples from a file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Estimate the tail index of positive samples and say whether the tail is heavy.",
        discussion: CommandGuide.check)

    @Argument(help: ArgumentHelp("Sample files, or - for standard input.", valueName: "file"))
    var files: [String]

    @Option(help: "Input format: \(SampleFormat.allCases.map(\.rawValue).joined(separator: ", ")) (default: from the extension, else text).")
    var format: SampleFormat?

    @Option(help: "CSV/TSV/NPY column: a header name or a 1-based index (default: the only column).")
    var column: String?

    @Option(help: "JSON lines field holding the samples (default: the only numeric field).")
    var field: String?

    @Option(help: "What to do with NaN/Inf, zeros and negatives: drop (and say how many) or refuse.")
    var invalid: SampleCleaner.Policy = .drop

    @Option(help: "Number of upper order statistics for Hill/moments/Pickands (default: the verdict's k*, the largest stable k; else the double bootstrap). The verdict itself never depends on it.")
    var k: Int?

    @Option(help: "Most bootstrap replicates R for the power-law goodness-of-fit p-value (0 skips it). Sequential (Besag & Clifford): it stops once ⌈R/10⌉ replicates reach the observed KS distance, which happens exactly when the full run's p ≥ 0.1, so the decision p < 0.1 is the full run's; p above 0.1 is then the coarse estimate ⌈R/10⌉/r (CSN's ±0.01 needs all 2500 replicates, which a decision does not).")
    var bootstrap = 100

    @Option(help: "xmin search: exact (every distinct value), grid (400 log-spaced candidates, refined), or auto (exact up to 200000 samples).")
    var xminSearch: PowerLawFitter.XminSearchChoice = .auto

    @Option(help: "Seed of every bootstrap: same seed, same answer.")
    var seed: UInt64 = 0

    @Flag(help: "Print the full result as JSON instead of the human summary.")
    var json = false

    @Option(name: .shortAndLong, help: "Write the result to this file (atomically) instead of stdout (default: stdout).")
    var output: String?

    @Flag(help: "Stream the input through a bounded-memory sketch (the --top largest values exactly, moments, a 100000-value reservoir) instead of reading it whole; plain text or 1-D .npy. On by default for - (stdin) in plain text without --plot.")
    var stream = false

    @Option(help: "Largest values the streaming sketch keeps (Hill, moments and the CSN fit use only these).")
    var top = 1_000_000

    @Option(name: .customLong("plot-format"), help: "Formats of the --plot figures, comma-separated: svg (written by noisescope), pdf, png (converted by rsvg-convert).")
    var plotFormat = "svg"

    @Option(help: "With a noisescope_torch log directory (or its noise_norms_by_group.npy): check this layer group's noise norms (names in the manifest's groups; default: all groups, noise_norms.npy).")
    var group: String?

    @Flag(help: "The samples were logged along one training run, in order (autocorrelated, maybe drifting): widen the interval for α by a moving-block bootstrap and by 1/√θ̂, θ̂ the extremal index (extremes that cluster carry less evidence); no test is made easier, and the size floors apply to θ̂·n. Reads the input whole.")
    var dependent = false

    @Flag(help: "The samples are counts (positive integers): also fit Clauset–Shalizi–Newman's discrete power law p(x) ∝ x^-a above xmin (Hurwitz-zeta MLE, KS scan, the --bootstrap goodness of fit, tests against exponential, lognormal and Poisson), printed beside the continuous fit. The verdict does not read it.") var discrete = false

    @Flag(help: "The samples are signed per-coordinate noise (g_B − ∇f coordinates): estimate their α-stable index (Mohammadi et al., coordinates in a fixed seeded order) instead of a tail verdict.")
    var signed = false

    @Option(help: ArgumentHelp("Also draw the figures into this directory: histogram.svg, tail_ccdf.svg (log–log tail with the fitted power law), hill_plot.svg (α̂ against k with its 95% band), threshold_stability.svg (the generalised Pareto shape ξ̂ against k) and summary.svg (default: no figures).", valueName: "dir"))
    var plot: String?

    func validate() throws {
        try requireRange(bootstrap, "--bootstrap", 0...1_000_000)
        if let k { try requireRange(k, "--k", 1...Int.max) }
        try requireRange(top, "--top", 16...Int.max)
        if dependent && stream { throw ValidationError("--dependent needs the samples in their logged order: drop --stream") }
        do { _ = try FigureFormat.parse(plotFormat) } catch { throw ValidationError("\(error)") }
        // The sketch keeps the top values and a copy for the check: about 40 bytes each.
        try MemoryBudget.require(bytes: Double(top) * 40, for: "--top \(top)", hint: "lower --top")
    }

    func run() throws {
        try runReportingErrors {
            if signed {
                let estimate = try CheckWorkflow.stableIndex(files: files, format: format, column: column, field: field, seed: seed)
                return try emit(json ? try JSONOutput.encode(estimate) : estimate.text, to: output)
            }
            var request = CheckRequest(files: files, format: format, column: column, field: field, invalid: invalid)
            request.options = TailCheck.Options(k: k, seed: seed, bootstrapReplicates: bootstrap, xminSearch: xminSearch.search)
            if discrete { request.options.discretePowerLaw = DiscretePowerLawFitter(bootstrapReplicates: bootstrap, seed: seed) }
            request.options.dependent = dependent
            request.stream = CheckRequest.streams(asked: stream, files: files, format: format, column: column, plot: plot != nil, dependent: dependent)
            request.top = top
            request.group = group
            if request.stream && plot != nil { throw NoiseScopeError("--plot needs the samples in memory; drop --stream (or read a file instead of -)") }
            let outcome = try CheckWorkflow.run(request)
            outcome.notes.forEach { printError("noisescope: note: \($0)") }
            if let d = outcome.report.dropped, d.total > 0 {
                printError("noisescope: note: dropped \(d.nonfinite) NaN/Inf and \(d.nonpositive) zero or negative values (pass --invalid refuse to stop instead)")
            }
            let source = files.joined(separator: ", ") + (outcome.sourceNote.map { " (\($0))" } ?? "")
            let text = json ? try JSONOutput.encode(outcome.report) : outcome.report.humanReadableSummary(source: source)
            if let plot {
                let (paths, notices) = try CheckFigures.write(samples: outcome.samples, report: outcome.report, to: plot, formats: FigureFormat.parse(plotFormat))
                notices.forEach { printError("noisescope: note: \($0)") }
                printError("noisescope: wrote \(paths.count) figures to \(plot)")
            }
            try emit(text, to: output)
        }
    }

}
