import NoiseScopeCore
import Foundation

/// Samples logged along a training trajectory are neither independent nor
/// identically distributed: neighbouring steps are alike. Their tail-index
/// interval then needs resampling that keeps that dependence: the moving-block
/// bootstrap (Künsch 1989) redraws blocks of L consecutive samples,
/// L = ⌈n^(1/3)⌉, and recomputes the reduced-bias Hill estimate at the same
/// k*; the 2.5 % and 97.5 % quantiles of those estimates widen the interval.
///
/// Samples logged in groups that share everything but the example (the
/// per-example noise of one recording step shares its ḡ_B and its
/// parameters) come with `groupStarts`: then a block is L = ⌈G^(1/3)⌉
/// consecutive groups of the G, so no group is ever cut.
package struct DependentSamples: Sendable {
    /// The samples in the order they were logged.
    package var ordered: [Double]
    package var replicates: Int
    package var seed: UInt64
    /// Where each group of samples begins in `ordered` (ascending, from 0); nil: every sample its own.
    package var groupStarts: [Int]?

    package init(ordered: [Double], replicates: Int = 200, seed: UInt64 = 0, groupStarts: [Int]? = nil) {
        self.ordered = ordered; self.replicates = replicates; self.seed = seed
        self.groupStarts = groupStarts.flatMap { starts in
            // Usable only as a strictly increasing list from 0 inside the samples.
            starts.first == 0 && zip(starts, starts.dropFirst()).allSatisfy { $0 < $1 } && (starts.last ?? 0) < ordered.count ? starts : nil
        }
    }

    /// What the block bootstrap found.
    package struct Spread: Codable, Equatable, Sendable {
        package var blockLength: Int
        package var replicates: Int
        package var gammaInterval95: ClosedInterval
        /// "samples", or "steps" when the blocks are runs of whole groups.
        package var blockUnit: String? = nil
        enum CodingKeys: String, CodingKey { case replicates, blockLength = "block_length", gammaInterval95 = "gamma_ci95", blockUnit = "block_unit" }
    }

    /// L: samples per block, or groups per block with `groupStarts`.
    package var blockLength: Int { max(1, Int(pow(Double(groupStarts?.count ?? ordered.count), 1.0 / 3).rounded(.up))) }

    /// Unit u of the trajectory (a sample, or a group): its range in `ordered`.
    func unit(_ u: Int) -> Range<Int> {
        guard let starts = groupStarts else { return u..<(u + 1) }
        return starts[u]..<(u + 1 < starts.count ? starts[u + 1] : ordered.count)
    }

    /// One block-bootstrap replicate: blocks of L consecutive units (samples,
    /// or whole groups) from uniform starts, joined until n samples, the last block cut.
    func resample(_ random: RandomSource) -> [Double] {
        let length = blockLength, count = ordered.count, units = groupStarts?.count ?? count
        var sample: [Double] = []
        sample.reserveCapacity(count)
        while sample.count < count {
            let start = random.index(below: max(1, units - length + 1))
            let first = unit(start).lowerBound, last = unit(min(start + length, units) - 1).upperBound
            sample += ordered[first..<last].prefix(count - sample.count)
        }
        return sample
    }

    func bootstrapInterval(kStar: Int, n: Int, second: SecondOrderParameters) -> Spread {
        let length = blockLength
        var estimates = [Double](repeating: .nan, count: replicates)
        estimates.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: replicates) { r in
                let data = OrderStatistics(samples: resample(RandomSource.substream(seed: seed ^ 0xB10C, index: r)))
                guard kStar < data.count else { return }
                output[r] = second.reducedBiasHill(data, n: n, k: kStar)
            }
        }
        let sorted = estimates.filter(\.isFinite).sorted()
        let unitName = groupStarts == nil ? nil : "steps"
        guard sorted.count >= 10 else { return Spread(blockLength: length, replicates: replicates, gammaInterval95: ClosedInterval(nil, nil), blockUnit: unitName) }
        let low = sorted[Int(0.025 * Double(sorted.count - 1))], high = sorted[Int((0.975 * Double(sorted.count - 1)).rounded(.up))]
        return Spread(blockLength: length, replicates: replicates, gammaInterval95: ClosedInterval(low, high), blockUnit: unitName)
    }
}
