import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore

/// `noisescope measure`: the main job.
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure the gradient noise ‖g_B − ∇f‖ of a bundled model and say whether it is heavy-tailed.",
        discussion: CommandGuide.measure)

    @Option(help: "The bundled model.") var model: ModelCatalog.Architecture = .tinygpt

    @Option(help: "Data: text (bundled novel), words (the novel in word tokens, vocabulary 4096), gaussian (Gaussian input vectors), gaussian-uniform (Gaussian inputs, uniformly drawn target bytes), digits, diabetes (for linreg), or a path to a text file. Default: text for tinygpt models, diabetes for linreg, digits otherwise.")
    var data: ModelCatalog.DataSource?

    @Option(help: "Minibatch size B (windows of 64 bytes for tinygpt).") var batch = 8
    @Option(help: "Number N of minibatches whose noise norm is measured (the verdict can commit to light from N = 5000, to heavy and infinite-variance from N = 10000; below, it says inconclusive rather than guess).") var samples = 10_000
    @Option(name: .customLong("full-batches"), help: "Estimate ∇f from M random minibatches instead of the whole data set (default: none, the exact ∇f over every example).")
    var fullBatches: Int?
    @Option(help: "Seed of the initialisation, the Gaussian inputs and the minibatch order.") var seed: UInt64 = 0
    @Option(help: "Output directory (created if missing). A re-run replaces an earlier run's directory whole, and refuses, naming them, files and folders noisescope did not write there (report.html of noisescope report counts as its own).") var out = "out/measure"
    @Option(help: "Bootstrap replicates for the power-law goodness of fit.") var bootstrap = 100
    @OptionGroup var sizes: ModelSizeOptions
    @Option(help: "Measure the model saved in this checkpoint (from noisescope train) instead of a fresh initialisation; its model, data and batch size win (default: none, a fresh initialisation from --seed).")
    var checkpoint: String?
    @Option(help: ArgumentHelp("Leave these examples (0-based indices, comma-separated, e.g. from attribution.csv) out of the minibatches and of ∇f: is the tail a few odd examples? (default: none)", valueName: "indices"))
    var exclude: String?
    @Option(name: .customLong("spectrum-rank"), help: ArgumentHelp("Sketch the top r eigenvalues of the noise covariance (a single-pass Nyström sketch of 2r columns, about 16r + 128 bytes per parameter) for a Gaussian reference with that spectrum; 0 (the default) sketches nothing; 32 is a good start, at about 15 % of the noise loop's time.", valueName: "r"))
    var spectrumRank = 0
    @Flag(help: "Print summary.json to stdout instead of the human summary.") var json = false
    @Flag(help: "No progress bar.") var quiet = false
    @OptionGroup var figureFormat: FigureFormatOption
    @OptionGroup var kernels: BLASKernelOptions

    func validate() throws {
        try requireRange(batch, "--batch", 1...ModelCatalog.largestBatch)
        try requireRange(samples, "--samples", 2...100_000_000)
        if let fullBatches { try requireRange(fullBatches, "--full-batches", 1...100_000_000) }
        try requireRange(bootstrap, "--bootstrap", 0...1_000_000)
        try requireRange(spectrumRank, "--spectrum-rank", 0...1024)
        _ = try excludedExamples()
        _ = try figureFormat.formats()
    }

    /// The --exclude indices, checked for form here and against the data once it is loaded.
    func excludedExamples() throws -> Set<Int> {
        guard let exclude else { return [] }
        var indices = Set<Int>()
        for part in exclude.split(separator: ",", omittingEmptySubsequences: false) {
            guard let index = Int(part.trimmingCharacters(in: .whitespaces)), index >= 0 else {
                throw ValidationError("--exclude wants 0-based example indices separated by commas, got \(TerminalText.quoted(String(part)))")
            }
            indices.insert(index)
        }
        return indices
    }

    func run() throws {
        try runReportingErrors {
            kernels.apply()
            var request = MeasureRequest()
            request.model = model
            request.data = data
            request.batchSize = batch
            request.samples = samples
            request.fullGradientBatches = fullBatches
            request.seed = seed
            request.bootstrap = bootstrap
            request.overrides = sizes.overrides
            request.checkpoint = checkpoint
            request.excluded = try excludedExamples()
            request.spectrumRank = spectrumRank
            Interruption.install()
            let progress = ProgressReporter(quiet: quiet)
            let run = try MeasurementRun.measure(request, progress: { progress.update(phase: $0, done: $1, total: $2) }, shouldStop: { Interruption.isRequested },
                                             notice: { printError("noisescope: \($0)") })
            try run.write(to: out, formats: figureFormat.formats())
            try emit(json ? try JSONOutput.encode(run.summary) : run.humanReadable(directory: out), to: nil)
        }
    }
}
