import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining
import NoiseScopeModels

/// fig2 and fig3: the figures that need training.
extension PaperFigures {
    /// Trains `recipe` with `kind`, writing loss.csv and noise snapshots under `directory`.
    func train(_ recipe: ModelCatalog.Recipe, kind: OptimizerKind, learningRate: Double?, noiseEvery: Int?,
               directory: String) throws -> (rows: [Trainer.LossRow], snapshots: [(step: Int, norms: [Double])]) {
        var settings = OptimizerSettings.defaults(for: kind)
        if let learningRate { settings.learningRate = learningRate }
        let trainer = try Trainer(recipe: recipe, optimizer: kind, settings: settings,
                                  options: .init(steps: steps, batchSize: batchSize, seed: seed, noiseEvery: noiseEvery, noiseSamples: samples))
        var rows: [Trainer.LossRow] = []
        var snapshots: [(Int, [Double])] = []
        var snapshotRows: [String] = []
        try FileManager.default.createDirectory(atPath: directory + "/noise", withIntermediateDirectories: true)
        try trainer.run(progress: { progress("\(recipe.architecture.rawValue) \(kind.rawValue) lr \(settings.learningRate)", $0, $1) },
                        shouldStop: shouldStop,
                        onRow: { rows.append($0) },
                        onNoise: { step, measurement in
                            snapshots.append((step, measurement.noiseNorms))
                            snapshotRows.append(try TrainingFiles.snapshotRow(step: step, norms: measurement.noiseNorms, seed: seed))
                            try TrainingFiles.writeSnapshot(measurement, step: step, in: directory)
                        })
        try AtomicFile.write(TrainingFiles.lossCSV(rows), to: directory + "/loss.csv")
        if !snapshotRows.isEmpty { try AtomicFile.write(TrainingFiles.snapshotsCSV(snapshotRows), to: directory + "/noise/snapshots.csv") }
        return (rows, snapshots)
    }

    func drawNoiseOverTraining() throws {
        var panels: [(title: String, norms: [Double], colorIndex: Int)] = []
        for architecture in [ModelCatalog.Architecture.tinygpt, .tinygptNoAttention] {
            let recipe = ModelCatalog.Recipe(architecture: architecture, data: .text, batchSize: batchSize, seed: seed)
            let run = try train(recipe, kind: .adam, learningRate: nil, noiseEvery: max(1, steps / 3),
                                directory: directory + "/fig2/\(architecture.rawValue)")
            for (index, snapshot) in run.snapshots.prefix(4).enumerated() {
                let kurtosis = ReferenceComparison.Shape(snapshot.norms).excessKurtosis
                panels.append(("\(architecture.rawValue), step \(snapshot.step): excess kurtosis \(String(format: "%.2g", kurtosis))", snapshot.norms, index))
            }
            log("\(architecture.rawValue): final validation loss \(String(format: "%.4f", run.rows.last?.validationLoss ?? .nan))")
        }
        try write(PaperFigureLayouts.noiseAlongTraining(panels, title: "Noise norms along an Adam run (after Zhang et al. 2020, Fig. 2): attention (top) vs no attention (bottom)"),
                  named: "fig2.svg")
    }
}

/// fig3: momentum SGD, GClip, CClip, Adam and ACClip on tinygpt at one batch
/// size, each at its own learning rate tuned on a grid that extends itself off
/// an edge (`BatchSizeSweep`), then trained on fresh seeds: the final
/// validation loss with 95 % t-intervals, and which grids hit a bound.
///
/// Clipping thresholds come from what the clipping sees: the momentum
/// m ← β₁m + (1 − β₁)g (β₁ of GClip's defaults) over 48 minibatch gradients of
/// the model at initialisation, the same batch size. GClip's τ is the median of
/// ‖m‖ over the last 32 (after 16 that fill the average), CClip's the 0.99
/// quantile of the coordinates |m_i| there: so each clips at the start of
/// training. (τ from the raw gradient norm ‖g_B‖ never clips the momentum,
/// whose averaging removes most of the noise.) ACClip keeps its own adaptive rule.
struct OptimizerComparison {
    let figures: PaperFigures

    /// The thresholds, from the momentum of `count` minibatch gradients at initialisation.
    func measuredThresholds(count: Int = 48, warmUp: Int = 16) throws -> (gclip: Double, cclip: Double) {
        let model = try ModelCatalog.makeModel(.tinygpt, data: .text, batchSize: figures.batchSize, seed: figures.seed)
        var schedule = MinibatchSchedule(exampleCount: model.exampleCount, batchSize: figures.batchSize, seed: figures.seed)
        let beta = OptimizerSettings.defaults(for: .gclip).beta1
        var momentum = [Double](repeating: 0, count: model.parameterCount)
        var norms: [Double] = [], coordinates: [Double] = []
        for step in 0..<count {
            _ = model.lossAndGradient(indices: schedule.next())
            for i in momentum.indices { momentum[i] = beta * momentum[i] + (1 - beta) * Double(model.gradient[i]) }
            guard step >= warmUp else { continue }
            norms.append(momentum.reduce(0) { $0 + $1 * $1 }.squareRoot())
            // Every 16th coordinate keeps the sample small.
            coordinates += stride(from: 0, to: momentum.count, by: 16).map { abs(momentum[$0]) }
        }
        return (quantile(ofSorted: norms.sorted(), probability: 0.5), quantile(ofSorted: coordinates.sorted(), probability: 0.99))
    }

    /// The optimizer's name as the papers write it (the tick labels of fig3).
    static func displayName(_ kind: OptimizerKind) -> String {
        switch kind {
        case .momentum: return "Momentum SGD"
        case .gclip: return "GClip"
        case .cclip: return "CClip"
        case .adam: return "Adam"
        case .acclip: return "ACClip"
        default: return kind.rawValue
        }
    }

    /// Runs the comparison; writes fig3.svg and fig3/ (runs.csv, summary.csv,
    /// summary.md, sweep.svg); returns the Markdown table it prints.
    func run() throws -> String {
        let tau = try measuredThresholds()
        var request = SweepRequest()
        request.model = .tinygpt
        request.data = .text
        request.batchSizes = [.examples(figures.batchSize)]
        request.optimizers = [.momentum, .gclip, .cclip, .adam, .acclip]
        request.steps = figures.steps
        request.seeds = figures.seeds
        request.clipThresholds = [.gclip: tau.gclip, .cclip: tau.cclip]
        let result = try BatchSizeSweep.run(request, log: figures.log, shouldStop: figures.shouldStop)
        let title = String(format: "tinygpt on the novel, B = %d, %d steps: final validation loss, each optimizer at its tuned learning rate", figures.batchSize, figures.steps)
        try result.write(to: figures.directory + "/fig3", title: title)
        let outcomes = result.cells.map { cell in
            PaperFigureLayouts.OptimizerOutcome(
                name: Self.displayName(cell.optimizer),
                legend: "\(Self.displayName(cell.optimizer)): tuned lr \(NumberText.short(cell.bestLearningRate))\(cell.atEdge ? ", at the grid's edge" : "")",
                mean: cell.interval?.mean, halfWidth: cell.interval?.halfWidth ?? .nan)
        }
        try figures.write(PaperFigureLayouts.optimizerComparison(outcomes, steps: figures.steps, seeds: figures.seeds), named: "fig3.svg")
        return String(format: "clipping thresholds from the momentum at initialisation: GClip τ = %.4g (median ‖m‖), CClip τ = %.4g (0.99 quantile of |m_i|)\n", tau.gclip, tau.cclip)
            + result.summaryMarkdown
    }
}
