import Foundation

/// The Clauset–Shalizi–Newman xmin scan for a continuous power law: for each
/// candidate xmin, the maximum-likelihood tail index of the samples ≥ xmin and
/// the Kolmogorov–Smirnov distance between those samples and the fitted law;
/// the candidate with the smallest distance wins.
///
/// Candidates are the distinct sample values; a candidate is named by the size
/// m of the tail it leaves (the m largest samples, X(1) … X(m)).
/// The scan is exact: a candidate's KS distance stops being computed as soon
/// as it exceeds the best distance so far, which cannot change the winner but
/// skips most of the O(n²) work.
struct PowerLawScan {
    let data: OrderStatistics
    /// tieEnd[p − 1]: the last descending position holding the same value as X(p).
    /// 32 bits each (half the memory and traffic of Int): positions stay below 2³².
    let tieEnd: [UInt32]
    /// The tail sizes m at which a new distinct value starts (X(m) > X(m+1), or
    /// m = n), ascending: the ends of the groups of ties.
    let boundaries: ArraySlice<Int>

    init(data: OrderStatistics) {
        precondition(data.count < Int(UInt32.max), "the xmin scan counts positions in 32 bits")
        var ends = [UInt32](repeating: 0, count: data.count)
        var boundaries = [Int](repeating: 0, count: data.count)
        let first = Self.ties(of: data.descending, ends: &ends, boundaries: &boundaries)
        self.init(data: data, tieEnd: ends, boundaries: boundaries[first...])
    }

    /// A scan whose tie ends and boundaries were filled by `ties(of:ends:boundaries:)`
    /// (the bootstrap reuses its buffers).
    init(data: OrderStatistics, tieEnd: [UInt32], boundaries: ArraySlice<Int>) {
        self.data = data
        self.tieEnd = tieEnd
        self.boundaries = boundaries
    }

    /// One backward pass over `descending` (n values): ends[p − 1] = the last
    /// 1-based position holding the same value as position p, and the group
    /// ends, written ascending into the back of `boundaries` (both n long);
    /// returns where they start.
    static func ties(of descending: [Double], ends: inout [UInt32], boundaries: inout [Int]) -> Int {
        descending.withUnsafeBufferPointer { values in
            ends.withUnsafeMutableBufferPointer { ends in
                boundaries.withUnsafeMutableBufferPointer { boundaries in
                    var p = values.count, b = values.count
                    while p >= 1 {
                        let end = p
                        b -= 1
                        boundaries[b] = end
                        let value = values[end - 1]
                        while p >= 1 && values[p - 1] == value {
                            ends[p - 1] = UInt32(truncatingIfNeeded: end)
                            p -= 1
                        }
                    }
                    return b
                }
            }
        }
    }

    /// The fitted law for the tail of size m: xmin = X(m), tail index β.
    struct Candidate: Equatable {
        var tailCount: Int
        var tailIndex: Double
        var distance: Double
    }

    /// Tail sizes m at which a new distinct value starts (X(m) > X(m+1), or m = n).
    /// As in plfit and the `powerlaw` package, the two largest distinct values
    /// are not candidates (a tail needs at least three distinct values), and
    /// neither is a tail smaller than `minimumTailCount`.
    func distinctTailCounts(minimumTailCount: Int) -> ArraySlice<Int> {
        boundaries.dropFirst(2).drop { $0 < minimumTailCount }
    }

    /// The continuous MLE of the tail index on the m largest samples:
    /// β = m / Σ_{i≤m} log(X(i)/X(m)); nil when they are all equal.
    func tailIndex(tailCount m: Int) -> Double? {
        let logExcessSum = data.prefixLogSum[m] - Double(m) * data.logValue(m)
        return logExcessSum > 0 ? Double(m) / logExcessSum : nil
    }

    /// The KS distance on the tail of size m, or nil once it exceeds `bound`.
    ///
    /// Convention of Clauset's plfit and the `powerlaw` package:
    /// D = max |F(u) − E(u)| over the distinct tail values u, with E(u) the
    /// fraction of the tail strictly below u. In descending positions p ≤ m
    /// that is |F(X(p)) − (m − e(p))/m|, e(p) the last position tied with X(p).
    ///
    /// Exact, but rarely O(m): F and E both fall as p grows, so on a block of
    /// positions [a, b] the deviation is at most max(F(a) − E(b), E(a) − F(b));
    /// blocks whose bound cannot beat the running maximum are skipped. The scan
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
        @inline(__always) func below(_ p: Int) -> Double { Double(m - Int(tieEnd[p - 1])) / mm }
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
    func best<Counts: Collection>(among counts: Counts, seed: Candidate? = nil) -> Candidate? where Counts.Element == Int {
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
        let counts = distinctTailCounts(minimumTailCount: minimumTailCount)
        guard !counts.isEmpty else { return nil }
        let coarse = logSpacedSubset(counts, size: 64)
        // Largest tails first: their small distances make the bound tight early.
        return best(among: counts.reversed(), seed: best(among: coarse))
    }

    /// The grid scan for large n: about `gridSize` candidates log-spaced in m;
    /// then, between the two grid neighbours of the best, another grid of the
    /// same size, and so on until the neighbourhood is small enough to scan
    /// exactly. About gridSize · log(n)/log(gridSize) candidates in all.
    /// It finds a local minimum of the KS distance, which is the exact scan's
    /// answer whenever the distance has one basin; the tests and README compare.
    func grid(minimumTailCount: Int, gridSize: Int) -> Candidate? {
        var neighbourhood = distinctTailCounts(minimumTailCount: minimumTailCount)
        var best: Candidate?
        while neighbourhood.count > gridSize {
            var coarse = best == nil ? logSpacedSubset(neighbourhood, size: gridSize) : evenlySpacedSubset(neighbourhood, size: gridSize)
            // The best so far stays a grid point, so a level never loses it.
            if let best, !coarse.contains(best.tailCount) { coarse = (coarse + [best.tailCount]).sorted() }
            guard let levelBest = self.best(among: coarse, seed: best),
                  let position = coarse.firstIndex(of: levelBest.tailCount) else { return best }
            best = levelBest
            let low = coarse[max(0, position - 1)], high = coarse[min(coarse.count - 1, position + 1)]
            // The neighbourhood is ascending: the counts in [low, high] are a slice of it.
            neighbourhood = neighbourhood.drop { $0 < low }.prefix { $0 <= high }
        }
        return self.best(among: neighbourhood, seed: best)
    }

    /// About `size` elements of `counts`, evenly spaced by position.
    private func evenlySpacedSubset(_ counts: ArraySlice<Int>, size: Int) -> [Int] {
        guard counts.count > size else { return Array(counts) }
        return (0..<size).map { counts[counts.startIndex + $0 * (counts.count - 1) / (size - 1)] }
    }

    /// About `size` elements of the ascending list `counts`, log-spaced by value.
    private func logSpacedSubset(_ slice: ArraySlice<Int>, size: Int) -> [Int] {
        guard slice.count > size, let lowest = slice.first, let highest = slice.last else { return Array(slice) }
        return slice.withUnsafeBufferPointer { counts in
            var subset: [Int] = []
            var index = 0
            let logLow = log(Double(lowest)), logHigh = log(Double(highest))
            for j in 0..<size {
                let target = exp(logLow + (logHigh - logLow) * Double(j) / Double(size - 1))
                while index < counts.count - 1 && Double(counts[index]) < target { index += 1 }
                if subset.last != counts[index] { subset.append(counts[index]) }
            }
            return subset
        }
    }
}
