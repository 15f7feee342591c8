import Foundation
import NoiseScopeCore
import NoiseScopeSampling
import NoiseScopeTraining
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeStatistics

/// What `train` does, as a library call: a trainer from a recipe (or a
/// checkpoint to resume), run into a directory that holds loss.csv,
/// checkpoints/ and noise/ (the formats `--resume` and `report` read).
public struct TrainingRequest: Sendable {
    public var model: ModelCatalog.Architecture = .tinygpt
    /// nil: the model's own data.
    public var data: ModelCatalog.DataSource?
    public var optimizer: OptimizerKind = .adam
    /// nil: the optimizer's default.
    public var learningRate: Double?
    /// Clipping threshold (gclip, cclip) or c (clip-*-norm); nil: the default.
    public var clip: Double?
    public var overrides = ModelCatalog.Overrides()
    public var options = Trainer.Options(steps: 300, batchSize: 8, seed: 0)
    /// Resume from this checkpoint (its recipe wins over model and data).
    public var resume: String?
    public init() {}
}

public enum TrainingRun {
    /// The trainer of `request`.
    package static func makeTrainer(_ request: TrainingRequest) throws -> Trainer {
        var settings = OptimizerSettings.defaults(for: request.optimizer)
        if let lr = request.learningRate { settings.learningRate = lr }
        if let clip = request.clip { settings.clipThreshold = clip }
        if let resume = request.resume {
            let checkpoint = try Checkpoint.read(path: resume)
            guard checkpoint.header.step < request.options.steps else {
                throw NoiseScopeError.invalidSetting(.steps, message: "the checkpoint is at step \(checkpoint.header.step), not before the last step \(request.options.steps); raise the step count to continue")
            }
            // The run continues on the checkpoint's training subset; another one asked for is refused, not ignored.
            if let asked = request.options.trainingExamples, asked != checkpoint.header.trainingExamples {
                throw NoiseScopeError.invalidSetting(.trainingExamples, message: "the checkpoint trained on \(checkpoint.header.trainingExamples.map { "the first \($0) training examples" } ?? "the whole training split"), not \(asked); leave it out to continue as it was")
            }
            var resumed = request.options
            resumed.batchSize = checkpoint.header.recipe.batchSize
            resumed.seed = checkpoint.header.recipe.seed
            resumed.trainingExamples = checkpoint.header.trainingExamples
            return try Trainer(recipe: checkpoint.header.recipe, optimizer: request.optimizer, settings: settings, options: resumed, resumeFrom: checkpoint)
        }
        let recipe = ModelCatalog.Recipe(architecture: request.model, data: request.data ?? ModelCatalog.defaultData(for: request.model),
                                         batchSize: request.options.batchSize, seed: request.options.seed, overrides: request.overrides)
        return try Trainer(recipe: recipe, optimizer: request.optimizer, settings: settings, options: request.options)
    }

    /// Runs `trainer` into `directory`, keeping the rows and snapshots of an
    /// earlier run up to the resumed step, every file written atomically.
    /// Returns the loss rows. Stopped by `shouldStop`, it throws
    /// `NoiseScopeError.interrupted` saying what was kept and how to resume.
    @discardableResult
    /// With `lossByFrequency`, each evaluation also writes the losses per
    /// target-frequency bucket to loss_by_frequency.csv.
    package static func run(_ trainer: Trainer, into directory: String, lossByFrequency: Bool = false,
                           progress: @escaping (String, Int, Int) -> Void = { _, _, _ in },
                           shouldStop: @escaping () -> Bool = { false }) throws -> [Trainer.LossRow] {
        let buckets = lossByFrequency ? try trainer.frequencyBuckets() : nil
        try FileManager.default.createDirectory(atPath: directory + "/checkpoints", withIntermediateDirectories: true)
        // Temporary files of a run that was killed while writing.
        for folder in [directory, directory + "/checkpoints", directory + "/noise"] { AtomicFile.removeAbandonedTemporaries(in: folder) }
        var rows = try TrainingFiles.previousRows(in: directory, upTo: trainer.step)
        var snapshots = try TrainingFiles.previousSnapshots(in: directory, upTo: trainer.step)
        var frequencyLines = FrequencyLossFile.previousLines(in: directory, upTo: trainer.step)
        var lastCheckpoint: String?
        let steps = trainer.options.steps, seed = trainer.options.seed
        do {
            try trainer.run(
                progress: { progress("train \(trainer.optimizerKind.rawValue)", $0, $1) },
                shouldStop: shouldStop,
                onRow: { row in
                    rows.append(row)
                    try AtomicFile.write(TrainingFiles.lossCSV(rows), to: directory + "/loss.csv")
                    if let buckets {
                        frequencyLines += FrequencyLossFile.lines(try trainer.lossByFrequency(buckets), buckets: buckets)
                        try AtomicFile.write(FrequencyLossFile.csv(frequencyLines), to: directory + "/" + FrequencyLossFile.name)
                    }
                },
                onCheckpoint: { checkpoint in
                    let name = checkpoint.header.step == steps ? "final.ckpt" : String(format: "step-%06d.ckpt", checkpoint.header.step)
                    try AtomicFile.write(checkpoint.encoded(), to: URL(fileURLWithPath: directory + "/checkpoints/" + name))
                    lastCheckpoint = directory + "/checkpoints/" + name
                },
                onNoise: { step, measurement in
                    try TrainingFiles.writeSnapshot(measurement, step: step, in: directory)
                    snapshots.append(try TrainingFiles.snapshotRow(step: step, norms: measurement.noiseNorms, seed: seed))
                    try AtomicFile.write(TrainingFiles.snapshotsCSV(snapshots), to: directory + "/noise/snapshots.csv")
                })
        } catch NoiseScopeError.interrupted {
            let kept = rows.last.map { "loss.csv has rows to step \($0.step)" } ?? "no loss row was written"
            let noCheckpoint = lastCheckpoint == nil ? "; no checkpoint was written yet" : ""
            throw NoiseScopeError.interrupted(detail: "at step \(trainer.step) of \(steps); \(kept) in \(directory)\(noCheckpoint)",
                                              resumeFrom: lastCheckpoint)
        }
        return rows
    }
}
