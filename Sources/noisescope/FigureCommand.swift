import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope figure`: the seeds' noise figures, reproduced on the bundled models.
struct FigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figure",
        abstract: "Reproduce a paper figure with the bundled models: fig1, fig2, fig3, fig4 or fig6.",
        usage: "noisescope figure <name> [<options>]",
        discussion: CommandGuide.figure)

    @Argument(help: "fig1, fig2, fig3, fig4 or fig6.") var name: PaperFigures.Name
    @Option(help: "Training steps (fig2, fig3).") var steps = 300
    @Option(help: "Seeds each optimizer is evaluated on at its tuned learning rate (fig3).") var seeds = 3
    @Option(help: "Output directory.") var out = "out/figures"
    @Option(help: "Minibatches per model × data pair (5000: enough for the verdict to commit).") var samples = 5000
    @Option(help: "Minibatch size.") var batch = 8
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Measure again even where --out already holds the same model × data run (same data, batch, samples, seed).") var remeasure = false
    @Flag(help: "No progress bar.") var quiet = false
    @OptionGroup var figureFormat: FigureFormatOption
    @OptionGroup var kernels: BLASKernelOptions

    func validate() throws {
        try requireRange(seeds, "--seeds", 2...1000)
        try requireRange(samples, "--samples", TailCheck.minimumSampleCount...10_000_000)
        try requireRange(batch, "--batch", 1...ModelCatalog.largestBatch)
        try requireRange(steps, "--steps", 1...1_000_000_000)
        _ = try figureFormat.formats()
    }

    func run() throws {
        try runReportingErrors {
            kernels.apply()
            Interruption.install()
            let reporter = ProgressReporter(quiet: quiet)
            var figures = PaperFigures()
            figures.directory = out
            figures.samples = samples
            figures.batchSize = batch
            figures.seed = seed
            (figures.steps, figures.seeds, figures.remeasure) = (steps, seeds, remeasure)
            figures.formats = try figureFormat.formats()
            figures.progress = { reporter.update(phase: $0, done: $1, total: $2) }
            figures.log = { printError("noisescope: \($0)") }
            figures.shouldStop = { Interruption.isRequested }
            if let table = try figures.draw(name) { try emit(table, to: nil) }
        }
    }
}

extension PaperFigures.Name: ExpressibleByArgument {}
