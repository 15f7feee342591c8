import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore

/// `noisescope sweep`: the Adam–SGD gap against batch size, every optimizer at its own tuned learning rate.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Final validation loss against batch size for several optimizers, each at its tuned learning rate, over seeds.",
        discussion: CommandGuide.sweep)

    @Option(help: "The bundled model.") var model: ModelCatalog.Architecture = .tinygpt
    @Option(help: "Data: text, words (the novel in word tokens, vocabulary 4096), gaussian, gaussian-uniform (Gaussian inputs, uniformly drawn target bytes), digits or a text file (default: the model's own).") var data: ModelCatalog.DataSource?
    @Option(help: "Batch sizes, comma-separated; full: every training example each step (all of --train-examples, or the whole training split).") var batches = "8,64,512"
    @Option(name: .customLong("train-examples"), help: "Train on the first N examples of the training split only (default: all of it); validation stays on the same held-out examples.") var trainExamples: Int?
    @Option(help: "Optimizers, comma-separated: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).") var optimizers = "momentum,adam,sign,normalized-gd"
    @Option(help: "Steps of every run.") var steps = 150
    @Option(help: "Evaluation seeds per batch size and optimizer (seed 0 tunes the learning rate).") var seeds = 3
    @Option(name: .customLong("grid-factor"), help: "Ratio of neighbouring learning rates in the grid. (default: 3.1622776601683795)", transform: decimalFlag) var gridFactor = 10.0.squareRoot()
    @Option(name: .customLong("lr-min"), help: "Smallest learning rate the grid may reach. (default: 1e-05)", transform: decimalFlag) var lrMin = 1e-5
    @Option(name: .customLong("lr-max"), help: "Largest learning rate the grid may reach. (default: 10.0)", transform: decimalFlag) var lrMax = 10.0
    @Flag(name: .customLong("no-loss-by-frequency"), help: "Do not split the final validation loss by target-frequency bucket.") var noLossByFrequency = false
    @OptionGroup var sizes: ModelSizeOptions
    @Option(help: "Output directory.") var out = "out/sweep"
    @Flag(help: "No line per finished run.") var quiet = false
    @OptionGroup var figureFormat: FigureFormatOption
    @OptionGroup var kernels: BLASKernelOptions

    func validate() throws {
        // --train-examples first: it bounds the batch sizes.
        if let trainExamples { try requireRange(trainExamples, "--train-examples", 1...ModelCatalog.largestBatch) }
        for case .examples(let b) in try commaSeparated(batches, "--batches", SweepBatch.init(argument:)) {
            try requireRange(b, "--batches", 1...(trainExamples ?? ModelCatalog.largestBatch))
        }
        _ = try commaSeparated(optimizers, "--optimizers", OptimizerKind.init(rawValue:))
        try requireRange(steps, "--steps", 1...1_000_000_000)
        try requireRange(seeds, "--seeds", 1...1000)
        try requirePositive(lrMin, "--lr-min")
        try requirePositive(lrMax, "--lr-max")
        guard lrMin <= lrMax else { throw ValidationError("--lr-min must not exceed --lr-max") }
        guard gridFactor > 1, gridFactor.isFinite else { throw ValidationError("--grid-factor must be a finite number above 1") }
        _ = try figureFormat.formats()
    }

    func run() throws {
        try runReportingErrors {
            kernels.apply()
            var request = SweepRequest()
            request.model = model
            request.data = data
            request.batchSizes = try commaSeparated(batches, "--batches", SweepBatch.init(argument:))
            request.trainingExamples = trainExamples
            request.optimizers = try commaSeparated(optimizers, "--optimizers", OptimizerKind.init(rawValue:))
            request.steps = steps
            request.seeds = seeds
            request.gridFactor = gridFactor
            request.learningRateBounds = lrMin...lrMax
            request.lossByFrequency = !noLossByFrequency
            request.overrides = sizes.overrides
            Interruption.install()
            let result = try BatchSizeSweep.run(request, log: { line in if !quiet { printError("noisescope sweep: " + line) } },
                                                shouldStop: { Interruption.isRequested })
            let subset = result.trainingExamples.map { ", first \($0) training examples" } ?? ""
            let title = "\(model.rawValue) on \(request.data?.name ?? "its data")\(subset), \(steps) steps: final validation loss at each optimizer's tuned lr"
            try result.write(to: out, title: title, formats: figureFormat.formats())
            try emit(result.summaryMarkdown + String(format: "noisescope sweep: %d runs in %.0f s; files in %@\n", result.runs.count, result.seconds, out), to: nil)
        }
    }
}
