import NoiseScopeCore
import Dispatch
import Foundation

/// Chooses the number k of upper order statistics for Hill's estimator by the
/// double bootstrap of Danielsson, de Haan, Peng & de Vries (2001).
///
/// The asymptotic mean-squared error of Hill's γ̂ is estimated through the
/// statistic (M2 − 2·M1²)², whose mean vanishes when the bias does, on
/// bootstrap resamples of two sizes n1 = n^ε and n2 = n1²/n; the two minimising
/// k's combine into k* = (k1²/k2)·ρ. Defaults follow the reference
/// implementation of Voitalov et al. (2019, "tail-estimation"): t = 0.5
/// (ε = ½(1 + log(t√n)/log n)) and 500 resamples per size.
package struct DoubleBootstrap: Sendable {
    /// Resamples for each of the two bootstrap sizes.
    package var resamples: Int = 500
    /// Fraction t in n1 = n^ε with ε = ½(1 + log(t√n)/log n).
    package var sizeFraction: Double = 0.5
    /// Seed of the resampling streams (replicate b uses substream b: results do
    /// not depend on the thread schedule).
    package var seed: UInt64 = 0

    package init(resamples: Int = 500, sizeFraction: Double = 0.5, seed: UInt64 = 0) {
        self.resamples = resamples
        self.sizeFraction = sizeFraction
        self.seed = seed
    }

    /// The outcome: the chosen k and how it was reached.
    package struct Choice: Codable, Equatable, Sendable {
        package var k: Int
        /// "double-bootstrap", or "sqrt(n)" when n is too small for two bootstrap sizes.
        package var method: String
        package var k1: Int?
        package var k2: Int?
        package var n1: Int?
        package var n2: Int?
    }

    /// The smallest n for which the two bootstrap sizes leave room to choose k.
    package static let minimumSampleCount = 100

    /// Chooses k for `data`; falls back to k = ⌈√n⌉ below `minimumSampleCount`.
    package func chooseK(_ data: OrderStatistics) -> Choice {
        let n = data.count
        let fallback = Choice(k: max(1, min(n - 1, Int(Double(n).squareRoot().rounded(.up)))),
                              method: "sqrt(n)", k1: nil, k2: nil, n1: nil, n2: nil)
        guard n >= Self.minimumSampleCount else { return fallback }
        let nd = Double(n)
        let epsilon = 0.5 * (1 + log((sizeFraction * nd.squareRoot()).rounded(.down)) / log(nd))
        let n1 = Int(pow(nd, epsilon))
        let n2 = Int(Double(n1) * Double(n1) / nd)
        guard n2 >= 4, n1 < n else { return fallback }
        let k1 = minimisingK(data, size: n1, streamOffset: 0)
        let k2 = minimisingK(data, size: n2, streamOffset: resamples)
        let logN1 = log(Double(n1)), logK1 = log(Double(k1))
        let rho = pow(logK1 / (2 * logN1 - logK1), 2 * (logN1 - logK1) / logN1)
        let kStar = Double(k1) * Double(k1) / Double(k2) * rho
        let k = kStar.isFinite ? min(n - 1, max(2, Int(kStar.rounded()))) : fallback.k
        return Choice(k: k, method: "double-bootstrap", k1: k1, k2: k2, n1: n1, n2: n2)
    }

    /// argmin over k ∈ [2, size−1] of the bootstrap mean of (M2 − 2 M1²)².
    func minimisingK(_ data: OrderStatistics, size: Int, streamOffset: Int) -> Int {
        // A fixed number of chunks, summed in order: the same bytes on 1 or 2 cores.
        let chunkCount = 8
        var chunkSums = [[Double]](repeating: [], count: chunkCount)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            var sum = [Double](repeating: 0, count: size)
            var logs = [Double](repeating: 0, count: size)
            var spacings = [Double](repeating: 0, count: size + 1)
            for replicate in stride(from: chunk, to: resamples, by: chunkCount) {
                let random = RandomSource.substream(seed: seed, index: streamOffset + replicate)
                drawSortedResample(data, into: &logs, spacings: &spacings, random: random)
                accumulateCriterion(logs: logs, into: &sum)
            }
            lock.lock()
            chunkSums[chunk] = sum
            lock.unlock()
        }
        var total = [Double](repeating: 0, count: size)
        for chunk in chunkSums { for i in 0..<size { total[i] += chunk[i] } }
        var bestK = 2
        for k in 2..<size where total[k] < total[bestK] { bestK = k }
        return bestK
    }

    /// A resample with replacement, already sorted: uniform order statistics from
    /// normalised exponential spacings pick indices in ascending order, which on
    /// descending data are the resample's values from the largest down. O(size), no sort.
    func drawSortedResample(_ data: OrderStatistics, into logs: inout [Double], spacings: inout [Double], random: RandomSource) {
        let size = logs.count
        var total = 0.0
        for i in 0...size {
            total += random.exponential()
            spacings[i] = total
        }
        let n = data.count
        for i in 0..<size {
            let index = min(n - 1, Int(spacings[i] / total * Double(n)))
            logs[i] = data.logValue(index + 1)
        }
    }

    /// Adds (M2(k) − 2·M1(k)²)² for k = 1..size−1 to `sum[k]`.
    func accumulateCriterion(logs: [Double], into sum: inout [Double]) {
        var s1 = 0.0, s2 = 0.0
        for k in 1..<logs.count {
            let l = logs[k - 1]
            s1 += l
            s2 += l * l
            let threshold = logs[k], kk = Double(k)
            let m1 = s1 / kk - threshold
            let m2 = s2 / kk - 2 * threshold * s1 / kk + threshold * threshold
            let criterion = m2 - 2 * m1 * m1
            sum[k] += criterion * criterion
        }
    }
}
