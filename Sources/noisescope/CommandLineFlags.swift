import NoiseScope
import NoiseScopeCore
import NoiseScopeStatistics

/// The one place where a library error becomes a flag name: the library
/// names a setting by what it is ("the minibatch size"); the command line
/// says which flag to change.
enum CommandLineFlags {
    static let flags: [NoiseScopeError.Setting: String] = [
        .batchSize: "--batch", .samples: "--samples", .fullGradientBatches: "--full-batches",
        .width: "--width", .layers: "--layers", .heads: "--heads", .context: "--context",
        .model: "--model", .data: "--data", .optimizer: "--optimizer", .learningRate: "--lr", .steps: "--steps",
        .k: "--k", .top: "--top", .column: "--column", .field: "--field", .format: "--format",
        .invalidValues: "--invalid", .stream: "--stream", .group: "--group", .excluded: "--exclude",
        .learningRateGrid: "--grid-factor", .spectrumRank: "--spectrum-rank",
        .trainingExamples: "--train-examples",
    ]

    /// The error's sentence, prefixed by the flag it is about when it is about one.
    static func message(for error: NoiseScopeError) -> String {
        switch error {
        case .invalidSetting(let setting, let message): return "\(flags[setting] ?? setting.rawValue): \(message)"
        case _ where error == StableIndexEstimator.unsignedSamples:
            return "--signed needs signed samples (per-coordinate noise); these are all ≥ 0, so they are magnitudes or norms: drop --signed"
        case let .diverged(step, loss): return "training diverged at step \(step) (loss \(loss)); lower --lr or pick a clipping optimizer"
        case let .interrupted(detail, resumeFrom?):
            return "stopped; \(detail); continue with --resume \(TerminalText.safeForTerminal(resumeFrom, limit: 300))"
        default: return error.description
        }
    }
}
