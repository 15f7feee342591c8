import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopeSampling
import NoiseScopeTraining
import NoiseScopePlot
import NoiseScopeStatistics

/// What `sweep` does: for every batch size and optimizer, tune the learning
/// rate on one seed over a log-spaced grid that grows past an edge while the
/// best value sits on it, then train fresh seeds at the tuned rate and report
/// the final validation loss with a 95 % t-interval.
///
/// The question (Kunstner et al. 2023): if the Adam–SGD gap were caused by
/// heavy-tailed minibatch noise, it should shrink as the batch grows; if it is
/// about the update's direction (sign-like steps), it persists or grows.
///
/// Every run has the same number of steps, so a larger batch sees more data.
/// Every run is validated on all the held-out windows (the same set for every
/// batch size). The tuning seed (0) is not among the evaluation seeds (1…n),
/// so the reported intervals are not biased by the choice of the rate.
/// With `trainingExamples` every run trains on the first N examples of the
/// training split only, so that the `full` batch (all N, every step: plain
/// full-batch descent with each optimizer) fits the time; that is a different
/// problem from training on the whole split (a few examples, each seen many
/// times, are fitted and overfitted differently).
package struct SweepRequest: Sendable {
    package var model: ModelCatalog.Architecture = .tinygpt
    /// nil: the model's own data.
    package var data: ModelCatalog.DataSource?
    package var overrides = ModelCatalog.Overrides()
    package var batchSizes: [SweepBatch] = [8, 64, 512]
    /// Train on the first this many examples of the training split (nil: all of it).
    package var trainingExamples: Int?
    package var optimizers: [OptimizerKind] = [.momentum, .adam, .sign, .normalizedGD]
    package var steps = 150
    /// Evaluation seeds per cell (seeds 1…n; seed 0 tunes).
    package var seeds = 3
    /// Ratio of neighbouring learning rates in the grid.
    package var gridFactor = 10.0.squareRoot()
    /// The grid starts at each optimizer's default rate and its two neighbours.
    /// It never leaves these bounds; a best rate on a bound is flagged "edge".
    package var learningRateBounds: ClosedRange<Double> = 1e-5...10
    /// Also split the evaluation runs' final validation loss by target-frequency bucket (text models).
    package var lossByFrequency = true
    /// Clipping thresholds τ by optimizer (gclip, cclip, …); absent: the optimizer's default.
    package var clipThresholds: [OptimizerKind: Double] = [:]
    package init() {}
}

/// One training run of the sweep.
package struct SweepRun: Sendable {
    package enum Purpose: String, Sendable { case tune, evaluate }
    package var batchSize: Int
    /// The batch is every example training draws from (`SweepBatch.full`).
    package var fullBatch: Bool
    package var optimizer: OptimizerKind
    package var learningRate: Double
    package var seed: UInt64
    package var purpose: Purpose
    /// nil when the run diverged.
    package var finalTrainLoss: Double?
    package var finalValidationLoss: Double?
    /// Final validation loss per frequency bucket (evaluation runs of text models).
    package var validationByBucket: [Double]
    package var seconds: Double
}

/// One cell of the summary: a batch size and an optimizer at its tuned rate.
package struct SweepCell: Sendable {
    package var batchSize: Int
    /// The batch is every example training draws from (`SweepBatch.full`).
    package var fullBatch: Bool
    package var optimizer: OptimizerKind
    /// nil when every rate of the grid diverged.
    package var bestLearningRate: Double?
    /// The rates tried, ascending, with the tuning seed's final validation loss (nil: diverged).
    package var grid: [(learningRate: Double, loss: Double?)]
    /// The best rate is the lowest or highest rate the bounds allow.
    package var atEdge: Bool
    /// Final validation losses of the evaluation seeds that did not diverge.
    package var losses: [Double]
    package var diverged: Int
    package var interval: MeanInterval?
    /// Mean final validation loss per frequency bucket over the evaluation seeds.
    package var bucketMeans: [Double]
}

package struct SweepResult: Sendable {
    /// The examples every run trained on, recorded when the request chose a
    /// subset or a full batch (nil otherwise: the whole training split, and
    /// the files keep their columns).
    package var trainingExamples: Int?
    /// The examples of the whole training split, when `trainingExamples` is recorded.
    package var splitExamples: Int?
    package var runs: [SweepRun]
    package var cells: [SweepCell]
    package var bucketLabels: [String]
    package var seconds: Double
}

package enum BatchSizeSweep {
    /// Checks the request before any training. Returns the examples of the
    /// training split and those the runs train on when the request asks for a
    /// subset or a full batch (read from the data, a model of batch 1), nil
    /// otherwise; refuses a subset outside 1…split or a batch above the subset.
    @discardableResult
    package static func validate(_ request: SweepRequest) throws -> (split: Int, training: Int)? {
        let countsAllowed = request.batchSizes.allSatisfy { batch in
            if case .examples(let count) = batch { return count >= 1 }
            return true
        }
        guard !request.batchSizes.isEmpty, countsAllowed else {
            throw NoiseScopeError.invalidSetting(.batchSize, message: "the sweep needs at least one batch size, each at least 1")
        }
        guard !request.optimizers.isEmpty else {
            throw NoiseScopeError.invalidSetting(.optimizer, message: "the sweep needs at least one optimizer")
        }
        guard request.seeds >= 1, request.steps >= 1 else {
            throw NoiseScopeError.invalidSetting(.steps, message: "the sweep needs at least one seed and one step")
        }
        let b = request.learningRateBounds
        guard request.gridFactor > 1, request.gridFactor.isFinite, b.lowerBound > 0, b.upperBound.isFinite else {
            throw NoiseScopeError.invalidSetting(.learningRateGrid, message: "the grid factor must be a finite number above 1 and the learning-rate bounds finite and positive")
        }
        guard request.trainingExamples != nil || request.batchSizes.contains(.full) else { return nil }
        let model = try ModelCatalog.makeModel(request.model, data: request.data ?? ModelCatalog.defaultData(for: request.model),
                                               batchSize: 1, seed: 0, overrides: request.overrides)
        var options = Trainer.Options()
        options.trainingExamples = request.trainingExamples
        let counts = try Trainer.trainingCounts(exampleCount: model.exampleCount, options: options)
        if let largest = request.batchSizes.map({ $0.size(trainingCount: counts.training) }).max(), largest > counts.training {
            throw NoiseScopeError.invalidSetting(.batchSize, message: "batch size \(largest) is larger than the \(counts.training) training examples; use at most that many, or full")
        }
        return counts
    }

    /// Runs the sweep. `log` gets one line per finished run.
    package static func run(_ request: SweepRequest, log: (String) -> Void = { _ in },
                           shouldStop: @escaping () -> Bool = { false }) throws -> SweepResult {
        let counts = try validate(request)
        let started = Date()
        var runs: [SweepRun] = []
        var cells: [SweepCell] = []
        var bucketLabels: [String] = []
        let data = request.data ?? ModelCatalog.defaultData(for: request.model)
        for batch in request.batchSizes {
            let batchSize = batch.size(trainingCount: counts?.training ?? 0), fullBatch = batch == .full
            for kind in request.optimizers {
                func train(_ lr: Double, seed: UInt64, purpose: SweepRun.Purpose) throws -> SweepRun {
                    let clock = Date()
                    var settings = OptimizerSettings.defaults(for: kind)
                    settings.learningRate = lr
                    if let tau = request.clipThresholds[kind] { settings.clipThreshold = tau }
                    var options = Trainer.Options(steps: request.steps, batchSize: batchSize, seed: seed, evaluateEvery: request.steps)
                    options.validationBatches = .max  // all held-out windows, whatever the batch size
                    options.trainingExamples = request.trainingExamples
                    let recipe = ModelCatalog.Recipe(architecture: request.model, data: data, batchSize: batchSize, seed: seed,
                                                     overrides: request.overrides)
                    let trainer = try Trainer(recipe: recipe, optimizer: kind, settings: settings, options: options)
                    var last: Trainer.LossRow?
                    var byBucket: [Double] = []
                    do {
                        try trainer.run(shouldStop: shouldStop, onRow: { last = $0 })
                        if purpose == .evaluate, request.lossByFrequency, trainer.model is any ClassTargetLosses {
                            let buckets = try trainer.frequencyBuckets()
                            bucketLabels = buckets.labels
                            byBucket = try trainer.lossByFrequency(buckets).validation.map(\.mean)
                        }
                    } catch NoiseScopeError.diverged {
                        last = nil
                    }
                    let finite = last.flatMap { $0.validationLoss.isFinite ? $0 : nil }
                    let run = SweepRun(batchSize: batchSize, fullBatch: fullBatch, optimizer: kind, learningRate: lr, seed: seed, purpose: purpose,
                                       finalTrainLoss: finite?.trainLoss, finalValidationLoss: finite?.validationLoss,
                                       validationByBucket: byBucket, seconds: Date().timeIntervalSince(clock))
                    log("B = \(SweepBatch.shown(batchSize, full: fullBatch)) \(kind.rawValue) lr \(NumberText.exact(lr)) seed \(seed) (\(purpose.rawValue)): "
                        + (run.finalValidationLoss.map { String(format: "validation loss %.4f", $0) } ?? "diverged")
                        + String(format: ", %.1f s", run.seconds))
                    runs.append(run)
                    return run
                }
                // Tuning on seed 0: start at the default and its neighbours; grow past an edge while it is best.
                let tuned = try tune(start: OptimizerSettings.defaults(for: kind).learningRate, factor: request.gridFactor,
                                     bounds: request.learningRateBounds) { try train($0, seed: 0, purpose: .tune).finalValidationLoss }
                var losses: [Double] = [], buckets: [[Double]] = [], diverged = 0
                if let best = tuned.best {
                    for seed in 1...UInt64(request.seeds) {
                        let run = try train(best, seed: seed, purpose: .evaluate)
                        if let loss = run.finalValidationLoss { losses.append(loss); buckets.append(run.validationByBucket) } else { diverged += 1 }
                    }
                }
                let bucketMeans = buckets.first.map { first in
                    first.indices.map { b in buckets.reduce(0) { $0 + $1[b] } / Double(buckets.count) }
                } ?? []
                cells.append(SweepCell(batchSize: batchSize, fullBatch: fullBatch, optimizer: kind, bestLearningRate: tuned.best, grid: tuned.grid,
                                       atEdge: tuned.atEdge, losses: losses, diverged: diverged, interval: MeanInterval(losses),
                                       bucketMeans: bucketMeans))
            }
        }
        return SweepResult(trainingExamples: counts?.training, splitExamples: counts?.split, runs: runs, cells: cells, bucketLabels: bucketLabels, seconds: Date().timeIntervalSince(started))
    }

    /// The self-extending grid search: rates start × factor^k; starts with k ∈ {−1, 0, 1}
    /// (clamped to the bounds) and adds the next rate beyond an edge as long as the
    /// best rate is on that edge and the bound allows. A diverged run (`loss` nil)
    /// counts as worse than any finite one. `atEdge`: the best rate is the lowest
    /// or highest of the grid and the grid could not grow further that way.
    package static func tune(start: Double, factor: Double, bounds: ClosedRange<Double>,
                            loss: (Double) throws -> Double?) throws -> (best: Double?, grid: [(learningRate: Double, loss: Double?)], atEdge: Bool) {
        // Exponents k relative to the start, rounded so the rates are reproducible.
        func rate(_ k: Int) -> Double { start * pow(factor, Double(k)) }
        let tolerance = 1e-9
        func allowed(_ k: Int) -> Bool { rate(k) >= bounds.lowerBound * (1 - tolerance) && rate(k) <= bounds.upperBound * (1 + tolerance) }
        var results: [Int: Double?] = [:]
        var pending = [-1, 0, 1].filter(allowed)
        if pending.isEmpty { pending = [0] }  // a start outside the bounds is still tried, alone
        while true {
            for k in pending where results[k] == nil { results[k] = try loss(rate(k)) }
            let ks = results.keys.sorted()
            let finite = ks.compactMap { k in results[k]!.map { (k, $0) } }
            let lowest = ks.first!, highest = ks.last!
            guard let best = finite.min(by: { $0.1 < $1.1 })?.0 else {
                // Everything diverged: go lower while allowed.
                if allowed(lowest - 1) { pending = [lowest - 1]; continue }
                return (nil, ks.map { (rate($0), results[$0]!) }, true)
            }
            if best == lowest, allowed(lowest - 1) { pending = [lowest - 1]; continue }
            if best == highest, allowed(highest + 1) { pending = [highest + 1]; continue }
            let atEdge = ks.count == 1 || best == lowest || best == highest
            return (rate(best), ks.map { (rate($0), results[$0]!) }, atEdge)
        }
    }
}
