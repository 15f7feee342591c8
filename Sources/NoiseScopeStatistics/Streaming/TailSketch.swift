import NoiseScopeCore
import Foundation

/// A bounded-memory summary of a stream of positive samples, for `check` on
/// more values than fit in memory (`noisescope check --stream`, or `-`):
///
/// - the K largest values, exactly: everything Hill, the moment estimator,
///   Pickands and the CSN fit use (they read only upper order statistics);
/// - n and the first four central moments, exactly (streaming updates of
///   Pébay 2008), for the mean and the kurtosis;
/// - a uniform reservoir sample of the whole stream (Vitter's algorithm R,
///   seeded), the documented sketch of the body: the median and the double
///   bootstrap's choice of k come from it.
///
/// Sketches merge: the K largest of a union are the K largest of the parts'
/// K largest, and moments combine exactly, so per-shard sketches give exactly
/// the answer on the concatenated data for every quantity that depends on the
/// top K. Reservoirs merge by weighted subsampling (a uniform sample again,
/// but not the same one). Not Sendable: its random stream is a reference, so
/// a copy shares it; keep one owner per sketch.
public struct TailSketch {
    /// How many of the largest values are kept.
    public let capacity: Int
    public let reservoirCapacity: Int
    public private(set) var count = 0
    private(set) var moments = StreamingMoments()
    /// Candidates for the top K, unsorted; trimmed to the K largest when 2K long.
    private var top: [Double] = []
    /// The K-th largest value at the last trim: smaller values cannot enter the top K.
    private var floor = -Double.infinity
    public private(set) var reservoir: [Double] = []
    private let random: RandomSource

    public init(capacity: Int = 1_000_000, reservoirCapacity: Int = 100_000, seed: UInt64 = 0) {
        precondition(capacity >= 16 && reservoirCapacity >= 16, "sketch capacities must be at least 16")
        self.capacity = capacity
        self.reservoirCapacity = reservoirCapacity
        random = RandomSource(seed: seed)
        top.reserveCapacity(2 * capacity)
    }

    /// Adds one positive finite sample.
    public mutating func add(_ x: Double) {
        count += 1
        moments.add(x)
        if x > floor || top.count < capacity {
            top.append(x)
            if top.count >= 2 * capacity { trim() }
        }
        if reservoir.count < reservoirCapacity {
            reservoir.append(x)
        } else {
            let j = random.index(below: count)
            if j < reservoirCapacity { reservoir[j] = x }
        }
    }

    /// Combines another sketch (of other data) into this one.
    public mutating func merge(_ other: TailSketch) {
        precondition(other.capacity == capacity, "merge sketches of the same capacity")
        reservoir = mergedReservoir(other)
        count += other.count
        moments.merge(other.moments)
        top += other.top
        trim()
    }

    /// A uniform sample of both streams: each slot is drawn, without
    /// replacement, from this side with probability proportional to its
    /// remaining share of the combined count.
    private func mergedReservoir(_ other: TailSketch) -> [Double] {
        var sides = [reservoir, other.reservoir]
        var weights = [Double(count), Double(other.count)]
        var merged: [Double] = []
        while merged.count < reservoirCapacity && !(sides[0].isEmpty && sides[1].isEmpty) {
            let total = weights[0] + weights[1]
            let side = sides[1].isEmpty || (!sides[0].isEmpty && random.uniformPositive() * total < weights[0]) ? 0 : 1
            let pick = random.index(below: sides[side].count)
            sides[side].swapAt(pick, sides[side].count - 1)
            merged.append(sides[side].removeLast())
            weights[side] = max(0, weights[side] - weights[side] / Double(sides[side].count + 1))
        }
        return merged
    }

    /// The K largest values (or all, if fewer), sorted from the largest down.
    public var largest: [Double] {
        var copy = top
        copy.sort(by: >)
        return Array(copy.prefix(capacity))
    }

    /// Keeps the K largest candidates.
    private mutating func trim() {
        guard top.count > capacity else { return }
        top.sort(by: >)
        top.removeLast(top.count - capacity)
        floor = top[capacity - 1]
    }

    public var mean: Double { moments.mean }
    /// Excess kurtosis m4/s⁴ − 3 with s² the (n − 1) sample variance, as GSL computes it.
    public var excessKurtosis: Double { moments.excessKurtosis }
}

/// n, mean and the second to fourth central moment sums of a stream, updated
/// one value at a time and mergeable (Pébay 2008, eq. 1.5 and 3.1).
struct StreamingMoments: Sendable {
    var n = 0.0, mean = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0

    /// One value (Terriberry's single-value form of the same update).
    mutating func add(_ x: Double) {
        let previous = n
        n += 1
        let delta = x - mean, deltaN = delta / n, deltaN2 = deltaN * deltaN
        let term = delta * deltaN * previous
        mean += deltaN
        m4 += term * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * m2 - 4 * deltaN * m3
        m3 += term * deltaN * (n - 2) - 3 * deltaN * m2
        m2 += term
    }

    mutating func merge(_ b: StreamingMoments) {
        guard b.n > 0 else { return }
        guard n > 0 else { self = b; return }
        let na = n, nb = b.n, total = na + nb
        let delta = b.mean - mean
        let d2 = delta * delta, d3 = d2 * delta, d4 = d2 * d2
        let newM4 = m4 + b.m4 + d4 * na * nb * (na * na - na * nb + nb * nb) / (total * total * total)
            + 6 * d2 * (na * na * b.m2 + nb * nb * m2) / (total * total) + 4 * delta * (na * b.m3 - nb * m3) / total
        let newM3 = m3 + b.m3 + d3 * na * nb * (na - nb) / (total * total) + 3 * delta * (na * b.m2 - nb * m2) / total
        m2 += b.m2 + d2 * na * nb / total
        m3 = newM3
        m4 = newM4
        mean += delta * nb / total
        n = total
    }

    var excessKurtosis: Double {
        guard n >= 4, m2 > 0 else { return .nan }
        let sampleVariance = m2 / (n - 1)
        return (m4 / n) / (sampleVariance * sampleVariance) - 3
    }
}
