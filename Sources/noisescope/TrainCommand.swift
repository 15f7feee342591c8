import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeTraining

/// `noisescope train`: training with any of the optimizers, noise snapshots along the way.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a bundled model with an optimizer; log losses, checkpoints and noise snapshots.",
        discussion: CommandGuide.train)

    @Option(help: "The bundled model.") var model: ModelCatalog.Architecture = .tinygpt
    @Option(help: "Data: text, words (the novel in word tokens, vocabulary 4096), gaussian, gaussian-uniform (Gaussian inputs, uniformly drawn target bytes), digits or a text file (default: text for tinygpt, digits otherwise).") var data: ModelCatalog.DataSource?
    @Option(help: "The optimizer (see docs/training.md).") var optimizer: OptimizerKind = .adam
    @Option(help: "Learning rate (default: the optimizer's own default, see docs/training.md).", transform: decimalFlag) var lr: Double?
    @Option(help: "Clipping threshold τ (gclip, cclip) or c (clip-*-norm) (default: 1).", transform: decimalFlag) var clip: Double?
    @Option(help: "Total number of steps.") var steps = 300
    @Option(help: "Minibatch size.") var batch = 8
    @Option(help: "Seed of the initialisation and the data order.") var seed: UInt64 = 0
    @Option(name: .customLong("train-examples"), help: "Train on the first N examples of the training split only (default: all of it; a resumed run keeps its checkpoint's).") var trainExamples: Int?
    @Option(name: .customLong("eval-every"), help: "Validation loss every this many steps.") var evalEvery = 25
    @Option(name: .customLong("checkpoint-every"), help: "Checkpoint every this many steps (default: none; a final one is always written).") var checkpointEvery: Int?
    @Option(name: .customLong("noise-every"), help: "Noise snapshot every this many steps, and at 0 and the end (default: no snapshots).") var noiseEvery: Int?
    @Option(name: .customLong("noise-samples"), help: "Minibatches per noise snapshot.") var noiseSamples = 300
    @OptionGroup var sizes: ModelSizeOptions
    @Option(help: "Resume from this checkpoint; its model and data win over --model/--data (default: none, start afresh).") var resume: String?
    @Option(help: "Output directory.") var out = "out/train"
    @Flag(name: .customLong("loss-by-frequency"), help: "Also write loss_by_frequency.csv: the loss per bucket of target tokens by frequency (text models).") var lossByFrequency = false
    @Flag(help: "No progress bar.") var quiet = false
    @OptionGroup var kernels: BLASKernelOptions

    func validate() throws {
        try requireRange(steps, "--steps", 1...1_000_000_000)
        try requireRange(batch, "--batch", 1...ModelCatalog.largestBatch)
        try requireRange(evalEvery, "--eval-every", 1...1_000_000_000)
        try requireRange(noiseSamples, "--noise-samples", TailCheck.minimumSampleCount...10_000_000)
        if let checkpointEvery { try requireRange(checkpointEvery, "--checkpoint-every", 1...1_000_000_000) }
        if let noiseEvery { try requireRange(noiseEvery, "--noise-every", 1...1_000_000_000) }
        if let trainExamples {
            try requireRange(trainExamples, "--train-examples", 1...ModelCatalog.largestBatch)
            try requireRange(batch, "--batch", 1...trainExamples)
        }
        if let lr { try requirePositive(lr, "--lr") }
        if let clip { try requirePositive(clip, "--clip") }
    }

    func run() throws {
        try runReportingErrors {
            kernels.apply()
            var request = TrainingRequest()
            request.model = model
            request.data = data
            request.optimizer = optimizer
            request.learningRate = lr
            request.clip = clip
            request.overrides = sizes.overrides
            request.options = Trainer.Options(steps: steps, batchSize: batch, seed: seed, evaluateEvery: evalEvery,
                                              checkpointEvery: checkpointEvery, noiseEvery: noiseEvery, noiseSamples: noiseSamples)
            request.options.trainingExamples = trainExamples
            request.resume = resume
            let trainer = try TrainingRun.makeTrainer(request)
            Interruption.install()
            let progress = ProgressReporter(quiet: quiet)
            let rows = try TrainingRun.run(trainer, into: out, lossByFrequency: lossByFrequency, progress: { progress.update(phase: $0, done: $1, total: $2) },
                                           shouldStop: { Interruption.isRequested })
            if let last = rows.last {
                try emit(String(format: "noisescope train: %@ with %@, %d steps: train loss %.4f, validation loss %.4f; files in %@\n",
                                trainer.model.name, trainer.optimizerKind.rawValue, last.step, last.trainLoss, last.validationLoss, out), to: nil)
            }
        }
    }
}
