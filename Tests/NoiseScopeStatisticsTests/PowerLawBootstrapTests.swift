import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// The goodness-of-fit bootstrap assembles each replicate already sorted
/// (body draws counted per index, the Pareto draws generated in order). It
/// must give bit for bit the distances of the plain method, which collects the
/// n values and sorts them, and the same p for any number of threads.
final class PowerLawBootstrapTests: XCTestCase {
    /// The plain method, kept here as the reference: the n values collected, unsorted.
    static func referenceSample(_ fitter: PowerLawFitter, _ data: OrderStatistics, best: PowerLawCandidate, replicate: Int) -> [Double] {
        let n = data.count, m = best.tailCount
        var sample: [Double] = [], uniforms: [Double] = []
        BootstrapReplicate.forEachDraw(n: n, tailCount: m, seed: fitter.seed, replicate: replicate, ascendingUniforms: &uniforms,
                                       body: { sample.append(data.value(m + 1 + $0)) })
        let exponent = -1 / best.tailIndex
        return sample + uniforms.map { BootstrapReplicate.paretoValue($0, xmin: data.value(m), exponent: exponent) }
    }

    static func referenceDistances(_ fitter: PowerLawFitter, _ data: OrderStatistics, best: PowerLawCandidate) -> [Double] {
        (0..<fitter.bootstrapReplicates).map { replicate in
            fitter.scan(OrderStatistics(samples: referenceSample(fitter, data, best: best, replicate: replicate)))?.0.distance ?? .infinity
        }
    }

    /// Both samples read the same bits at every position: count, values,
    /// logarithms and running sums of logarithms.
    static func assertSameReads<A: DescendingSample, B: DescendingSample>(_ a: A, _ b: B, _ name: String,
                                                                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, name, file: file, line: line)
        let n = min(a.count, b.count)
        XCTAssertEqual((1...n).map { a.value($0).bitPattern }, (1...n).map { b.value($0).bitPattern }, name, file: file, line: line)
        XCTAssertEqual((1...n).map { a.logValue($0).bitPattern }, (1...n).map { b.logValue($0).bitPattern }, name, file: file, line: line)
        XCTAssertEqual((0...n).map { a.prefixLogSum($0).bitPattern }, (0...n).map { b.prefixLogSum($0).bitPattern }, name, file: file, line: line)
    }

    /// What the scan reads of an assembled replicate: values, logarithms, their
    /// running sums and the ends of groups of ties, equal bit for bit to those of
    /// the sorted sample at every position.
    func testAssembledReplicateIsTheSortedSample() throws {
        var checked = 0
        for (name, sample, search) in Self.cases {
            let data = OrderStatistics(samples: sample)
            let fitter = PowerLawFitter(xminSearch: search, bootstrapReplicates: 3, seed: 8)
            let best = try XCTUnwrap(fitter.scan(data)?.0, name)
            var replicate = BootstrapReplicate(data: data, tailCount: best.tailCount)
            for r in 0..<3 {
                replicate.draw(tailIndex: best.tailIndex, seed: fitter.seed, replicate: r)
                let assembled = replicate.scanner
                let sorted = PowerLawScan(data: OrderStatistics(samples: Self.referenceSample(fitter, data, best: best, replicate: r)))
                Self.assertSameReads(assembled.data, sorted.data, name)
                XCTAssertEqual((1...sorted.data.count).map(assembled.tieEnd), (1...sorted.data.count).map(sorted.tieEnd), name)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 3 * Self.cases.count)
    }

    /// Above 2¹⁸ samples the logarithms are taken when read instead of kept: the
    /// same bits at every position, for the observed sample and for replicates,
    /// and so the same scan (forced here on small samples, ties included).
    func testLogarithmsTakenAnewEqualThoseKept() throws {
        for (name, sample, search) in Self.cases {
            let sorted = sample.sorted(by: >)
            let kept = OrderStatistics(sortedDescending: sorted), anew = OrderStatistics(sortedDescending: sorted, keepingLogsBelow: 0)
            let n = sorted.count
            Self.assertSameReads(anew, kept, name)
            XCTAssertEqual((1..<n).map { anew.logExcessMoments(k: $0).second.bitPattern }, (1..<n).map { kept.logExcessMoments(k: $0).second.bitPattern }, name)
            let fitter = PowerLawFitter(xminSearch: search, bootstrapReplicates: 2, seed: 4)
            let best = try XCTUnwrap(fitter.scan(kept)?.0, name)
            XCTAssertEqual(fitter.scan(anew)?.0, best, name)
            var keptReplicate = BootstrapReplicate(data: kept, tailCount: best.tailCount)
            var anewReplicate = BootstrapReplicate(data: anew, tailCount: best.tailCount, keepingLogsBelow: 0)
            for r in 0..<2 {
                keptReplicate.draw(tailIndex: best.tailIndex, seed: fitter.seed, replicate: r)
                anewReplicate.draw(tailIndex: best.tailIndex, seed: fitter.seed, replicate: r)
                let a = keptReplicate.layout, b = anewReplicate.layout
                XCTAssertFalse(a.logs.isEmpty, name)
                XCTAssertTrue(b.logs.isEmpty, name)
                Self.assertSameReads(b, a, name)
                XCTAssertEqual(fitter.scan(anewReplicate.scanner)?.0, fitter.scan(keptReplicate.scanner)?.0, name)
            }
        }
    }

    /// Tie ends and group starts found by galloping against a plain walk, on
    /// data with long runs of ties.
    func testGroupsOfTiesMatchAPlainWalk() {
        let values: [Double] = (0..<3000).map { (i: Int) -> Double in
            let level: Int = (i * i) % 97 / 7
            return Double(1 + level)
        }.sorted(by: >)
        let scan = PowerLawScan(data: OrderStatistics(sortedDescending: values))
        for p in 1...values.count {
            var end = p
            while end < values.count && values[end] == values[p - 1] { end += 1 }
            var start = p
            while start > 1 && values[start - 2] == values[p - 1] { start -= 1 }
            XCTAssertEqual(scan.tieEnd(p), end)
            XCTAssertEqual(scan.groupStart(p), start)
        }
        let groupEnds = scan.candidatesAscending(from: scan.tieEnd(1), to: values.count).count
        XCTAssertEqual(groupEnds, Set(values).count)
    }

    static var cases: [(String, [Double], PowerLawFitter.XminSearch)] {
        [("pareto1.5", SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 3000, seed: 11), .exact),
         ("|t3|", SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: 2000, seed: 12), .exact),
         // Rounded to 2 decimals: many ties in the body and at xmin.
         ("|t3| rounded", SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: 3000, seed: 13).map { max(0.01, ($0 * 100).rounded() / 100) }, .exact),
         ("lognormal grid", SyntheticDistribution.lognormal(sigma: 1).sample(count: 20_000, seed: 14), .grid(candidates: 400)),
         // A tail index near 0: Pareto draws past the largest double are censored.
         ("near-zero index", (1...200).map { pow(10, Double($0) * 1.5) }, .exact)]
    }

    func testReplicatesMatchTheSortedReference() throws {
        var compared = 0
        for (name, sample, search) in Self.cases {
            let data = OrderStatistics(samples: sample)
            let fitter = PowerLawFitter(xminSearch: search, bootstrapReplicates: 12, seed: 5)
            let best = try XCTUnwrap(fitter.scan(data)?.0, name)
            let fast = fitter.bootstrapDistances(data, best: best, threads: 1)
            let reference = Self.referenceDistances(fitter, data, best: best)
            XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), name)
            // Counts spilled past 1 instead of 255: the rare path, taken at every repeated draw.
            let spilled = fitter.bootstrapDistances(data, best: best, threads: 1, countLimit: 1)
            XCTAssertEqual(spilled.map(\.bitPattern), reference.map(\.bitPattern), name + ", spilled counts")
            compared += zip(fast, reference).filter { $0.bitPattern == $1.bitPattern }.count
            compared += zip(spilled, reference).filter { $0.bitPattern == $1.bitPattern }.count
        }
        XCTAssertEqual(compared, 2 * 12 * Self.cases.count)
    }

    func testSameDistancesForAnyThreadCount() throws {
        for (name, sample, search) in Self.cases {
            let data = OrderStatistics(samples: sample)
            let fitter = PowerLawFitter(xminSearch: search, bootstrapReplicates: 7, seed: 9)
            let best = try XCTUnwrap(fitter.scan(data)?.0, name)
            let one = fitter.bootstrapDistances(data, best: best, threads: 1).map(\.bitPattern)
            for threads in [2, 3, 16] {
                XCTAssertEqual(fitter.bootstrapDistances(data, best: best, threads: threads).map(\.bitPattern), one, "\(name), \(threads) threads")
            }
            let (p1, r1) = fitter.goodnessOfFit(data, best: best, threads: 1)
            let (p2, r2) = fitter.goodnessOfFit(data, best: best, threads: 2)
            XCTAssertEqual(p1, p2, name)
            XCTAssertEqual(r1, r2, name)
        }
    }

    /// The sequential p-value against the full run's distances: it stops at the
    /// replicate where ⌈0.1·R⌉ distances have reached the observed one (p = h/r),
    /// else equals the plain fraction; either way p < 0.1 exactly when the full
    /// run's fraction is below 0.1. Checked on every case, at R = 40 and R = 100.
    func testSequentialStopKeepsTheFullTestsDecision() throws {
        var stoppedEarly = 0, ranFull = 0
        for (name, sample, search) in Self.cases {
            let data = OrderStatistics(samples: sample)
            for total in [40, 100] {
                let fitter = PowerLawFitter(xminSearch: search, bootstrapReplicates: total, seed: 4)
                let best = try XCTUnwrap(fitter.scan(data)?.0, name)
                let all = fitter.bootstrapDistances(data, best: best, threads: 1)
                let reached = all.map { $0 >= best.distance }
                let full = Double(reached.filter { $0 }.count) / Double(total)
                let h = Int((0.1 * Double(total)).rounded(.up))
                var expected = (p: full, replicates: total), count = 0
                for (index, hit) in reached.enumerated() where hit {
                    count += 1
                    if count == h { expected = (Double(h) / Double(index + 1), index + 1); break }
                }
                let (p, replicates) = fitter.goodnessOfFit(data, best: best, threads: 2)
                XCTAssertEqual(p, expected.p, "\(name), R = \(total)")
                XCTAssertEqual(replicates, expected.replicates, "\(name), R = \(total)")
                XCTAssertEqual(p < PowerLawFitter.plausibilityThreshold, full < 0.1, "\(name), R = \(total): the decision changed")
                if replicates < total { stoppedEarly += 1 } else { ranFull += 1 }
            }
        }
        XCTAssertGreaterThan(stoppedEarly, 0, "no case stopped early: the sequential path is untested")
        XCTAssertGreaterThan(ranFull, 0, "no case ran every replicate")
    }
}

/// `RandomSource.Draws` must give GSL's own draws, interleaved as the bootstrap interleaves them.
final class RandomDrawsTests: XCTestCase {
    func testSameDrawsAsGSL() {
        var compared = 0
        for n in [1, 2, 3, 7, 1000, 999_983, 1 << 20, 1 << 31, (1 << 31) + 12345, Int(UInt32.max) - 1, Int(UInt32.max)] {
            for seed: UInt64 in [0, 1, 42] {
                let ours = RandomSource(seed: seed), gsl = RandomSource(seed: seed)
                let draws = ours.draws(indexBelow: n)
                for i in 0..<20_000 {
                    if i % 3 == 0 {
                        XCTAssertEqual(draws.uniformPositive().bitPattern, gsl.uniformPositive().bitPattern, "n \(n), draw \(i)")
                    } else {
                        XCTAssertEqual(draws.index(), gsl.index(below: n), "n \(n), draw \(i)")
                    }
                    // A Pareto draw in between, through GSL, shares the state.
                    if i % 11 == 0 { XCTAssertEqual(ours.pareto(alpha: 1.5).bitPattern, gsl.pareto(alpha: 1.5).bitPattern) }
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 11 * 3 * 20_000)
    }
}

/// The replicates' power-law draws come out already sorted (Rényi's
/// representation of uniform order statistics): they must have the law of K
/// independent uniforms, sorted, with K binomial(n, m/n).
final class SortedPowerLawDrawsTests: XCTestCase {
    func testOrderedUniformsAreUniformAndTheirCountBinomial() {
        let n = 20_000, m = 15_000
        var counts: [Double] = []
        var uniforms: [Double] = []
        var pooledDistance = 0.0
        for replicate in 0..<40 {
            var body = 0
            BootstrapReplicate.forEachDraw(n: n, tailCount: m, seed: 11, replicate: replicate, ascendingUniforms: &uniforms, body: { _ in body += 1 })
            XCTAssertEqual(body + uniforms.count, n)
            counts.append(Double(uniforms.count))
            XCTAssert(zip(uniforms, uniforms.dropFirst()).allSatisfy { $0 <= $1 }, "ascending")
            XCTAssert(uniforms.allSatisfy { $0 > 0 && $0 <= 1 })
            // KS distance to U(0, 1) of the sorted uniforms.
            let k = Double(uniforms.count)
            var d = 0.0
            for (i, u) in uniforms.enumerated() { d = max(d, abs(u - Double(i) / k), abs(Double(i + 1) / k - u)) }
            // 1.95/√K is the Kolmogorov distribution's 0.999 quantile.
            XCTAssertLessThan(d * k.squareRoot(), 1.95, "replicate \(replicate)")
            pooledDistance += d * k.squareRoot() / 40
        }
        // The scaled distance averages 0.87 under the null (√(π/2)·ln 2); a sort
        // that lost order or a missing normalisation would be far from it.
        XCTAssertEqual(pooledDistance, 0.8687, accuracy: 0.15)
        let mean = counts.reduce(0, +) / 40
        let sd = (Double(n) * 0.75 * 0.25).squareRoot()
        XCTAssertEqual(mean, Double(m), accuracy: 4 * sd / 40.0.squareRoot())
        let variance = counts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 39
        XCTAssertEqual(variance.squareRoot(), sd, accuracy: 0.4 * sd)
    }
}

/// The bootstrap's inline generator: uniform indices and uniforms, the same stream for the same substream.
final class SplitMix64StreamTests: XCTestCase {
    func testIndicesAreUniformAndStreamsRepeat() {
        var stream = SplitMix64Stream(seed: 3, index: 7)
        var again = SplitMix64Stream(seed: 3, index: 7)
        var other = SplitMix64Stream(seed: 3, index: 8)
        var counts = [Int](repeating: 0, count: 10)
        var differing = 0
        for _ in 0..<100_000 {
            let j = stream.index(below: 10)
            XCTAssertEqual(j, again.index(below: 10))
            if j != other.index(below: 10) { differing += 1 }
            counts[j] += 1
        }
        // χ² with 9 degrees of freedom: 27.9 is its 0.999 quantile.
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        XCTAssertLessThan(chiSquare, 27.9)
        XCTAssertGreaterThan(differing, 85_000, "another substream is another stream")
        // An n that is not a power of two near 2⁶³ exercises the rejection.
        let huge = Int.max / 3 * 2
        for _ in 0..<1000 { XCTAssert((0..<huge).contains(stream.index(below: huge))) }
        var u = SplitMix64Stream(seed: 0, index: 0)
        var mean = 0.0
        for _ in 0..<100_000 {
            let x = u.uniformPositive()
            XCTAssert(x > 0 && x < 1)
            mean += x / 100_000
        }
        XCTAssertEqual(mean, 0.5, accuracy: 4 * (1.0 / 12 / 100_000).squareRoot())
    }
}
