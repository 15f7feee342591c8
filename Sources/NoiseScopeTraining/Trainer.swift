import NoiseScopeCore
import Foundation
import NoiseScopeModels
import NoiseScopeSampling
import NoiseScopeStatistics

/// Trains a bundled model with one optimizer, in a fixed data order, and
/// reports losses, checkpoints and noise snapshots through callbacks, so the
/// caller decides where they go (the CLI writes them atomically).
///
/// The last `validationFraction` of the examples are held out: training
/// minibatches come from the rest (a fresh seeded permutation each epoch),
/// the validation loss is the mean over a fixed set of held-out minibatches,
/// and noise snapshots measure ‖g_B − ∇f‖ on the training split only.
/// `Options.trainingExamples` trains on the first N examples of the training
/// split only (the held-out examples stay the same); a batch of all N is full-
/// batch gradient descent with the chosen optimizer.
/// Deterministic for a seed; resuming from a checkpoint replays the data order
/// to the checkpoint's step, so an interrupted run continues bit for bit.
public final class Trainer {
    public struct Options: Sendable {
        public var steps = 300
        public var batchSize = 8
        public var seed: UInt64 = 0
        /// Validation loss (and a row of loss.csv) every this many steps, and at the end.
        public var evaluateEvery = 25
        public var checkpointEvery: Int?
        /// Noise snapshot every this many steps (and at step 0 and the end), nil for none.
        public var noiseEvery: Int?
        /// Minibatches per noise snapshot.
        public var noiseSamples = 300
        /// Minibatches behind each snapshot's ∇f; nil: the whole training split.
        public var noiseFullBatches: Int?
        public var validationFraction = 0.1
        /// At most this many held-out minibatches per validation.
        public var validationBatches = 32
        /// Train on the first this many examples of the training split only
        /// (nil: all of it). The held-out examples do not change, so validation
        /// losses compare across subsets; `batchSize` equal to it is full-batch
        /// training (every step sees every example of the subset).
        public var trainingExamples: Int?

        public init(steps: Int = 300, batchSize: Int = 8, seed: UInt64 = 0, evaluateEvery: Int = 25, checkpointEvery: Int? = nil,
                    noiseEvery: Int? = nil, noiseSamples: Int = 300, noiseFullBatches: Int? = nil) {
            self.steps = steps; self.batchSize = batchSize; self.seed = seed; self.evaluateEvery = evaluateEvery
            self.checkpointEvery = checkpointEvery; self.noiseEvery = noiseEvery; self.noiseSamples = noiseSamples
            self.noiseFullBatches = noiseFullBatches
        }
    }

    /// One row of loss.csv: the mean training loss since the previous row, and the validation loss.
    package struct LossRow: Equatable, Sendable {
        package var step: Int
        package var trainLoss: Double
        package var validationLoss: Double
        package init(step: Int, trainLoss: Double, validationLoss: Double) {
            self.step = step; self.trainLoss = trainLoss; self.validationLoss = validationLoss
        }
    }

    package typealias Failure = NoiseScopeError

    package let model: any GradientModel<Float>
    package let recipe: ModelCatalog.Recipe
    package private(set) var optimizer: any Optimizer
    package let optimizerKind: OptimizerKind
    package let settings: OptimizerSettings
    package let options: Options
    /// Steps already taken (from a checkpoint when resuming).
    package private(set) var step = 0
    /// Examples training draws from: `options.trainingExamples`, or the whole training split.
    package let trainingCount: Int
    /// Examples before the held-out ones (the training split, whatever the subset).
    let splitCount: Int
    let validationIndices: [[Int]]
    /// Training loss since the last loss.csv row (kept in checkpoints).
    var pendingLoss = Checkpoint.Header.PendingLoss(sum: 0, count: 0)

    package init(recipe: ModelCatalog.Recipe, optimizer kind: OptimizerKind, settings: OptimizerSettings,
                options: Options, resumeFrom checkpoint: Checkpoint? = nil) throws {
        let model = try checkpoint?.makeModel() ?? ModelCatalog.makeModel(recipe)
        let n = model.exampleCount
        (splitCount, trainingCount) = try Self.trainingCounts(exampleCount: n, options: options)
        let drawnFrom = options.trainingExamples == nil ? "the training split" : "the training subset"
        guard trainingCount >= options.batchSize, options.batchSize <= model.maxBatchSize else {
            throw NoiseScopeError.invalidSetting(.batchSize, message: "minibatch size \(options.batchSize) does not fit: \(drawnFrom) has \(trainingCount) examples (the model holds \(model.maxBatchSize) a minibatch)")
        }
        guard options.steps >= 1, options.evaluateEvery >= 1 else {
            throw NoiseScopeError.invalidSetting(.steps, message: "the step count and the evaluation interval must be at least 1")
        }
        let held = Array(splitCount..<n)
        validationIndices = stride(from: 0, to: held.count, by: model.maxBatchSize)
            .prefix(options.validationBatches).map { Array(held[$0..<min($0 + model.maxBatchSize, held.count)]) }
        self.model = model
        self.recipe = recipe
        self.optimizerKind = kind
        self.settings = settings
        self.options = options
        optimizer = try makeOptimizer(kind, settings: settings, parameterCount: model.parameterCount)
        if let checkpoint {
            let saved = checkpoint.header.optimizer
            guard saved.kind == kind.rawValue else {
                throw Failure(description: "the checkpoint was trained with \(TerminalText.quoted(saved.kind)), not \(kind.rawValue); resume with that optimizer")
            }
            // The saved state must have exactly the entries this optimizer keeps.
            let fresh = optimizer.state
            let expected = fresh.vectors.mapValues(\.count), found = checkpoint.optimizerVectors.mapValues(\.count)
            guard expected == found, Set(fresh.scalars.keys) == Set(saved.scalars.keys), saved.scalars.values.allSatisfy(\.isFinite) else {
                throw Failure(description: "the checkpoint's \(kind.rawValue) state does not match what \(kind.rawValue) keeps (vectors \(expected.keys.sorted()), scalars \(fresh.scalars.keys.sorted())); the file is damaged or from another version")
            }
            optimizer.state = OptimizerState(step: checkpoint.header.step, vectors: checkpoint.optimizerVectors,
                                             scalars: saved.scalars)
            step = checkpoint.header.step
            pendingLoss = checkpoint.header.pendingLoss ?? Checkpoint.Header.PendingLoss(sum: 0, count: 0)
        }
    }

    /// The examples before the held-out ones (the last `validationFraction` of
    /// `exampleCount`, at least one, are held out) and the examples training
    /// draws from: `options.trainingExamples`, refused outside 1…split, or the split.
    package static func trainingCounts(exampleCount n: Int, options: Options) throws -> (split: Int, training: Int) {
        let split = n - max(1, Int((Double(n) * options.validationFraction).rounded()))
        guard let subset = options.trainingExamples else { return (split, split) }
        guard subset >= 1, subset <= split else {
            throw NoiseScopeError.invalidSetting(.trainingExamples, message: "the training example count must be between 1 and the \(split) examples of the training split, got \(subset)")
        }
        return (split, subset)
    }

    /// The mean loss over the fixed held-out minibatches.
    package func validationLoss() -> Double {
        var total = 0.0, count = 0
        for batch in validationIndices {
            total += model.loss(indices: batch) * Double(batch.count)
            count += batch.count
        }
        return total / Double(count)
    }

    /// A checkpoint of the current state.
    package func checkpoint() -> Checkpoint {
        let state = optimizer.state
        let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(settings))) as? [String: Any] ?? [:]
        let numeric = encoded.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        var checkpoint = Checkpoint(recipe: recipe, model: model, step: step, optimizerKind: optimizerKind.rawValue,
                                    optimizerSettings: numeric, optimizerScalars: state.scalars, optimizerVectors: state.vectors)
        checkpoint.header.pendingLoss = pendingLoss
        checkpoint.header.trainingExamples = options.trainingExamples
        return checkpoint
    }

    /// A noise snapshot at the current parameters (parameters are not changed).
    package func noiseSnapshot(progress: (NoiseNormSampler.Phase, Int, Int) -> Void = { _, _, _ in },
                              shouldStop: () -> Bool = { false }) throws -> NoiseMeasurement {
        let sampler = try NoiseNormSampler(model: model, options: .init(
            batchSize: options.batchSize, samples: options.noiseSamples, fullGradientBatches: options.noiseFullBatches,
            seed: options.seed &+ UInt64(step), exampleLimit: trainingCount))
        return try sampler.run(progress: progress, shouldStop: shouldStop)
    }

    /// Trains until `options.steps`. Callbacks: `onRow` after each evaluation,
    /// `onCheckpoint` every `checkpointEvery` steps and at the end, `onNoise`
    /// at each snapshot step (0, every `noiseEvery`, the end).
    package func run(progress: (Int, Int) -> Void = { _, _ in },
                    shouldStop: () -> Bool = { false },
                    onRow: (LossRow) throws -> Void = { _ in },
                    onCheckpoint: (Checkpoint) throws -> Void = { _ in },
                    onNoise: (Int, NoiseMeasurement) throws -> Void = { _, _ in }) throws {
        var schedule = MinibatchSchedule(exampleCount: trainingCount, batchSize: options.batchSize, seed: options.seed)
        for _ in 0..<step { _ = schedule.next() }  // replay the data order up to a resumed step
        func snapshotIfDue() throws {
            guard let every = options.noiseEvery, step % every == 0 || step == options.steps else { return }
            try onNoise(step, noiseSnapshot(shouldStop: shouldStop))
        }
        if step == 0 { try snapshotIfDue() }
        while step < options.steps {
            if shouldStop() { throw NoiseScopeError.interrupted(detail: "nothing was written") }
            let loss = model.lossAndGradient(indices: schedule.next())
            guard loss.isFinite else {
                throw NoiseScopeError.diverged(step: step + 1, loss: loss)
            }
            optimizer.step(parameters: model.parameters, gradient: UnsafeBufferPointer(model.gradient))
            step += 1
            pendingLoss.sum += loss
            pendingLoss.count += 1
            progress(step, options.steps)
            if step % options.evaluateEvery == 0 || step == options.steps {
                try onRow(LossRow(step: step, trainLoss: pendingLoss.sum / Double(pendingLoss.count), validationLoss: validationLoss()))
                pendingLoss = .init(sum: 0, count: 0)
            }
            if let every = options.checkpointEvery, step % every == 0, step != options.steps { try onCheckpoint(checkpoint()) }
            try snapshotIfDue()
        }
        try onCheckpoint(checkpoint())
    }
}
