import Foundation
import NoiseScopeCore

/// Progress on stderr with rate and time left, unless --quiet: on a terminal a
/// one-line bar redrawn in place; in a log or a pipe (a batch job, CI) a plain
/// line every `logInterval` seconds, so a long run shows it is alive without
/// filling the log. Runs shorter than that print nothing off a terminal.
package final class ProgressReporter {
    private let enabled: Bool
    private let terminal: Bool
    private var phaseStart = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var phase = ""
    /// Seconds between lines off a terminal.
    package static let logInterval: UInt64 = 5

    package init(quiet: Bool) {
        terminal = isatty(STDERR_FILENO) == 1
        enabled = !quiet
    }

    /// Reports `done` of `total` steps of `phase`.
    package func update(phase name: String, done: Int, total: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if name != phase {
            if !phase.isEmpty && terminal { StandardStreams.writeError("\n") }
            phase = name
            phaseStart = now
            lastDraw = now
        }
        guard terminal else {
            guard now - lastDraw >= Self.logInterval * 1_000_000_000, done < total else { return }
            lastDraw = now
            let elapsed = Double(now - phaseStart) / 1e9
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let left = rate > 0 ? Double(total - done) / rate : 0
            StandardStreams.writeError(String(format: "noisescope: %@ %d/%d (%.0f %%), %.3g/s, %@ left\n",
                                              name, done, total, 100 * Double(done) / Double(max(total, 1)), rate, Self.clock(left)))
            return
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

    package static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
