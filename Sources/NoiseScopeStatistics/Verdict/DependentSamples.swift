import NoiseScopeCore
import Foundation

/// Samples logged along a training trajectory are neither independent nor
/// identically distributed: neighbouring steps are alike. Their tail-index
/// interval then needs resampling that keeps that dependence: the moving-block
/// bootstrap (Künsch 1989) redraws blocks of L consecutive samples,
/// L = ⌈n^(1/3)⌉, and recomputes the reduced-bias Hill estimate at the same
/// k*; the estimate ± 1.96 standard deviations of those replicates widens the
/// interval. A standard deviation from R replicates is far steadier than their
/// 2.5 % and 97.5 % quantiles (relative Monte Carlo error about 1/√(2R)), and
/// the replicates draw from a fixed stream, not `--seed`: the verdict is a
/// function of the data, and changing an unrelated seed cannot flip it.
///
/// Samples logged in groups that share everything but the example (the
/// per-example noise of one recording step shares its ḡ_B and its
/// parameters) come with `groupStarts`: then a block is L = ⌈G^(1/3)⌉
/// consecutive groups of the G, so no group is ever cut.
package struct DependentSamples: Sendable {
    /// The samples in the order they were logged.
    package var ordered: [Double]
    package var replicates: Int
    /// Where each group of samples begins in `ordered` (ascending, from 0); nil: every sample its own.
    package var groupStarts: [Int]?

    package init(ordered: [Double], replicates: Int = 200, groupStarts: [Int]? = nil) {
        self.ordered = ordered; self.replicates = replicates
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

    /// The stream the replicates draw from: fixed, so the same data give the same interval.
    static let stream: UInt64 = 0xB10C

    /// γ̄(k*) ± 1.96 times the standard deviation of the block-bootstrap replicates of γ̄(k*).
    func bootstrapInterval(kStar: Int, n: Int, second: SecondOrderParameters, estimate: Double) -> Spread {
        let length = blockLength
        var estimates = [Double](repeating: .nan, count: replicates)
        estimates.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: replicates) { r in
                let data = OrderStatistics(samples: resample(RandomSource.substream(seed: Self.stream, index: r)))
                guard kStar < data.count else { return }
                output[r] = second.reducedBiasHill(data, n: n, k: kStar)
            }
        }
        let finite = estimates.filter(\.isFinite)
        let unitName = groupStarts == nil ? nil : "steps"
        guard finite.count >= 10 else { return Spread(blockLength: length, replicates: replicates, gammaInterval95: ClosedInterval(nil, nil), blockUnit: unitName) }
        let mean = finite.reduce(0, +) / Double(finite.count)
        let sd = (finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count - 1)).squareRoot()
        let z = 1.959963984540054
        return Spread(blockLength: length, replicates: replicates,
                      gammaInterval95: ClosedInterval(estimate - z * sd, estimate + z * sd), blockUnit: unitName)
    }
}

extension DependentSamples {
    /// Ferro & Segers' (2003) intervals estimator of the extremal index θ of the
    /// samples above `threshold`, in logged order: from the N exceedance times,
    /// the N − 1 gaps T, θ̂ = 2(ΣT)²/((N−1)ΣT²) when no gap exceeds 2, else
    /// 2(Σ(T−1))²/((N−1)Σ(T−1)(T−2)), capped at 1. Extremes of a trajectory come
    /// in clusters of about 1/θ; θ = 1 for independent samples. nil below 10 exceedances.
    package func extremalIndex(above threshold: Double) -> Double? {
        var times: [Int] = []
        for (t, x) in ordered.enumerated() where x > threshold { times.append(t) }
        guard times.count >= 10 else { return nil }
        let gaps = zip(times.dropFirst(), times).map { Double($0 - $1) }
        let m = Double(gaps.count)
        let theta: Double
        if gaps.max()! <= 2 {
            theta = 2 * pow(gaps.reduce(0, +), 2) / (m * gaps.reduce(0) { $0 + $1 * $1 })
        } else {
            let denominator = gaps.reduce(0) { $0 + ($1 - 1) * ($1 - 2) }
            guard denominator > 0 else { return nil }
            theta = 2 * pow(gaps.reduce(0) { $0 + $1 - 1 }, 2) / (m * denominator)
        }
        return theta.isFinite ? min(1, max(theta, 1 / Double(times.count))) : nil
    }

    /// How much wider a tail estimate's standard error is for these samples than
    /// for independent ones: 1/√θ̂, θ̂ the extremal index above the top 5 % (the
    /// effective number of independent extremes is about θ·k; exact for clusters
    /// of repeated values, a first-order approximation for other dependence).
    /// 1 when θ̂ is not estimable.
    package func standardErrorInflation(_ data: OrderStatistics, n: Int) -> (theta: Double?, inflation: Double) {
        let k = min(data.count - 1, max(20, n / 20))
        guard k >= 1, let theta = extremalIndex(above: data.value(k + 1)) else { return (nil, 1) }
        return (theta, 1 / theta.squareRoot())
    }
}
