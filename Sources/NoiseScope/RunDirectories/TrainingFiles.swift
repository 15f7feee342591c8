import Foundation
import NoiseScopeCore
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot

/// The CSV files of a training run, and reading them back when resuming.
package enum TrainingFiles {
    package static func lossCSV(_ rows: [Trainer.LossRow]) -> String {
        (["step,train_loss,validation_loss"] + rows.map { "\($0.step),\(NumberText.exact($0.trainLoss)),\(NumberText.exact($0.validationLoss))" })
            .joined(separator: "\n") + "\n"
    }

    /// Rows of an existing loss.csv up to `step` (those a resumed run keeps).
    package static func previousRows(in directory: String, upTo step: Int) throws -> [Trainer.LossRow] {
        guard step > 0, let text = try? String(contentsOfFile: directory + "/loss.csv", encoding: .utf8) else { return [] }
        let lines: [Substring] = text.split(separator: "\n")
        return lines[1...].compactMap { line -> Trainer.LossRow? in
            let cells = line.split(separator: ",").map(String.init)
            guard cells.count == 3, let s = Int(cells[0]), let t = Double(cells[1]), let v = Double(cells[2]), s <= step else { return nil }
            return Trainer.LossRow(step: s, trainLoss: t, validationLoss: v)
        }
    }

    /// noise/step-NNNNNN.csv: the noise norms of one snapshot; and
    /// noise/groups-NNNNNN.csv: the same minibatches' noise restricted to each
    /// layer group (embeddings, attention, mlp, norms, head, …), one column a
    /// group, whose squares sum to the square of the whole norm. Written atomically.
    package static func writeSnapshot(_ measurement: NoiseMeasurement, step: Int, in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/noise", withIntermediateDirectories: true)
        try AtomicFile.write(NumberText.csv(header: "noise_norm", rows: measurement.noiseNorms.map(NumberText.exact)),
                             to: URL(fileURLWithPath: directory + String(format: "/noise/step-%06d.csv", step)))
        guard !measurement.groupNames.isEmpty, measurement.noiseNormsByGroup.count == measurement.noiseNorms.count else { return }
        try AtomicFile.write(NumberText.csv(header: measurement.groupNames.joined(separator: ","),
                                            rows: measurement.noiseNormsByGroup.map { $0.map(NumberText.exact).joined(separator: ",") }),
                             to: URL(fileURLWithPath: directory + String(format: "/noise/groups-%06d.csv", step)))
    }

    package static let snapshotHeader = "step,median,excess_kurtosis,q99_over_median,max_over_median,hill_alpha,gpd_xi,verdict"

    package static func snapshotRow(step: Int, norms: [Double], seed: UInt64) throws -> String {
        let shape = ReferenceComparison.Shape(norms)
        let report = try TailCheck.run(norms.filter { $0 > 0 && $0.isFinite }, options: .init(seed: seed, bootstrapReplicates: 0))
        let values = [report.summary.median, shape.excessKurtosis, shape.q99OverMedian, shape.maxOverMedian,
                      report.hill.alpha ?? .nan, report.evidence.gpd?.xi ?? .nan].map(NumberText.exact)
        return ([String(step)] + values + [report.verdict.rawValue]).joined(separator: ",")
    }

    package static func snapshotsCSV(_ rows: [String]) -> String { ([snapshotHeader] + rows).joined(separator: "\n") + "\n" }

    package static func previousSnapshots(in directory: String, upTo step: Int) throws -> [String] {
        guard step > 0, let text = try? String(contentsOfFile: directory + "/noise/snapshots.csv", encoding: .utf8) else { return [] }
        let lines: [Substring] = text.split(separator: "\n")
        return lines[1...].map(String.init).filter { Int($0.split(separator: ",").first ?? "") ?? .max <= step }
    }
}
