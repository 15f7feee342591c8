import NoiseScopeCore
import Dispatch
import Foundation

extension PowerLawFitter {
    /// The KS distance of every goodness-of-fit replicate's own fit, in replicate order.
    ///
    /// Replicate r draws from its own SplitMix64 substream of `seed`
    /// (`forEachDraw`): each of its n values comes from the fitted power law (a
    /// Pareto draw above xmin) or from the observed body (a uniform index into
    /// the values below xmin). Nothing is sorted: the body draws are counted per
    /// body index (the body is already sorted, and so are its logarithms), the
    /// power-law draws come out in order, and the two are merged.
    ///
    /// Workers take replicates w, w + workers, w + 2·workers, …, each writing its
    /// own slot: the result does not depend on `threads` or on the schedule.
    /// `replicates` (default: all of them) names which replicates to draw; the
    /// result holds their distances in that order.
    func bootstrapDistances(_ data: OrderStatistics, best: PowerLawCandidate, threads: Int? = nil,
                            countLimit: UInt8 = .max, replicates range: Range<Int>? = nil) -> [Double] {
        let range = range ?? 0..<bootstrapReplicates
        let replicates = range.count
        guard replicates > 0 else { return [] }
        let workers = max(1, min(replicates, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        var distances = [Double](repeating: .nan, count: replicates)
        distances.withUnsafeMutableBufferPointer { distances in
            let output = distances
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var replicate = BootstrapReplicate(data: data, tailCount: best.tailCount, countLimit: countLimit)
                var r = worker
                while r < replicates {
                    replicate.draw(tailIndex: best.tailIndex, seed: seed, replicate: range.lowerBound + r)
                    output[r] = scan(replicate.scanner)?.0.distance ?? .infinity
                    r += workers
                }
            }
        }
        return distances
    }
}

/// One worker's buffers for goodness-of-fit replicates, reused from one
/// replicate to the next. A replicate is laid out in descending order as the
/// source of each position (a body index into the observed values, or a
/// Pareto draw) and the running sum of logarithms at every 16th position:
/// 4.5 bytes a value and a byte a body value for the counts, where arrays of
/// logarithms, sums and tie ends took 29. The scan reads values, logarithms
/// and sums through `Layout`.
struct BootstrapReplicate {
    /// The observed values, descending; the body is from position m + 1 on.
    let observed: [Double]
    let m: Int
    let xmin: Double
    let n: Int
    /// How often each body value was drawn. A byte each keeps the array small
    /// (the counts are about Poisson(1)); draws past `countLimit` (255; lower
    /// in the tests, to exercise the spill) go to `overflow`.
    private var counts: [UInt8]
    private var overflow: [Int] = []
    private let countLimit: UInt8
    private var paretoDraws: [Double] = []
    /// Position p − 1 holds j < n − m for body value X(m + 1 + j), else n − m + t for paretoDraws[t].
    private var sources: [UInt32]
    /// Σ log over the first 16j positions.
    private var logSums: [Double]
    /// The logarithm at each position, kept below `OrderStatistics.logsKeptBelow` values (else empty).
    private var logs: [Double] = []

    init(data: OrderStatistics, tailCount m: Int, countLimit: UInt8 = .max, keepingLogsBelow threshold: Int = OrderStatistics.logsKeptBelow) {
        self.countLimit = countLimit
        n = data.count
        self.m = m
        xmin = data.value(m)
        observed = data.descending
        counts = [UInt8](repeating: 0, count: n - m)
        paretoDraws.reserveCapacity(2 * m + 64)
        precondition(n < Int(UInt32.max), "the xmin scan counts positions in 32 bits")
        sources = [UInt32](repeating: 0, count: n)
        logSums = [Double](repeating: 0, count: (n >> OrderStatistics.strideShift) + 1)
        if n < threshold { logs = [Double](repeating: 0, count: n) }
    }

    /// The replicate last drawn, as the xmin scan reads it. It shares the
    /// buffers; drop it before the next `draw`, or that draw copies them.
    struct Layout: DescendingSample {
        let observed: [Double]
        let bodyStart: Int
        let bodyCount: UInt32
        let paretoDraws: [Double]
        let sources: [UInt32]
        let logSums: [Double]
        let logs: [Double]

        var count: Int { sources.count }

        @inline(__always) func value(_ p: Int) -> Double {
            let source = sources[p - 1]
            return source < bodyCount ? observed[bodyStart + Int(source)] : paretoDraws[Int(source - bodyCount)]
        }

        @inline(__always) func logValue(_ p: Int) -> Double { logs.isEmpty ? Foundation.log(value(p)) : logs[p - 1] }

        func logSumCheckpoint(_ j: Int) -> Double { logSums[j] }
    }

    var layout: Layout {
        Layout(observed: observed, bodyStart: m, bodyCount: UInt32(n - m), paretoDraws: paretoDraws, sources: sources, logSums: logSums, logs: logs)
    }

    /// The xmin scan of the replicate last drawn (see `layout`).
    var scanner: PowerLawScan<Layout> { PowerLawScan(data: layout) }

    /// The n draws of a discrete goodness-of-fit replicate, in order: a uniform
    /// J in 0..<n picks the fitted power law when J < m (probability n_tail/n),
    /// and then one more uniform U, which `paretoUniform` receives; otherwise it
    /// is the body index J − m, uniform over the observed values below xmin.
    @inline(__always)
    static func forEachUniform(n: Int, tailCount m: Int, seed: UInt64, replicate: Int,
                               paretoUniform: (Double) -> Void, body: (Int) -> Void) {
        var stream = SplitMix64Stream(seed: seed, index: replicate)
        for _ in 0..<n {
            let j = stream.index(below: n)
            if j < m { paretoUniform(stream.uniformPositive()) } else { body(j - m) }
        }
    }

    /// The Pareto value of uniform `u`: xmin·u^(−1/β), which falls as u grows.
    /// A fitted tail index near 0 draws values past the largest double; they
    /// are censored there so the replicate stays a sample of finite numbers.
    @inline(__always)
    static func paretoValue(_ u: Double, xmin: Double, exponent: Double) -> Double {
        min(xmin * Foundation.pow(u, exponent), .greatestFiniteMagnitude)
    }

    /// The draws of continuous replicate `replicate` (the discrete fit keeps
    /// `forEachUniform`): n uniform indices J in 0..<n first, where J < m picks
    /// the fitted power law (probability n_tail/n) and J ≥ m the body index
    /// J − m; then the K power-law values, already in descending order. Their
    /// uniforms are drawn as the order statistics of K uniforms,
    /// U(i) = S_i / S_{K+1} with S_i the running sums of K + 1 standard
    /// exponentials from the same stream (Rényi's representation), so no sort
    /// is needed: the replicate has the law of n independent draws, sorted.
    /// `ascendingUniforms` receives the U(i); the Pareto values are
    /// `paretoValue(U(i))`, falling as i grows.
    @inline(__always)
    static func forEachDraw(n: Int, tailCount m: Int, seed: UInt64, replicate: Int,
                            ascendingUniforms: inout [Double], body: (Int) -> Void) {
        var stream = SplitMix64Stream(seed: seed, index: replicate)
        var k = 0
        for _ in 0..<n {
            let j = stream.index(below: n)
            if j < m { k += 1 } else { body(j - m) }
        }
        ascendingUniforms.removeAll(keepingCapacity: true)
        var sum = 0.0
        for _ in 0..<k {
            sum += -Foundation.log(stream.uniformPositive())
            ascendingUniforms.append(sum)
        }
        let total = sum - Foundation.log(stream.uniformPositive())
        ascendingUniforms.withUnsafeMutableBufferPointer { u in
            for i in 0..<k { u[i] = u[i] / total }
        }
    }

    /// Draws replicate `replicate` of `seed` and lays it out in descending order.
    mutating func draw(tailIndex: Double, seed: UInt64, replicate: Int) {
        let countLimit = countLimit, n = n, m = m
        overflow.removeAll(keepingCapacity: true)
        // The buffer is borrowed while the counts are written (one of them at a time
        // may be accessed through self), and handed back unshared.
        var uniforms: [Double] = []
        swap(&uniforms, &paretoDraws)
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
                Self.forEachDraw(n: n, tailCount: m, seed: seed, replicate: replicate, ascendingUniforms: &uniforms,
                                 body: { j in
                                     batch[filled] = j
                                     filled += 1
                                     if filled == batchSize { countBatch() }
                                 })
                countBatch()
            }
        }
        swap(&uniforms, &paretoDraws)
        // Ascending u is descending value. pow is not guaranteed monotone to the
        // last bit, so one insertion pass puts any neighbours it swapped back.
        let exponent = -1 / tailIndex, count = paretoDraws.count, xmin = xmin
        paretoDraws.withUnsafeMutableBufferPointer { draws in
            for t in 0..<count { draws[t] = Self.paretoValue(draws[t], xmin: xmin, exponent: exponent) }
            for t in 1..<max(1, count) where draws[t] > draws[t - 1] {
                let v = draws[t]
                var j = t
                while j > 0 && draws[j - 1] < v { draws[j] = draws[j - 1]; j -= 1 }
                draws[j] = v
            }
        }
        overflow.sort()
        let bodyCount = UInt32(n - m), shift = OrderStatistics.strideShift
        paretoDraws.withUnsafeBufferPointer { pareto in
        overflow.withUnsafeBufferPointer { overflow in
        counts.withUnsafeBufferPointer { counts in
        observed.withUnsafeBufferPointer { observed in
        sources.withUnsafeMutableBufferPointer { sources in
        logs.withUnsafeMutableBufferPointer { logs in
        logSums.withUnsafeMutableBufferPointer { sums in
            let keepLogs = logs.count == sources.count
            var out = 0, t = 0, o = 0
            var sum = 0.0
            @inline(__always) func put(_ source: UInt32, _ log: Double, copies: Int = 1) {
                for _ in 0..<copies {
                    if out & ((1 << shift) - 1) == 0 { sums[out >> shift] = sum }
                    sources[out] = source
                    if keepLogs { logs[out] = log }
                    sum = sum + log
                    out += 1
                }
            }
            for j in 0..<Int(bodyCount) where counts[j] > 0 {
                let value = observed[m + j]
                while t < pareto.count && pareto[t] >= value {
                    put(bodyCount + UInt32(t), Foundation.log(pareto[t]))
                    t += 1
                }
                var count = Int(counts[j])
                while o < overflow.count && overflow[o] == j { count += 1; o += 1 }
                put(UInt32(j), Foundation.log(value), copies: count)
            }
            while t < pareto.count {
                put(bodyCount + UInt32(t), Foundation.log(pareto[t]))
                t += 1
            }
            precondition(out == n, "a replicate has n values")
            if out & ((1 << shift) - 1) == 0 { sums[out >> shift] = sum }
        }}}}}}}
    }
}
