/// One batch size of the sweep: a number of examples per step, or `full`:
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining
/// every example training draws from (the training subset, or the whole
/// training split), every step, which makes each optimizer its full-batch
/// (noise-free) version. Kunstner et al. (2023) find the Adam–SGD gap persists
/// there, so the sweep offers it as its last point.
package enum SweepBatch: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case examples(Int)
    case full

    package init(integerLiteral value: Int) { self = .examples(value) }

    /// "full" or an integer, as `--batches` takes them; nil otherwise (a
    /// count below 1 parses and is refused by the sweep's validation).
    package init?(argument: String) {
        if argument == "full" { self = .full } else if let count = Int(argument) { self = .examples(count) } else { return nil }
    }

    package var description: String {
        switch self {
        case .examples(let count): return String(count)
        case .full: return "full"
        }
    }

    /// A resolved batch as the log and summary.md show it: "512 (full)" for the full batch, "64" otherwise.
    package static func shown(_ size: Int, full: Bool) -> String { full ? "\(size) (full)" : String(size) }

    /// Examples per step when training draws from `trainingCount` examples.
    package func size(trainingCount: Int) -> Int {
        switch self {
        case .examples(let count): return count
        case .full: return trainingCount
        }
    }
}
