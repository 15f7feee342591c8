import Foundation

/// Positive samples sorted from the largest down, with their logarithms and
/// running sums of logarithms, so that every tail estimator can evaluate any
/// number k of upper order statistics in constant time.
///
/// Indexing follows the textbooks: `value(1)` is the maximum X(1),
/// `value(n)` the minimum X(n).
public struct OrderStatistics: Sendable {
    /// Values sorted in descending order.
    public let descending: [Double]
    /// log of each value, same order.
    public let logDescending: [Double]
    /// prefixLogSum[k] = Σ_{i≤k} log X(i); prefixLogSum[0] = 0.
    let prefixLogSum: [Double]
    /// prefixLogSquareSum[k] = Σ_{i≤k} (log X(i))².
    let prefixLogSquareSum: [Double]

    /// n; `descending` is empty in the bootstrap's scan-only replicates.
    public let count: Int

    /// Sorts `samples` (all must be positive and finite; `SampleCleaner` ensures it).
    public init(samples: [Double]) {
        precondition(samples.allSatisfy { $0 > 0 && $0.isFinite }, "OrderStatistics needs positive finite samples")
        self.init(sortedDescending: samples.sorted(by: >))
    }

    /// Wraps values that are already sorted from the largest down.
    public init(sortedDescending: [Double]) {
        descending = sortedDescending
        count = sortedDescending.count
        logDescending = sortedDescending.map { Foundation.log($0) }
        var sum = [Double](repeating: 0, count: sortedDescending.count + 1)
        var squares = sum
        for (i, l) in logDescending.enumerated() {
            sum[i + 1] = sum[i] + l
            squares[i + 1] = squares[i] + l * l
        }
        prefixLogSum = sum
        prefixLogSquareSum = squares
    }

    /// For the goodness-of-fit bootstrap's replicates, which are assembled in
    /// descending order as their logarithms: nothing is sorted or recomputed,
    /// and neither the values nor the running sums of squared logarithms are
    /// kept, because the xmin scan (given its tie ends) reads neither: only
    /// `count`, `logValue` and `prefixLogSum` may be used on such a value.
    init(scanOnly count: Int, logDescending: [Double], prefixLogSum: [Double]) {
        descending = []
        self.count = count
        self.logDescending = logDescending
        self.prefixLogSum = prefixLogSum
        prefixLogSquareSum = []
    }

    /// X(i), 1-based: X(1) is the largest.
    @inline(__always) public func value(_ i: Int) -> Double { descending[i - 1] }

    /// log X(i), 1-based.
    @inline(__always) public func logValue(_ i: Int) -> Double { logDescending[i - 1] }

    /// The first two moments of the log-excesses over X(k+1):
    /// M1 = (1/k) Σ_{i≤k} (log X(i) − log X(k+1)), M2 = (1/k) Σ (…)².
    /// M1 is Hill's γ̂; M2 feeds the moment estimator and the double bootstrap.
    public func logExcessMoments(k: Int) -> (first: Double, second: Double) {
        precondition(k >= 1 && k < count, "k must be in 1..<n")
        let threshold = logValue(k + 1)
        let kk = Double(k)
        let s1 = prefixLogSum[k], s2 = prefixLogSquareSum[k]
        let first = s1 / kk - threshold
        // Σ (l − t)² = S2 − 2 t S1 + k t²; clamp the rounding error at ties.
        let second = max(0, s2 / kk - 2 * threshold * s1 / kk + threshold * threshold)
        return (first, second)
    }
}
