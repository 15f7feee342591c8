import NoiseScopeCore
import Dispatch
import Foundation

extension DiscretePowerLawFitter {
    /// CSN's semi-parametric bootstrap for the discrete fit, as the continuous
    /// fit runs it (`PowerLawFitter.goodnessOfFit`): each replicate keeps n, draws
    /// from the fitted discrete power law with probability n_tail/n and from the
    /// observed values below xmin otherwise, and is refitted with its own xmin
    /// scan (or at the fixed xmin); p is the fraction of replicates whose KS
    /// distance is at least the observed one, sequential (Besag & Clifford):
    /// it stops once ⌈R/10⌉ replicates have reached it.
    func goodnessOfFit(_ sample: DiscreteSample, best: DiscretePowerLaw.Candidate, threads: Int? = nil) -> (p: Double, replicates: Int) {
        let workers = max(1, min(bootstrapReplicates, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        return SequentialPValue.estimate(observed: best.distance, planned: bootstrapReplicates, workers: workers) { range in
            bootstrapDistances(sample, best: best, threads: workers, replicates: range)
        }
    }

    /// The KS distance of each replicate's own fit, in replicate order (∞ where
    /// a replicate has no fit). Workers take replicates w, w + workers, …, each
    /// writing its own slot, so the result does not depend on the threads.
    func bootstrapDistances(_ sample: DiscreteSample, best: DiscretePowerLaw.Candidate, threads: Int? = nil,
                            replicates range: Range<Int>? = nil) -> [Double] {
        let range = range ?? 0..<bootstrapReplicates
        guard !range.isEmpty else { return [] }
        let workers = max(1, min(range.count, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        let sampler = DiscretePowerLawSampler(exponent: best.exponent, xmin: best.xmin)
        var distances = [Double](repeating: .nan, count: range.count)
        distances.withUnsafeMutableBufferPointer { distances in
            let output = distances
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var r = worker
                while r < range.count {
                    let replicate = replicateSample(sample, best: best, sampler: sampler, replicate: range.lowerBound + r)
                    output[r] = self.best(replicate)?.distance ?? .infinity
                    r += workers
                }
            }
        }
        return distances
    }

    /// Goodness-of-fit replicate `replicate`: n draws from its own SplitMix64
    /// substream of `seed`, in the order of `BootstrapReplicate.forEachUniform`
    /// (a uniform index J < n_tail picks the power law, drawn from one more
    /// uniform by `sampler`; otherwise J − n_tail is an observation below xmin,
    /// counted in ascending order). Same seed, same replicate.
    func replicateSample(_ sample: DiscreteSample, best: DiscretePowerLaw.Candidate, sampler: DiscretePowerLawSampler,
                         replicate: Int) -> DiscreteSample {
        let n = sample.count, m = sample.atLeast[best.first], bodyValues = best.first
        var bodyCounts = [Int](repeating: 0, count: bodyValues)
        var draws: [Double] = []
        draws.reserveCapacity(m + 4 * Int(Double(m).squareRoot()) + 16)
        /// The distinct value of observation t below xmin (ascending): the i with n − atLeast[i] ≤ t < n − atLeast[i + 1].
        func bodyValue(_ t: Int) -> Int {
            var low = 0, high = bodyValues - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if n - sample.atLeast[middle] <= t { low = middle } else { high = middle - 1 }
            }
            return low
        }
        BootstrapReplicate.forEachUniform(n: n, tailCount: m, seed: seed, replicate: replicate,
                                          paretoUniform: { draws.append(sampler.value($0)) },
                                          body: { bodyCounts[bodyValue($0)] += 1 })
        draws.sort()
        var values: [Double] = [], counts: [Int] = []
        for i in 0..<bodyValues where bodyCounts[i] > 0 {
            values.append(sample.values[i])
            counts.append(bodyCounts[i])
        }
        for x in draws {
            if x == values.last { counts[counts.count - 1] += 1 } else { values.append(x); counts.append(1) }
        }
        return DiscreteSample(values: values, counts: counts)
    }
}

/// Draws from the discrete power law p(x) = x^−a/ζ(a, xmin) by inversion:
/// `value(u)` is the largest integer x with P(X ≥ x) = ζ(a, x)/ζ(a, xmin) ≥ u,
/// so that a uniform u gives P(value ≥ x) = P(X ≥ x) exactly. The search starts
/// from CSN's continuous approximation x ≈ (xmin − ½) u^(−1/(a−1)) + ½, which
/// is rarely off by more than one, then gallops and bisects on the integers
/// with GSL's Hurwitz zeta. Values are censored at 2⁵² (a fitted a near 1 can
/// reach past the integers a double holds), as the continuous bootstrap censors
/// its Pareto draws at the largest double.
struct DiscretePowerLawSampler {
    let exponent: Double
    let xmin: Double
    let zetaMin: Double
    static let largest = 0x1p52

    init(exponent: Double, xmin: Double) {
        self.exponent = exponent
        self.xmin = xmin
        zetaMin = SpecialFunctions.hurwitzZeta(exponent, xmin)
    }

    func value(_ u: Double) -> Double {
        let target = u * zetaMin
        func reaches(_ x: Double) -> Bool { SpecialFunctions.hurwitzZeta(exponent, x) >= target }
        let guess = ((xmin - 0.5) * pow(u, -1 / (exponent - 1)) + 0.5).rounded(.down)
        // Invariant once bracketed: reaches(low), not reaches(high).
        var low = min(max(xmin, guess.isNaN ? xmin : guess), Self.largest), high: Double
        var step = 1.0
        if reaches(low) {
            high = min(low + step, Self.largest)
            while reaches(high) {
                low = high
                guard low < Self.largest else { return Self.largest }
                step *= 2
                high = min(low + step, Self.largest)
            }
        } else {
            // reaches(xmin) always holds: u < 1.
            high = low
            while true {
                low = max(xmin, high - step)
                if reaches(low) { break }
                high = low
                step *= 2
            }
        }
        while high - low > 1 {
            let middle = ((low + high) / 2).rounded(.down)
            if reaches(middle) { low = middle } else { high = middle }
        }
        return low
    }
}
