import NoiseScopeCore
import Foundation

/// Samples logged along a training trajectory are neither independent nor
/// identically distributed: neighbouring steps are alike. Their tail-index
/// interval then needs resampling that keeps that dependence: the moving-block
/// bootstrap (Künsch 1989) redraws blocks of L consecutive samples,
/// L = ⌈n^(1/3)⌉, and recomputes the reduced-bias Hill estimate at the same
/// k*; the 2.5 % and 97.5 % quantiles of those estimates widen the interval.
public struct DependentSamples: Sendable {
    /// The samples in the order they were logged.
    public var ordered: [Double]
    public var replicates: Int
    public var seed: UInt64

    public init(ordered: [Double], replicates: Int = 200, seed: UInt64 = 0) {
        self.ordered = ordered; self.replicates = replicates; self.seed = seed
    }

    /// What the block bootstrap found.
    public struct Spread: Codable, Equatable, Sendable {
        public var blockLength: Int
        public var replicates: Int
        public var gammaInterval95: ClosedInterval
        enum CodingKeys: String, CodingKey { case replicates, blockLength = "block_length", gammaInterval95 = "gamma_ci95" }
    }

    public var blockLength: Int { max(1, Int(pow(Double(ordered.count), 1.0 / 3).rounded(.up))) }

    func bootstrapInterval(kStar: Int, n: Int, second: SecondOrderParameters) -> Spread {
        let length = blockLength, count = ordered.count
        var estimates = [Double](repeating: .nan, count: replicates)
        estimates.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: replicates) { r in
                let random = RandomSource.substream(seed: seed ^ 0xB10C, index: r)
                var sample: [Double] = []
                sample.reserveCapacity(count)
                while sample.count < count {
                    let start = random.index(below: max(1, count - length + 1))
                    sample += ordered[start..<min(start + length, count)].prefix(count - sample.count)
                }
                let data = OrderStatistics(samples: sample)
                guard kStar < data.count else { return }
                output[r] = second.reducedBiasHill(data, n: n, k: kStar)
            }
        }
        let sorted = estimates.filter(\.isFinite).sorted()
        guard sorted.count >= 10 else { return Spread(blockLength: length, replicates: replicates, gammaInterval95: ClosedInterval(nil, nil)) }
        let low = sorted[Int(0.025 * Double(sorted.count - 1))], high = sorted[Int((0.975 * Double(sorted.count - 1)).rounded(.up))]
        return Spread(blockLength: length, replicates: replicates, gammaInterval95: ClosedInterval(low, high))
    }
}
