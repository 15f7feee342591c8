import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining

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
        var panels: [Axes] = []
        for architecture in [ModelCatalog.Architecture.tinygpt, .tinygptNoAttention] {
            let recipe = ModelCatalog.Recipe(architecture: architecture, data: .text, batchSize: batchSize, seed: seed)
            let run = try train(recipe, kind: .adam, learningRate: nil, noiseEvery: max(1, steps / 3),
                                directory: directory + "/fig2/\(architecture.rawValue)")
            for (index, snapshot) in run.snapshots.prefix(4).enumerated() {
                let kurtosis = ReferenceComparison.Shape(snapshot.norms).excessKurtosis
                panels.append(NoiseFigures.normalisedHistogramAxes(snapshot.norms, title: "\(architecture.rawValue), step \(snapshot.step): excess kurtosis \(String(format: "%.2g", kurtosis))", colorIndex: index))
            }
            log("\(architecture.rawValue): final validation loss \(String(format: "%.4f", run.rows.last?.validationLoss ?? .nan))")
        }
        try write(Figure(title: "Noise norms along an Adam run (after Zhang et al. 2020, Fig. 2): attention (top) vs no attention (bottom)",
                         width: 1600, height: 820, rows: 2, columns: 4, panels: panels, sharex: .all), named: "fig2.svg")
    }
}

/// fig3: each optimizer at its best learning rate of the grid (final
/// validation loss), same model, data and order; a run that diverges counts
/// as having no loss.
struct OptimizerComparison {
    let figures: PaperFigures

    /// Trains every optimizer at every learning rate; writes fig3.svg and
    /// fig3_final_losses.csv; returns the Markdown table it prints.
    func run() throws -> String {
        let grid = figures.learningRates
        guard !grid.isEmpty, grid.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw NoiseScopeError.invalidSetting(.learningRateGrid, message: "the learning rates must be finite positive numbers, e.g. 1e-4,1e-3,1e-2")
        }
        let recipe = ModelCatalog.Recipe(architecture: .tinygpt, data: .text, batchSize: figures.batchSize, seed: figures.seed)
        let kinds: [OptimizerKind] = [.momentum, .gclip, .cclip, .adam, .acclip]
        var axes = Axes(title: "Validation loss of tinygpt on the novel, same data order", xLabel: "Step", yLabel: "Validation loss")
        var table = ["optimizer,learning_rate,final_train_loss,final_validation_loss,best"]
        var lines = ["| optimizer | best lr | final validation loss | all lrs (final validation loss) |", "| --- | --- | --- | --- |"]
        for (index, kind) in kinds.enumerated() {
            var results: [(lr: Double, rows: [Trainer.LossRow])] = []
            for lr in grid {
                let rows: [Trainer.LossRow]
                do {
                    rows = try figures.train(recipe, kind: kind, learningRate: lr, noiseEvery: nil,
                                             directory: figures.directory + "/fig3/\(kind.rawValue)-lr\(lr)").rows
                } catch NoiseScopeError.diverged {
                    rows = []
                }
                results.append((lr, rows))
            }
            let finished = results.compactMap { result in result.rows.last.flatMap { $0.validationLoss.isNaN ? nil : (result.lr, result.rows, $0.validationLoss) } }
            guard let best = finished.min(by: { $0.2 < $1.2 }) else { continue }
            for result in results {
                let last = result.rows.last
                table.append("\(kind.rawValue),\(result.lr),\(last.map { NumberText.exact($0.trainLoss) } ?? "diverged"),\(last.map { NumberText.exact($0.validationLoss) } ?? "diverged"),\(result.lr == best.0)")
            }
            axes.add(.line(x: best.1.map { Double($0.step) }, y: best.1.map(\.validationLoss),
                           label: "\(kind.rawValue) (lr \(best.0))", style: .cycled(index)))
            let all = results.map { "\($0.lr): " + ($0.rows.last.map { String(format: "%.4f", $0.validationLoss) } ?? "diverged") }.joined(separator: ", ")
            lines.append("| \(kind.rawValue) | \(best.0) | \(String(format: "%.4f", best.2)) | \(all) |")
        }
        try AtomicFile.write(table.joined(separator: "\n") + "\n", to: figures.directory + "/fig3_final_losses.csv")
        try figures.write(Figure(axes, width: 820, height: 560), named: "fig3.svg")
        return lines.joined(separator: "\n") + "\n"
    }
}
