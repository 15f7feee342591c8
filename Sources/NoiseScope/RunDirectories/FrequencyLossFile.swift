import Foundation
import NoiseScopeCore
import NoiseScopeTraining
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics

/// loss_by_frequency.csv of a training run: one line per evaluation, split
/// (train: the fixed training sample; validation: the held-out windows) and
/// frequency bucket, with the bucket's ranks, its share of the training
/// split's targets, the target positions measured and their mean loss.
package enum FrequencyLossFile {
    package static let name = "loss_by_frequency.csv"
    package static let header = "step,split,bucket,ranks,training_share,positions,loss"

    package static func lines(_ row: FrequencyLossRow, buckets: FrequencyBuckets) -> [String] {
        var lines: [String] = []
        for (split, losses) in [("train", row.training), ("validation", row.validation)] {
            for (b, loss) in losses.enumerated() {
                lines.append("\(row.step),\(split),\(b + 1),\(buckets.labels[b]),\(NumberText.exact(buckets.trainingShares[b])),\(loss.count),\(NumberText.exact(loss.mean))")
            }
        }
        return lines
    }

    package static func csv(_ lines: [String]) -> String { ([header] + lines).joined(separator: "\n") + "\n" }

    /// Lines of an existing file up to `step` (those a resumed run keeps).
    package static func previousLines(in directory: String, upTo step: Int) -> [String] {
        guard step > 0, let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().map(String.init).filter { Int($0.split(separator: ",").first ?? "") ?? .max <= step }
    }
}
