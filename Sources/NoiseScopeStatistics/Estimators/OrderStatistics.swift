import Foundation

/// Positive samples sorted from the largest down, with running sums of their
/// logarithms, so that every tail estimator can evaluate any number k of upper
/// order statistics in (nearly) constant time.
///
/// Indexing follows the textbooks: `value(1)` is the maximum X(1),
/// `value(n)` the minimum X(n).
///
/// Memory is 8 bytes a value and one byte more: the logarithms are taken when
/// asked for, and the running sums Σ log X(i) and Σ (log X(i))² are kept at
/// every 16th position only, the rest added on from there in the same order,
/// so they are bit for bit the sums of a full prefix array. At 10⁷ samples
/// that is 90 MB, where arrays of logarithms and both sums would add 240 MB.
/// Below `logsKeptBelow` samples the logarithms are kept too (2 MB at most):
/// the exact xmin scan, used up to 2·10⁵ samples, reads them over and over.
package struct OrderStatistics: Sendable {
    /// Values sorted in descending order.
    package let descending: [Double]
    /// Σ_{i≤16j} log X(i) and Σ_{i≤16j} (log X(i))², j = 0 … n/16.
    private let logSums: [Double]
    private let logSquareSums: [Double]
    /// log X(i), kept only below `logsKeptBelow` samples (else empty).
    private let logs: [Double]
    static let logsKeptBelow = 1 << 18
    /// log2 of the checkpoint stride.
    static let strideShift = 4

    /// n.
    package var count: Int { descending.count }

    /// Sorts `samples` (all must be positive and finite; `SampleCleaner` ensures it).
    package init(samples: [Double]) {
        precondition(samples.allSatisfy { $0 > 0 && $0.isFinite }, "OrderStatistics needs positive finite samples")
        self.init(sortedDescending: samples.sorted(by: >))
    }

    /// Wraps values that are already sorted from the largest down (their
    /// storage is shared, not copied).
    package init(sortedDescending: [Double]) {
        self.init(sortedDescending: sortedDescending, keepingLogsBelow: Self.logsKeptBelow)
    }

    /// `keepingLogsBelow`: keep the logarithms when there are fewer samples than
    /// this (the tests set 0 to check that taking them anew gives the same bits).
    init(sortedDescending: [Double], keepingLogsBelow threshold: Int) {
        descending = sortedDescending
        let checkpoints = (sortedDescending.count >> Self.strideShift) + 1
        var sums = [Double](repeating: 0, count: checkpoints)
        var squares = sums
        var s1 = 0.0, s2 = 0.0
        var logs: [Double] = []
        if sortedDescending.count < threshold { logs.reserveCapacity(sortedDescending.count) }
        sortedDescending.withUnsafeBufferPointer { values in
            for i in 0..<values.count {
                let l = Foundation.log(values[i])
                if values.count < threshold { logs.append(l) }
                s1 = s1 + l
                s2 = s2 + l * l
                if (i + 1) & ((1 << Self.strideShift) - 1) == 0 {
                    sums[(i + 1) >> Self.strideShift] = s1
                    squares[(i + 1) >> Self.strideShift] = s2
                }
            }
        }
        logSums = sums
        logSquareSums = squares
        self.logs = logs
    }

    /// X(i), 1-based: X(1) is the largest.
    @inline(__always) package func value(_ i: Int) -> Double { descending[i - 1] }

    /// log X(i), 1-based.
    @inline(__always) package func logValue(_ i: Int) -> Double {
        logs.isEmpty ? Foundation.log(descending[i - 1]) : logs[i - 1]
    }

    /// Σ_{i≤16j} log X(i) (`prefixLogSum`, for the xmin scan, adds on from here).
    func logSumCheckpoint(_ j: Int) -> Double { logSums[j] }

    /// Σ_{i≤k} log X(i) and Σ_{i≤k} (log X(i))² together, for the moments:
    /// added in index order from the checkpoint at or below k, as `prefixLogSum` adds.
    func prefixSums(_ k: Int) -> (first: Double, second: Double) {
        let checkpoint = k >> Self.strideShift
        var s1 = logSums[checkpoint], s2 = logSquareSums[checkpoint]
        var i = checkpoint << Self.strideShift
        while i < k {
            let l = logValue(i + 1)
            s1 = s1 + l
            s2 = s2 + l * l
            i += 1
        }
        return (s1, s2)
    }

    /// The first two moments of the log-excesses over X(k+1):
    /// M1 = (1/k) Σ_{i≤k} (log X(i) − log X(k+1)), M2 = (1/k) Σ (…)².
    /// M1 is Hill's γ̂; M2 feeds the moment estimator and the double bootstrap.
    package func logExcessMoments(k: Int) -> (first: Double, second: Double) {
        precondition(k >= 1 && k < count, "k must be in 1..<n")
        let threshold = logValue(k + 1)
        let kk = Double(k)
        let (s1, s2) = prefixSums(k)
        let first = s1 / kk - threshold
        // Σ (l − t)² = S2 − 2 t S1 + k t²; clamp the rounding error at ties.
        let second = max(0, s2 / kk - 2 * threshold * s1 / kk + threshold * threshold)
        return (first, second)
    }
}
