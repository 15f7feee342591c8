import NoiseScopeCore
import Dispatch
import Foundation

extension PowerLawFitter {
    /// The KS distance of every goodness-of-fit replicate's own fit, in replicate order.
    ///
    /// Replicate r draws from its own SplitMix64 substream of `seed`
    /// (`forEachDraw`): each of its n values comes from the fitted power law (a
    /// Pareto draw above xmin) or from the observed body (a uniform index into
    /// the values below xmin). Those draws, in that order, define the replicate; how it is
    /// then sorted and scanned is free, as long as the sorted values are the same.
    /// So instead of sorting n values, the body draws are counted per body index
    /// (the body is already sorted, and so are its logarithms) and only the
    /// Pareto draws — about n_tail of them — are sorted, then merged in. Sorted
    /// arrays of the same positive numbers are identical, so the scan sees
    /// exactly what it saw when each replicate was sorted whole.
    ///
    /// Workers take replicates w, w + workers, w + 2·workers, …, each writing its
    /// own slot: the result does not depend on `threads` or on the schedule.
    func bootstrapDistances(_ data: OrderStatistics, best: PowerLawScan.Candidate, threads: Int? = nil,
                            countLimit: UInt8 = .max) -> [Double] {
        let replicates = bootstrapReplicates
        guard replicates > 0 else { return [] }
        let workers = max(1, min(replicates, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        var distances = [Double](repeating: .nan, count: replicates)
        distances.withUnsafeMutableBufferPointer { distances in
            let output = distances
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var replicate = BootstrapReplicate(data: data, tailCount: best.tailCount, countLimit: countLimit)
                var r = worker
                while r < replicates {
                    replicate.draw(tailIndex: best.tailIndex, seed: seed, replicate: r)
                    output[r] = scan(replicate.scanner)?.0.distance ?? .infinity
                    r += workers
                }
            }
        }
        return distances
    }
}

/// One worker's buffers for goodness-of-fit replicates, reused from one
/// replicate to the next: what the xmin scan reads of a replicate in
/// descending order (its logarithms, their running sums, the ends of its
/// groups of ties), written in one pass; the values themselves are not kept.
struct BootstrapReplicate {
    /// The observed values below xmin, descending, and their logarithms.
    let body: ArraySlice<Double>
    let bodyLogs: ArraySlice<Double>
    let xmin: Double
    let n: Int
    /// How often each body value was drawn. A byte each keeps the array in
    /// cache (the counts are about Poisson(1)); draws past `countLimit` (255;
    /// lower in the tests, to exercise the spill) go to `overflow`.
    private var counts: [UInt8]
    private var overflow: [Int] = []
    private let countLimit: UInt8
    private var paretoDraws: [Double] = []
    private var logs: [Double]
    private var prefixLogSum: [Double]
    private var tieEnd: [UInt32]
    private var boundaries: [Int]
    private var boundaryTotal = 0

    init(data: OrderStatistics, tailCount m: Int, countLimit: UInt8 = .max) {
        self.countLimit = countLimit
        n = data.count
        xmin = data.value(m)
        body = data.descending[m...]
        bodyLogs = data.logDescending[m...]
        counts = [UInt8](repeating: 0, count: n - m)
        paretoDraws.reserveCapacity(2 * m + 64)
        logs = [Double](repeating: 0, count: n)
        prefixLogSum = [Double](repeating: 0, count: n + 1)
        precondition(n < Int(UInt32.max), "the xmin scan counts positions in 32 bits")
        tieEnd = [UInt32](repeating: 0, count: n)
        boundaries = [Int](repeating: 0, count: n)
    }

    /// The n draws of goodness-of-fit replicate `replicate`, in order: a uniform
    /// J in 0..<n picks the fitted power law when J < m (probability n_tail/n),
    /// and then a Pareto value above xmin from one more uniform; otherwise it is
    /// the body index J − m, uniform over the observed values below xmin. One
    /// definition for the bootstrap and for the tests' plain reference.
    @inline(__always)
    static func forEachDraw(n: Int, tailCount m: Int, xmin: Double, tailIndex: Double, seed: UInt64, replicate: Int,
                            pareto: (Double) -> Void, body: (Int) -> Void) {
        var stream = SplitMix64Stream(seed: seed, index: replicate)
        let exponent = -1 / tailIndex
        for _ in 0..<n {
            let j = stream.index(below: n)
            if j < m {
                // A fitted tail index near 0 draws values past the largest double;
                // censor them there so the replicate stays a sample of finite numbers.
                pareto(min(xmin * Foundation.pow(stream.uniformPositive(), exponent), .greatestFiniteMagnitude))
            } else {
                body(j - m)
            }
        }
    }

    /// Draws replicate `replicate` of `seed` and lays it out in descending order.
    mutating func draw(tailIndex: Double, seed: UInt64, replicate: Int) {
        let bodyCount = body.count, countLimit = countLimit, n = n, xmin = xmin
        paretoDraws.removeAll(keepingCapacity: true)
        overflow.removeAll(keepingCapacity: true)
        counts.withUnsafeMutableBufferPointer { counts in
            counts.update(repeating: 0)
            // The body indices are counted a batch at a time: the counts are too many
            // for the cache, and a tight loop over a batch keeps many of their loads in
            // flight at once instead of waiting on each behind the generator.
            let batchSize = 256
            withUnsafeTemporaryAllocation(of: Int.self, capacity: batchSize) { batch in
                var filled = 0
                func countBatch() {
                    for b in 0..<filled {
                        let j = batch[b]
                        if counts[j] == countLimit { overflow.append(j) } else { counts[j] &+= 1 }
                    }
                    filled = 0
                }
                Self.forEachDraw(n: n, tailCount: n - bodyCount, xmin: xmin, tailIndex: tailIndex, seed: seed, replicate: replicate,
                                 pareto: { paretoDraws.append($0) },
                                 body: { j in
                                     batch[filled] = j
                                     filled += 1
                                     if filled == batchSize { countBatch() }
                                 })
                countBatch()
            }
        }
        paretoDraws.sort(by: >)
        overflow.sort()
        boundaryTotal = paretoDraws.withUnsafeBufferPointer { pareto in
        overflow.withUnsafeBufferPointer { overflow in
        counts.withUnsafeBufferPointer { counts in
        body.withUnsafeBufferPointer { body in
        bodyLogs.withUnsafeBufferPointer { bodyLogs in
        logs.withUnsafeMutableBufferPointer { logs in
        prefixLogSum.withUnsafeMutableBufferPointer { sums in
        tieEnd.withUnsafeMutableBufferPointer { ends in
        boundaries.withUnsafeMutableBufferPointer { boundaries in
            var out = 0, t = 0
            var sum = 0.0
            sums[0] = 0
            // Groups of equal values, as PowerLawScan.ties finds them: each
            // position's group end, and the ends in ascending order.
            var groupStart = 0, groupValue = 0.0, boundaryCount = 0
            @inline(__always) func closeGroup() {
                let end = UInt32(truncatingIfNeeded: out)
                for i in groupStart..<out { ends[i] = end }
                boundaries[boundaryCount] = out
                boundaryCount += 1
                groupStart = out
            }
            @inline(__always) func put(_ value: Double, _ log: Double, copies: Int = 1) {
                if out > 0 && value != groupValue { closeGroup() }
                groupValue = value
                for _ in 0..<copies {
                    logs[out] = log
                    sum = sum + log
                    out += 1
                    sums[out] = sum
                }
            }
            var o = 0
            for j in 0..<body.count where counts[j] > 0 {
                let value = body[j]
                while t < pareto.count && pareto[t] >= value {
                    put(pareto[t], Foundation.log(pareto[t]))
                    t += 1
                }
                var count = Int(counts[j])
                while o < overflow.count && overflow[o] == j { count += 1; o += 1 }
                put(value, bodyLogs[j], copies: count)
            }
            while t < pareto.count {
                put(pareto[t], Foundation.log(pareto[t]))
                t += 1
            }
            precondition(out == n, "a replicate has n values")
            closeGroup()
            return boundaryCount
        }}}}}}}}}
    }

    /// The xmin scan of the replicate last drawn (for the scan only: no squared
    /// sums). It shares the buffers; drop it before the next `draw`, or that
    /// draw copies them.
    var scanner: PowerLawScan {
        PowerLawScan(data: OrderStatistics(scanOnly: n, logDescending: logs, prefixLogSum: prefixLogSum),
                     tieEnd: tieEnd, boundaries: boundaries[..<boundaryTotal])
    }
}
