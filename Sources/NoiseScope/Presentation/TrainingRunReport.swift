import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
#if canImport(Glibc)
import Glibc
import NoiseScopeModels
import NoiseScopeTraining
#endif

/// `report` on a directory written by `noisescope train`: the loss curves,
/// the check on each noise snapshot, and the snapshots compared over training.
extension RunReportBuilder {
    func trainingRunReport(_ run: RunDirectory) throws -> RunReport {
        let loss = try run.samples("loss.csv", SampleReader(format: .csv, column: "train_loss")).values
        let validation = try run.samples("loss.csv", SampleReader(format: .csv, column: "validation_loss")).values
        let lossSteps = try run.samples("loss.csv", SampleReader(format: .csv, column: "step")).values
        var noiseFolder = stat()
        let folder = URL(fileURLWithPath: run.path).appendingPathComponent("noise").path
        let hasNoise = lstat(folder, &noiseFolder) == 0 && noiseFolder.st_mode & S_IFMT == S_IFDIR
        let snapshotFiles = hasNoise ? ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("step-") && $0.hasSuffix(".csv") }.sorted() : []
        var ordered: [Double] = [], steps: [Int] = []
        var rows: [(String, String)] = []
        var last: TailCheckReport?
        for name in snapshotFiles {
            guard let step = Int(name.dropFirst(5).dropLast(4)) else { continue }
            let norms = try run.samples("noise/" + name, SampleReader(format: .csv, column: "noise_norm")).values
            ordered += norms
            steps += Array(repeating: step, count: norms.count)
            if let report = try? TailCheck.run(norms.filter { $0 > 0 && $0.isFinite }, options: .init(seed: seed, bootstrapReplicates: 0)) {
                rows.append(("step \(step) (n = \(norms.count))", "\(report.verdict.rawValue): median \(String(format: "%.4g", report.summary.median)); \(report.verdictReason)"))
                last = report
            }
        }
        var tables: [RunReport.Table] = []
        if !rows.isEmpty { tables.append(.init(title: "Noise snapshots (the check on each)", rows: rows, wide: true)) }
        var panels = [TrajectoryFigures.seriesAxes(title: "Loss", yLabel: "Mean cross-entropy",
                                                   lines: [("train", lossSteps, loss), ("validation", lossSteps, validation)])]
        if snapshotFiles.count >= 2, let trajectory = TrajectoryWindows.analyse(ordered, steps: steps, count: snapshotFiles.count) {
            var overTraining = RunReport.Table.overTraining(trajectory)
            overTraining.wide = true
            tables.append(overTraining)
            panels.append(TrajectoryFigures.quantileAxes(trajectory, title: "Noise-norm quantiles per snapshot"))
        }
        let figure = Figure(title: "Training run", width: 1300, height: 460, rows: 1, columns: panels.count, panels: panels)
        var facts = ["\(lossSteps.count) loss rows, last at step \(Int(lossSteps.last ?? 0)): train \(String(format: "%.4f", loss.last ?? .nan)), validation \(String(format: "%.4f", validation.last ?? .nan))"]
        facts.append(snapshotFiles.isEmpty ? "no noise snapshots (train with --noise-every to record them)" : "\(snapshotFiles.count) noise snapshots; the verdict shown is the last one's")
        return RunReport(title: "Training run \(TerminalText.safeForTerminal(URL(fileURLWithPath: run.path).lastPathComponent, limit: 80))",
                         verdict: last?.verdict ?? .inconclusive,
                         verdictReason: last?.verdictReason ?? "no noise snapshot was recorded",
                         facts: facts, glance: last.map(RunReport.glance(for:)) ?? [], tables: tables + (last.map(RunReport.tables(for:)) ?? []),
                         figures: [("Loss curves and the noise over training.", figure.render().svg)])
    }
}
