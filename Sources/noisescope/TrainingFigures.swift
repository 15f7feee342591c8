import Foundation
import NoiseScope

/// fig2 and fig3: the figures that need training.
extension FigureCommand {
    /// Trains `recipe` with `kind`, writing loss.csv and noise snapshots under `directory`.
    func train(_ recipe: ModelCatalog.Recipe, kind: OptimizerKind, learningRate: Double?, noiseEvery: Int?,
               directory: String) throws -> (rows: [Trainer.LossRow], snapshots: [(step: Int, norms: [Double])]) {
        var settings = OptimizerSettings.defaults(for: kind)
        if let learningRate { settings.learningRate = learningRate }
        let trainer = try Trainer(recipe: recipe, optimizer: kind, settings: settings,
                                  options: .init(steps: steps, batchSize: batch, seed: seed, noiseEvery: noiseEvery, noiseSamples: samples))
        let progress = ProgressReporter(quiet: quiet)
        var rows: [Trainer.LossRow] = []
        var snapshots: [(Int, [Double])] = []
        var snapshotRows: [String] = []
        try FileManager.default.createDirectory(atPath: directory + "/noise", withIntermediateDirectories: true)
        try trainer.run(progress: { progress.update(phase: "\(recipe.architecture.rawValue) \(kind.rawValue) lr \(settings.learningRate)", done: $0, total: $1) },
                        shouldStop: { Interruption.isRequested },
                        onRow: { rows.append($0) },
                        onNoise: { step, measurement in
                            snapshots.append((step, measurement.noiseNorms))
                            snapshotRows.append(try TrainingFiles.snapshotRow(step: step, norms: measurement.noiseNorms, seed: seed))
                            try AtomicFile.write(MeasurementOutputs.csv(header: "noise_norm", rows: measurement.noiseNorms.map(MeasurementOutputs.format)),
                                                 to: URL(fileURLWithPath: directory + String(format: "/noise/step-%06d.csv", step)))
                        })
        try AtomicFile.write(TrainingFiles.lossCSV(rows), to: directory + "/loss.csv")
        if !snapshotRows.isEmpty { try AtomicFile.write(TrainingFiles.snapshotsCSV(snapshotRows), to: directory + "/noise/snapshots.csv") }
        return (rows, snapshots)
    }

    func drawNoiseOverTraining() throws {
        var panels: [Axes] = []
        for architecture in [ModelCatalog.Architecture.tinygpt, .tinygptNoAttention] {
            let recipe = ModelCatalog.Recipe(architecture: architecture, data: .text, batchSize: batch, seed: seed)
            let run = try train(recipe, kind: .adam, learningRate: nil, noiseEvery: max(1, steps / 3),
                                directory: out + "/fig2/\(architecture.rawValue)")
            for (index, snapshot) in run.snapshots.prefix(4).enumerated() {
                let kurtosis = ReferenceComparison.Shape(snapshot.norms).excessKurtosis
                panels.append(NoiseFigures.normalisedHistogramAxes(snapshot.norms, title: "\(architecture.rawValue), step \(snapshot.step): kurtosis \(String(format: "%.2g", kurtosis))", colorIndex: index))
            }
            printError("noisescope: \(architecture.rawValue): final validation loss \(String(format: "%.4f", run.rows.last?.validationLoss ?? .nan))")
        }
        try write(Figure(title: "Noise norms along an Adam run (after Zhang et al. 2020, Fig. 2): attention (top) vs no attention (bottom)",
                         width: 1600, height: 820, rows: 2, columns: 4, panels: panels), named: "fig2.svg")
    }

    func compareOptimizers() throws {
        let grid = lrGrid.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !grid.isEmpty, grid.allSatisfy({ $0 > 0 }) else {
            throw ModelCatalog.Failure(description: "--lr-grid '\(lrGrid)' must be positive numbers separated by commas, e.g. 1e-4,1e-3,1e-2")
        }
        let recipe = ModelCatalog.Recipe(architecture: .tinygpt, data: .text, batchSize: batch, seed: seed)
        let kinds: [OptimizerKind] = [.momentum, .gclip, .cclip, .adam, .acclip]
        var axes = Axes(title: "Validation loss of tinygpt on the novel, same data order", xLabel: "Step", yLabel: "Validation loss",
                        legendPlacement: .upperRight)
        var table = ["optimizer,learning_rate,final_train_loss,final_validation_loss,best"]
        var lines = ["| optimizer | best lr | final validation loss | all lrs (final validation loss) |", "| --- | --- | --- | --- |"]
        for (index, kind) in kinds.enumerated() {
            var results: [(lr: Double, rows: [Trainer.LossRow])] = []
            for lr in grid {
                let rows: [Trainer.LossRow]
                do {
                    rows = try train(recipe, kind: kind, learningRate: lr, noiseEvery: nil,
                                     directory: out + "/fig3/\(kind.rawValue)-lr\(lr)").rows
                } catch NoiseScopeError.diverged {
                    rows = []
                }
                results.append((lr, rows))
            }
            let finished = results.filter { !($0.rows.last?.validationLoss.isNaN ?? true) }
            guard let best = finished.min(by: { $0.rows.last!.validationLoss < $1.rows.last!.validationLoss }) else { continue }
            for result in results {
                let last = result.rows.last
                table.append("\(kind.rawValue),\(result.lr),\(last.map { MeasurementOutputs.format($0.trainLoss) } ?? "diverged"),\(last.map { MeasurementOutputs.format($0.validationLoss) } ?? "diverged"),\(result.lr == best.lr)")
            }
            axes.add(.line(x: best.rows.map { Double($0.step) }, y: best.rows.map(\.validationLoss),
                           label: "\(kind.rawValue) (lr \(best.lr))", style: .cycled(index)))
            let all = results.map { "\($0.lr): " + ($0.rows.last.map { String(format: "%.4f", $0.validationLoss) } ?? "diverged") }.joined(separator: ", ")
            lines.append("| \(kind.rawValue) | \(best.lr) | \(String(format: "%.4f", best.rows.last!.validationLoss)) | \(all) |")
        }
        try AtomicFile.write(table.joined(separator: "\n") + "\n", to: out + "/fig3_final_losses.csv")
        try write(Figure(axes, width: 820, height: 560), named: "fig3.svg")
        try emit(lines.joined(separator: "\n") + "\n", to: nil)
    }
}
