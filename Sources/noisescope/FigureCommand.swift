import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope figure`: the seeds' noise figures, reproduced on the bundled models.
struct FigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figure",
        abstract: "Reproduce a paper figure with the bundled models: fig1, fig2, fig3, fig4 or fig6.",
        usage: "noisescope figure <name> [<options>]",
        discussion: """
            fig1  Zhang et al. (2020) Fig. 1: tinygpt (attention) against tinygpt-noattn (the \
            ResNet stand-in) on the bundled novel: noise-norm histogram, the synthetic Gaussian \
            reference of the same dimension, variance against sample size.
            fig2  Fig. 2/5: noise-norm histograms at four points of an Adam run (steps 0, S/3, 2S/3, S) \
            for tinygpt and tinygpt-noattn: is the noise stationary over training?
            fig3  Fig. 3: SGD (momentum), GClip, CClip, Adam and ACClip on tinygpt; each at its \
            own learning rate, tuned on seed 0 over a grid that extends itself off an edge, then \
            trained on --seeds fresh seeds: final validation loss with 95 % intervals. GClip's τ \
            is the median norm of the momentum (an average of minibatch gradients) at \
            initialisation, CClip's the 0.99 quantile of its coordinates; the runs go to \
            DIR/fig3/ (as `sweep` writes them).
            fig4  Fig. 4: attention vs no attention × text vs Gaussian input: four histograms.
            fig6  Simsekli et al. (2019) Fig. 6c / appendix H: the per-coordinate noise g_B − ∇f of \
            one minibatch of tinygpt, its histogram and the log–log tail of |coordinate|.
            Each run of a model × data pair is written in full (as `measure` writes it) to \
            DIR/<model>-<data>/; the multi-panel figure goes to DIR/<figure>.svg (and .pdf, .png \
            with --figure-format svg,pdf,png, for every figure written).
            """)

    @Argument(help: "fig1, fig2, fig3, fig4 or fig6.") var name: PaperFigures.Name
    @Option(help: "Training steps (fig2, fig3).") var steps = 300
    @Option(help: "Seeds each optimizer is evaluated on at its tuned learning rate (fig3).") var seeds = 3
    @Option(help: "Output directory.") var out = "out/figures"
    @Option(help: "Minibatches per model × data pair (5000: enough for the verdict to commit).") var samples = 5000
    @Option(help: "Minibatch size.") var batch = 8
    @Option(help: "Seed.") var seed: UInt64 = 0
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
            figures.steps = steps
            figures.seeds = seeds
            figures.formats = try figureFormat.formats()
            figures.progress = { reporter.update(phase: $0, done: $1, total: $2) }
            figures.log = { printError("noisescope: \($0)") }
            figures.shouldStop = { Interruption.isRequested }
            if let table = try figures.draw(name) { try emit(table, to: nil) }
        }
    }
}

extension PaperFigures.Name: ExpressibleByArgument {}
