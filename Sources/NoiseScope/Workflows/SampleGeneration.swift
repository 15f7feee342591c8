import Foundation
import NoiseScopeCore
import NoiseScopeStatistics

/// `noisescope generate`: samples of a known tail written one a line, exactly
/// (`NumberText.exact`), in chunks so that 10⁸ of them stream through a pipe in
/// bounded memory. A file goes to a temporary name first and is renamed only
/// when complete, so a stopped run leaves nothing half-written.
package enum SampleGeneration {
    /// What was written that is not a finite number.
    package struct Outcome: Equatable, Sendable {
        /// Draws beyond the largest double, written as inf or -inf.
        package var overflowed = 0
        /// Draws that are not numbers (the generator's arithmetic overflowed), written as nan.
        package var undefined = 0
    }

    /// Writes `count` draws of `distribution` from `seed` to `path`, or through
    /// `write` (standard output) when `path` is nil.
    package static func write(_ distribution: SyntheticDistribution, count: Int, seed: UInt64, to path: String?,
                              write: (Data) -> Void, shouldStop: () -> Bool = { false }) throws -> Outcome {
        let random = RandomSource(seed: seed)
        let file = try path.map { try AtomicFile.Writer(path: $0) }
        var outcome = Outcome()
        var remaining = count
        while remaining > 0 {
            if shouldStop() { throw NoiseScopeError.interrupted(detail: "nothing was written") }
            let chunk = min(remaining, 100_000)
            var text = ""
            text.reserveCapacity(chunk * 24)
            for _ in 0..<chunk {
                let x = distribution.draw(random)
                if x.isNaN { outcome.undefined += 1 } else if !x.isFinite { outcome.overflowed += 1 }
                text += NumberText.exact(x) + "\n"
            }
            if let file { try file.append(Data(text.utf8)) } else { write(Data(text.utf8)) }
            remaining -= chunk
        }
        try file?.commit()
        return outcome
    }
}
