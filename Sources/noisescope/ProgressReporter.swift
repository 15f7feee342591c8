import Foundation

/// A one-line progress bar on stderr with rate and time left, drawn only when
/// stderr is a terminal (logs and pipes stay clean) and not with --quiet.
final class ProgressReporter {
    private let enabled: Bool
    private var phaseStart = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var phase = ""

    init(quiet: Bool) { enabled = !quiet && isatty(STDERR_FILENO) == 1 }

    /// Reports `done` of `total` steps of `phase`.
    func update(phase name: String, done: Int, total: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if name != phase {
            if !phase.isEmpty { StandardStreams.writeError("\n") }
            phase = name
            phaseStart = now
        }
        guard done == total || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let elapsed = Double(now - phaseStart) / 1e9
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %@ %d/%d  %.0f/s  %@ left ", name, bar, done, total, rate, Self.clock(left))
        StandardStreams.writeError(line)
        if done == total { StandardStreams.writeError("\n"); phase = "" }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
