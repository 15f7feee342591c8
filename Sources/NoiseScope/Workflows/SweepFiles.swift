import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopeTraining
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics

/// The files of a sweep: runs.csv (every run), summary.csv and summary.md
/// (one row per batch size × optimizer), and sweep.svg (final validation loss
/// against batch size, one line per optimizer, 95 % t-interval error bars).
/// When the sweep trained on a subset or at full batch, the CSVs gain the
/// columns full_batch and training_examples after batch_size, and summary.md
/// says how many examples the runs trained on; otherwise the files are as
/// they always were.
extension SweepResult {
    /// The CSV header fields that record the training subset (none when not recorded).
    var subsetColumns: String { trainingExamples == nil ? "" : ",full_batch,training_examples" }

    /// The values of `subsetColumns` for a batch.
    func subsetFields(fullBatch: Bool) -> [String] {
        trainingExamples.map { [String(fullBatch), String($0)] } ?? []
    }

    package var runsCSV: String {
        let bucketColumns = bucketLabels.map { ",validation_loss_ranks_\($0)" }.joined()
        var lines = ["batch_size\(subsetColumns),optimizer,learning_rate,seed,purpose,final_train_loss,final_validation_loss,seconds" + bucketColumns]
        for run in runs {
            var cells = [String(run.batchSize)] + subsetFields(fullBatch: run.fullBatch) + [run.optimizer.rawValue, NumberText.exact(run.learningRate), String(run.seed),
                         run.purpose.rawValue, run.finalTrainLoss.map(NumberText.exact) ?? "diverged",
                         run.finalValidationLoss.map(NumberText.exact) ?? "diverged", String(format: "%.2f", run.seconds)]
            if !bucketLabels.isEmpty {
                cells += bucketLabels.indices.map { run.validationByBucket.indices.contains($0) ? NumberText.exact(run.validationByBucket[$0]) : "" }
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    package var summaryCSV: String {
        let bucketColumns = bucketLabels.map { ",mean_validation_loss_ranks_\($0)" }.joined()
        var lines = ["batch_size\(subsetColumns),optimizer,best_learning_rate,edge,grid,seeds,diverged,mean_validation_loss,half_width_95,lower_95,upper_95" + bucketColumns]
        for cell in cells {
            let best: String = cell.bestLearningRate.map(NumberText.exact) ?? "none"
            let grid: String = cell.grid.map { NumberText.exact($0.learningRate) }.joined(separator: ";")
            var fields: [String] = [String(cell.batchSize)] + subsetFields(fullBatch: cell.fullBatch) + [cell.optimizer.rawValue, best, String(cell.atEdge), grid,
                                    String(cell.losses.count), String(cell.diverged)]
            if let i = cell.interval {
                fields += [i.mean, i.halfWidth, i.mean - i.halfWidth, i.mean + i.halfWidth].map(NumberText.exact)
            } else {
                fields += ["", "", "", ""]
            }
            if !bucketLabels.isEmpty {
                fields += bucketLabels.indices.map { cell.bucketMeans.indices.contains($0) ? NumberText.exact(cell.bucketMeans[$0]) : "" }
            }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary as a Markdown table, with per-bucket means when measured.
    package var summaryMarkdown: String {
        let bucketHeader = bucketLabels.map { " | ranks \($0)" }.joined()
        var lines = trainingExamples.map { n in
            ["Trained on the first \(n) of the \(splitExamples ?? n) training examples; validated on the same held-out examples "
                + "as a sweep on all of them. B (full) is all \(n) every step: full-batch descent.", ""]
        } ?? []
        lines += ["| B | optimizer | best lr | final validation loss (mean ± 95 % t half-width, n) | grid\(bucketHeader) |",
                     "| --- | --- | --- | --- | ---" + String(repeating: " | ---", count: bucketLabels.count) + " |"]
        for cell in cells {
            let lr = cell.bestLearningRate.map { String(format: "%.3g", $0) + (cell.atEdge ? " (edge)" : "") } ?? "all diverged"
            let loss = cell.interval.map { i in
                String(format: "%.4f", i.mean) + (i.halfWidth.isNaN ? "" : String(format: " ± %.4f", i.halfWidth)) + " (n = \(i.count)"
                    + (cell.diverged > 0 ? ", \(cell.diverged) diverged)" : ")")
            } ?? "—"
            let grid = cell.grid.map { String(format: "%.3g", $0.learningRate) + ": " + ($0.loss.map { String(format: "%.3f", $0) } ?? "div") }
                .joined(separator: ", ")
            let buckets = bucketLabels.indices.map { cell.bucketMeans.indices.contains($0) ? String(format: " | %.3f", cell.bucketMeans[$0]) : " | —" }.joined()
            lines.append("| \(SweepBatch.shown(cell.batchSize, full: cell.fullBatch)) | \(cell.optimizer.rawValue) | \(lr) | \(loss) | \(grid)\(buckets) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Final validation loss against batch size (log axis), one line per
    /// optimizer through the means, with the 95 % t-intervals as error bars.
    package func figure(title: String) -> Figure {
        var axes = Axes(title: title, xLabel: "Batch size (same number of steps)", yLabel: "Final validation loss", xScale: .log10)
        let kinds = cells.map(\.optimizer).reduce(into: [OptimizerKind]()) { if !$0.contains($1) { $0.append($1) } }
        for (index, kind) in kinds.enumerated() {
            let points = cells.filter { $0.optimizer == kind }.compactMap { cell in cell.interval.map { (Double(cell.batchSize), $0) } }
            guard !points.isEmpty else { continue }
            let x = points.map(\.0), y = points.map(\.1.mean)
            axes.add(.line(x: x, y: y, label: kind.rawValue, style: .cycled(index)))
            let bars = points.filter { !$0.1.halfWidth.isNaN }
            if !bars.isEmpty {
                axes.add(.errorBars(x: bars.map(\.0), y: bars.map(\.1.mean), halfWidth: bars.map(\.1.halfWidth), style: .cycled(index)))
            }
        }
        return Figure(axes, width: 820, height: 560)
    }

    /// Writes runs.csv, summary.csv, summary.md and the figure (sweep.svg, in each of `formats`) into `directory`, all at once.
    package func write(to directory: String, title: String, formats: [FigureFormat] = [.svg]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let figures = try FigureFormat.convertingFigures([("sweep.svg", Data(figure(title: title).render().svg.utf8))], to: formats)
        let base = URL(fileURLWithPath: directory)
        var files = figures.map { (url: base.appendingPathComponent($0.name), data: $0.data) }
        files += [("runs.csv", runsCSV), ("summary.csv", summaryCSV), ("summary.md", summaryMarkdown)]
            .map { (url: base.appendingPathComponent($0.0), data: Data($0.1.utf8)) }
        try AtomicFile.writeAll(files)
    }
}
