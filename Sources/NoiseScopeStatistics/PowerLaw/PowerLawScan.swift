import Foundation

/// A candidate of the xmin scan: the fitted law for the tail of size m,
/// xmin = X(m), tail index β, and its KS distance.
struct PowerLawCandidate: Equatable {
    var tailCount: Int
    var tailIndex: Double
    var distance: Double
}

/// What the xmin scan reads of a sample sorted from the largest down: the
/// values (to find ties), their logarithms and the running sums of those.
/// The observed sample (`OrderStatistics`) and the bootstrap's replicates
/// (`BootstrapReplicate.Layout`) both provide them without an array per
/// position beyond what they already hold.
protocol DescendingSample {
    /// n.
    var count: Int { get }
    /// X(p), 1-based, X(1) the largest.
    func value(_ p: Int) -> Double
    /// log X(p).
    func logValue(_ p: Int) -> Double
    /// Σ_{i≤16j} log X(i), the running sum kept at every 16th position
    /// (`OrderStatistics.strideShift`).
    func logSumCheckpoint(_ j: Int) -> Double
}

extension DescendingSample {
    /// Σ_{i≤m} log X(i) (0 for m = 0): the checkpoint at or below m, then the
    /// rest added in index order, so that every sample gives bit for bit the
    /// sums of a full prefix array.
    func prefixLogSum(_ m: Int) -> Double {
        let checkpoint = m >> OrderStatistics.strideShift
        var sum = logSumCheckpoint(checkpoint)
        var p = checkpoint << OrderStatistics.strideShift
        while p < m {
            p += 1
            sum = sum + logValue(p)
        }
        return sum
    }
}

extension OrderStatistics: DescendingSample {}

/// The Clauset–Shalizi–Newman xmin scan for a continuous power law: for each
/// candidate xmin, the maximum-likelihood tail index of the samples ≥ xmin and
/// the Kolmogorov–Smirnov distance between those samples and the fitted law;
/// the candidate with the smallest distance wins.
///
/// Candidates are the distinct sample values; a candidate is named by the size
/// m of the tail it leaves (the m largest samples, X(1) … X(m)), so the
/// candidates are the ends of the groups of tied values. Groups are found
/// where they are needed, by galloping over the sorted values, not stored.
/// The scan is exact: a candidate's KS distance stops being computed as soon
/// as it exceeds the best distance so far, which cannot change the winner but
/// skips most of the O(n²) work.
struct PowerLawScan<Sample: DescendingSample> {
    let data: Sample

    init(data: Sample) {
        precondition(data.count < Int(UInt32.max), "the xmin scan counts positions in 32 bits")
        self.data = data
    }

    /// The last position holding the same value as X(p): p itself unless X(p + 1) ties with it.
    @inline(__always) func tieEnd(_ p: Int) -> Int {
        let n = data.count
        guard p < n else { return n }
        let v = data.value(p)
        guard data.value(p + 1) == v else { return p }
        var equal = p + 1, step = 1
        var beyond = equal + step
        while beyond <= n && data.value(beyond) == v {
            equal = beyond
            step <<= 1
            beyond = equal + step
        }
        beyond = min(beyond, n + 1)
        while beyond - equal > 1 {
            let middle = (equal + beyond) / 2
            if data.value(middle) == v { equal = middle } else { beyond = middle }
        }
        return equal
    }

    /// The first position holding the same value as X(p).
    func groupStart(_ p: Int) -> Int {
        guard p > 1 else { return 1 }
        let v = data.value(p)
        guard data.value(p - 1) == v else { return p }
        var equal = p - 1, step = 1
        var beyond = equal - step
        while beyond >= 1 && data.value(beyond) == v {
            equal = beyond
            step <<= 1
            beyond = equal - step
        }
        beyond = max(beyond, 0)
        while equal - beyond > 1 {
            let middle = (equal + beyond) / 2
            if data.value(middle) == v { equal = middle } else { beyond = middle }
        }
        return equal
    }

    /// The smallest candidate tail size: as in plfit and the `powerlaw`
    /// package, the two largest distinct values are not candidates (a tail
    /// needs at least three distinct values), and neither is a tail smaller
    /// than `minimumTailCount`. nil when no candidate is left.
    func firstCandidate(minimumTailCount: Int) -> Int? {
        let n = data.count
        var end = 0
        for _ in 0..<3 {
            guard end < n else { return nil }
            end = tieEnd(end + 1)
        }
        if minimumTailCount > end {
            guard minimumTailCount <= n else { return nil }
            end = tieEnd(minimumTailCount)
        }
        return end
    }

    /// The candidates from `high` down to `low` (both group ends).
    func candidatesDescending(from high: Int, to low: Int) -> UnfoldSequence<Int, (Int?, Bool)> {
        sequence(first: high) { m in
            let previous = groupStart(m) - 1
            return previous >= low ? previous : nil
        }
    }

    /// The candidates from `low` up to `high`, stopping after `limit`.
    func candidatesAscending(from low: Int, to high: Int, limit: Int = .max) -> [Int] {
        var result: [Int] = []
        var m = low
        while m <= high && result.count < limit {
            result.append(m)
            guard m < data.count else { break }
            m = tieEnd(m + 1)
        }
        return result
    }

    typealias Candidate = PowerLawCandidate

    /// The continuous MLE of the tail index on the m largest samples:
    /// β = m / Σ_{i≤m} log(X(i)/X(m)); nil when they are all equal.
    func tailIndex(tailCount m: Int) -> Double? {
        let logExcessSum = data.prefixLogSum(m) - Double(m) * data.logValue(m)
        return logExcessSum > 0 ? Double(m) / logExcessSum : nil
    }

    /// The KS distance on the tail of size m, or nil once it exceeds `bound`.
    ///
    /// Convention of Clauset's plfit and the `powerlaw` package:
    /// D = max |F(u) − E(u)| over the distinct tail values u, with E(u) the
    /// fraction of the tail strictly below u. In descending positions p ≤ m
    /// that is |F(X(p)) − (m − e(p))/m|, e(p) the last position tied with X(p).
    ///
    /// Exact, but rarely O(m): F and E both fall as p grows, so on an interval of
    /// positions [a, b] the deviation is at most max(F(a) − E(b), E(a) − F(b));
    /// intervals whose bound cannot beat the running maximum are skipped, and the
    /// others are halved until they can be, or scanned. The scan
    /// starts at `start` (a fraction of m where the previous candidate peaked or
    /// was rejected): neighbouring candidates share their shape, so a deviation
    /// above `bound` is usually met at once. `position` in the result is that
    /// place, for the next candidate.
    func ksDistance(tailCount m: Int, tailIndex beta: Double, bound: Double, start: Double)
        -> (distance: Double?, position: Double)
    {
        let logXmin = data.logValue(m)
        let mm = Double(m)
        @inline(__always) func fitted(_ p: Int) -> Double { -expm1(-beta * (data.logValue(p) - logXmin)) }
        @inline(__always) func below(_ p: Int) -> Double { Double(m - tieEnd(p)) / mm }
        let blockSize = 32
        let blockCount = (m + blockSize - 1) / blockSize
        let hint = min(m, max(1, Int(start * mm)))
        var distance = abs(fitted(hint) - below(hint))
        var peak = hint
        if distance > bound { return (nil, Double(hint) / mm) }
        let firstBlock = (hint - 1) / blockSize
        for step in 0..<blockCount {
            let block = (firstBlock + step) % blockCount
            let a = block * blockSize + 1, b = min(m, a + blockSize - 1)
            let fittedA = fitted(a), fittedB = fitted(b)
            let ceiling = max(fittedA - below(b), below(a) - fittedB)
            if ceiling <= distance { continue }
            for p in a...b {
                let deviation = abs(fitted(p) - below(p))
                if deviation > distance {
                    distance = deviation
                    peak = p
                    if distance > bound { return (nil, Double(p) / mm) }
                }
            }
        }
        return (distance, Double(peak) / mm)
    }

    /// The best candidate among tail sizes `counts`, evaluated in the given
    /// order and starting from `seed` if one was already evaluated. Ties in
    /// distance go to the larger tail (the smaller xmin).
    func best<Counts: Sequence>(among counts: Counts, seed: Candidate? = nil) -> Candidate? where Counts.Element == Int {
        var best = seed
        var start = 0.5
        for m in counts where m != seed?.tailCount {
            guard let beta = tailIndex(tailCount: m) else { continue }
            let (distance, position) = ksDistance(tailCount: m, tailIndex: beta, bound: best?.distance ?? .infinity, start: start)
            start = position
            guard let distance else { continue }
            if let current = best, distance > current.distance || (distance == current.distance && m < current.tailCount) {
                continue
            }
            best = Candidate(tailCount: m, tailIndex: beta, distance: distance)
        }
        return best
    }

    /// The exact scan over every distinct value. A coarse log-spaced pass first
    /// finds a small bound so that the full pass can stop most candidates early.
    func exact(minimumTailCount: Int) -> Candidate? {
        guard let first = firstCandidate(minimumTailCount: minimumTailCount) else { return nil }
        let coarse = logSpacedCandidates(from: first, to: data.count, size: 64)
        // Largest tails first: their small distances make the bound tight early.
        return best(among: candidatesDescending(from: data.count, to: first), seed: best(among: coarse))
    }

    /// The grid scan for large n: about `gridSize` candidates log-spaced in m;
    /// then, between the two grid neighbours of the best, another grid of the
    /// same size spaced evenly by position, and so on until the neighbourhood
    /// holds few enough candidates to scan exactly. About
    /// gridSize · log(n)/log(gridSize) candidates in all.
    /// It finds a local minimum of the KS distance, which is the exact scan's
    /// answer whenever the distance has one basin; the tests and docs/speed.md compare.
    func grid(minimumTailCount: Int, gridSize: Int) -> Candidate? {
        guard var low = firstCandidate(minimumTailCount: minimumTailCount) else { return nil }
        var high = data.count
        var best: Candidate?
        while candidatesAscending(from: low, to: high, limit: gridSize + 1).count > gridSize {
            var coarse = best == nil ? logSpacedCandidates(from: low, to: high, size: gridSize)
                                     : evenlySpacedCandidates(from: low, to: high, size: gridSize)
            // The best so far stays a grid point, so a level never loses it.
            if let best, !coarse.contains(best.tailCount) { coarse = (coarse + [best.tailCount]).sorted() }
            // Every 8th point first, from the smallest tail up: its best is a tight bound,
            // so most of the others stop at their first large deviation. The winner is
            // the same in any order (ties go to the larger tail).
            let seed = best ?? self.best(among: stride(from: 0, to: coarse.count, by: 8).map { coarse[$0] })
            guard let levelBest = self.best(among: coarse, seed: seed),
                  let position = coarse.firstIndex(of: levelBest.tailCount) else { return best }
            best = levelBest
            let newLow = coarse[max(0, position - 1)], newHigh = coarse[min(coarse.count - 1, position + 1)]
            // Ties can leave a level no finer than the last: then scan what is left exactly.
            if newLow == low && newHigh == high { break }
            (low, high) = (newLow, newHigh)
        }
        return self.best(among: candidatesAscending(from: low, to: high), seed: best)
    }

    /// About `size` candidates in [low, high], evenly spaced by position:
    /// the group end at or after each of `size` evenly spaced positions.
    private func evenlySpacedCandidates(from low: Int, to high: Int, size: Int) -> [Int] {
        var subset: [Int] = []
        for j in 0..<size {
            let m = tieEnd(low + j * (high - low) / (size - 1))
            if subset.last != m { subset.append(m) }
        }
        return subset
    }

    /// About `size` candidates in [low, high], log-spaced by tail size: the
    /// group end at or after each of `size` log-spaced targets.
    private func logSpacedCandidates(from low: Int, to high: Int, size: Int) -> [Int] {
        var subset: [Int] = []
        let logLow = log(Double(low)), logHigh = log(Double(high))
        for j in 0..<size {
            let target = exp(logLow + (logHigh - logLow) * Double(j) / Double(size - 1))
            let m = tieEnd(min(high, max(low, Int(target.rounded(.up)))))
            if subset.last != m { subset.append(m) }
        }
        return subset
    }
}
