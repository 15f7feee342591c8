import Foundation

/// The one error type of noisescope: a problem the caller can fix, said in one
/// line that names it and the fix.
///
/// Cases carry the values a program may want to act on (the step where
/// training diverged, the setting that is out of range, the file that cannot
/// be read); `description` is the sentence for people. Library messages name
/// settings by what they are ("the minibatch size"), never by a command-line
/// flag: the `noisescope` command maps `invalidSetting` to its flags.
public enum NoiseScopeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Data or a document that cannot be used as it is (a malformed cell, a damaged checkpoint …).
    case invalidInput(String)
    /// A setting out of range or inconsistent with the others; `setting` is its
    /// library name (a `Setting` raw value), `message` says what is wrong and what to do.
    case invalidSetting(Setting, message: String)
    /// A file or directory that cannot be read.
    case unreadable(path: String, reason: String)
    /// A file that cannot be written (the destination is untouched).
    case cannotWrite(path: String, reason: String)
    /// A text too short to hold one window of `contextLength` inputs plus the shifted target.
    case textTooShort(path: String, bytes: Int, needed: Int, contextLength: Int)
    /// A malformed line of the digits CSV.
    case malformedDigits(path: String, line: Int, reason: String)
    /// Training produced a non-finite loss at `step`.
    case diverged(step: Int, loss: Double)
    /// The caller asked to stop (a signal); `detail` says what was kept, and
    /// `resumeFrom` names the checkpoint to continue from, when there is one.
    case interrupted(detail: String, resumeFrom: String? = nil)

    /// A problem with the input, said in one line.
    public init(_ description: String) { self = .invalidInput(description) }
    public init(description: String) { self = .invalidInput(description) }

    /// The settings a library call can refuse, by their library names.
    public enum Setting: String, Sendable, CaseIterable {
        case batchSize = "minibatch size", samples = "sample count", fullGradientBatches = "full-gradient minibatches"
        case width, layers = "number of blocks", heads = "number of attention heads", context = "context length"
        case model, data, optimizer, learningRate = "learning rate", steps = "step count"
        case k = "k (upper order statistics)", top = "top (values the sketch keeps)"
        case column, field, format, invalidValues = "invalid-value policy", stream = "streaming", group = "layer group"
        case excluded = "excluded examples", learningRateGrid = "learning-rate grid", spectrumRank = "spectrum rank"
        case trainingExamples = "training example count"
    }

    public var description: String {
        switch self {
        case .invalidInput(let message): return message
        case .invalidSetting(_, let message): return message
        case let .unreadable(path, reason): return "cannot read \(Self.shown(path)): \(reason)"
        case let .cannotWrite(path, reason): return "cannot write \(Self.shown(path)): \(reason)"
        case let .textTooShort(path, bytes, needed, t):
            return "\(Self.shown(path)) has \(bytes) bytes, but one window of context \(t) needs at least \(needed) (\(t) inputs + 1 shifted target); use a longer text or a smaller context length"
        case let .malformedDigits(path, line, reason):
            return "\(Self.shown(path)), line \(line): \(reason) (expected 65 integers: 64 pixels 0...16, then a label 0...9)"
        case let .diverged(step, loss):
            return "training diverged at step \(step) (loss \(loss)); lower the learning rate or pick a clipping optimizer"
        case let .interrupted(detail, resumeFrom):
            return "stopped; \(detail)" + (resumeFrom.map { "; continue by resuming from \(Self.shown($0))" } ?? "")
        }
    }

    /// The reason for a failed system call.
    public static func reason(errno code: Int32) -> String { String(cString: strerror(code)) }

    static func shown(_ path: String) -> String { TerminalText.safeForTerminal(path, limit: 200) }
}
