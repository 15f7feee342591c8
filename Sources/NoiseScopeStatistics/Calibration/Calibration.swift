import Foundation

/// Runs the verdict on every case of the battery at each sample size and
/// seed, and tallies what it said against the truth: the confusion table,
/// the precision of each committed verdict, the recall targets, the rate of
/// `inconclusive`, and how often the reported interval covers the true α.
package enum Calibration {
    /// A count out of a total.
    package struct Rate: Codable, Equatable, Sendable {
        package var count: Int
        package var total: Int
        package var rate: Double? { total > 0 ? Double(count) / Double(total) : nil }
        /// The binomial standard error of the rate.
        package var standardError: Double? { rate.map { ($0 * (1 - $0) / Double(total)).squareRoot() } }
        enum CodingKeys: String, CodingKey { case count, total, rate }
        package init(count: Int, total: Int) { self.count = count; self.total = total }
        package init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            count = try container.decode(Int.self, forKey: .count)
            total = try container.decode(Int.self, forKey: .total)
        }
        package func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            try container.encode(total, forKey: .total)
            try container.encode(rate, forKey: .rate)
        }
    }

    /// One case at one n, over the seeds.
    package struct Row: Codable, Sendable {
        package var name: String
        package var family: CalibrationCase.Family
        package var truth: TailVerdict
        /// The truth a perfect rule can see from n draws (`CalibrationCase.truth(withinReachOf:)`).
        package var truthWithinReach: TailVerdict
        /// The draws expected where the deciding feature shows (`TailReach`), for a mixture or a cutoff.
        package var featureDraws: Double?
        package var alpha: Double?
        package var n: Int
        /// Verdict → count.
        package var verdicts: [String: Int]
        /// Intervals reported and how many covered the true α.
        package var coverage: Rate?
        /// The same for plain Hill's exact-under-Pareto interval at k*, and for the GPD fit's α interval.
        package var hillCoverage: Rate?
        package var gpdCoverage: Rate?
        /// The median of α̂ where one was reported.
        package var medianAlpha: Double?
        /// Why the verdict was inconclusive (the reason's first clause) → count.
        package var inconclusiveReasons: [String: Int]
    }

    /// The headline numbers at one n.
    package struct Summary: Codable, Sendable {
        package var n: Int
        package var samples: Int
        /// Truth → verdict → count.
        package var confusion: [String: [String: Int]]
        /// When the verdict is infinite-variance, how often the truth is α < 2.
        package var infiniteVariancePrecision: Rate
        /// When the verdict is light, how often the data have no power-law tail.
        package var lightPrecision: Rate
        /// When the verdict is heavy, how often the truth is a power law with α ≥ 2.
        package var heavyPrecision: Rate
        /// The same three precisions against the truth within the reach of n draws.
        package var withinReach: Precisions
        /// Tails with α ≤ 1.6 called infinite-variance.
        package var infiniteVarianceRecall: Rate
        /// Exponential-type tails called light.
        package var lightRecall: Rate
        package var inconclusive: Rate
        /// Pure power laws whose reported 95 % interval covers α (among reported intervals).
        package var coverage: Rate
        /// Pure power laws with an interval reported at all.
        package var intervalReported: Rate
        /// Coverage of the other printed intervals on the same pure power laws: plain
        /// Hill's (exact only for a pure Pareto) at k*, and the GPD fit's α interval.
        package var hillCoverage: Rate
        package var gpdCoverage: Rate

        enum CodingKeys: String, CodingKey {
            case n, samples, confusion, inconclusive, coverage
            case hillCoverage = "hill_coverage", gpdCoverage = "gpd_coverage", heavyPrecision = "heavy_precision"
            case infiniteVariancePrecision = "infinite_variance_precision", lightPrecision = "light_precision"
            case infiniteVarianceRecall = "infinite_variance_recall_alpha_le_1_6", lightRecall = "light_recall_exponential_type"
            case intervalReported = "interval_reported", withinReach = "precision_within_reach"
        }
    }

    /// The precision of each committed verdict.
    package struct Precisions: Codable, Sendable {
        package var infiniteVariance: Rate
        package var light: Rate
        package var heavy: Rate
        enum CodingKeys: String, CodingKey { case infiniteVariance = "infinite_variance", light, heavy }
    }

    package struct Result: Codable, Sendable {
        package var rule: String
        /// "tuning" or "held-out".
        package var battery: String
        package var seeds: Int
        package var firstSeed: UInt64
        package var summaries: [Summary]
        package var rows: [Row]

        enum CodingKeys: String, CodingKey {
            case rule, battery, seeds, summaries, rows
            case firstSeed = "first_seed"
        }
    }

    /// Runs the battery (or the cases at `indices`) at every n in `sizes` with seeds
    /// firstSeed..<firstSeed + seeds (a later range gives draws an earlier run never saw).
    /// `dependent`: each sample is also read as a trajectory, as `check --dependent` reads it.
    package static func run(sizes: [Int], seeds: Int, firstSeed: UInt64 = 0, battery kind: CalibrationBattery.Kind = .tuning,
                           indices: [Int]? = nil, rule: TailVerdictRule = TailVerdictRule(), dependent: Bool = false,
                           progress: ((Int, Int) -> Void)? = nil) -> Result {
        let cases = kind.cases
        let chosen = indices ?? Array(cases.indices)
        var rows: [Row] = []
        var summaries: [Summary] = []
        let total = sizes.count * chosen.count * seeds
        var finished = 0
        let lock = NSLock()
        for n in sizes {
            let jobs = chosen.flatMap { index in (0..<seeds).map { (index, firstSeed + UInt64($0)) } }
            var outcomes = [Outcome](repeating: Outcome(), count: jobs.count)
            outcomes.withUnsafeMutableBufferPointer { buffer in
                let output = buffer
                DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
                    let (index, seed) = jobs[j]
                    let samples = CalibrationBattery.sample(index, n: n, seed: seed, kind: kind)
                    let data = OrderStatistics(samples: samples)
                    let decision = rule.decide(data, n: n, trajectory: dependent ? DependentSamples(ordered: samples) : nil)
                    let hill = decision.evidence.kStar.map { HillEstimator.estimate(data, k: $0).alphaInterval95 } ?? nil
                    output[j] = Outcome(verdict: decision.verdict, interval: decision.evidence.alphaInterval95, alpha: decision.evidence.alpha,
                                        reason: decision.reason, hillInterval: hill, gpdInterval: decision.evidence.gpd?.alphaInterval95)
                    lock.lock()
                    finished += 1
                    let done = finished
                    lock.unlock()
                    progress?(done, total)
                }
            }
            var nRows: [Row] = []
            for (position, index) in chosen.enumerated() {
                let battery = cases[index]
                let mine = outcomes[(position * seeds)..<((position + 1) * seeds)]
                var verdicts: [String: Int] = [:], reasons: [String: Int] = [:]
                for outcome in mine {
                    verdicts[outcome.verdict.rawValue, default: 0] += 1
                    if outcome.verdict == .inconclusive { reasons[shortReason(outcome.reason), default: 0] += 1 }
                }
                func coverage(_ interval: (Outcome) -> ClosedInterval?) -> Rate? {
                    guard let alpha = battery.alpha else { return nil }
                    let intervals = mine.compactMap(interval)
                    return Rate(count: intervals.filter { $0.contains(alpha) }.count, total: intervals.count)
                }
                let estimates = mine.compactMap(\.alpha).sorted()
                nRows.append(Row(name: battery.name, family: battery.family, truth: battery.truth,
                                 truthWithinReach: battery.truth(withinReachOf: n), featureDraws: battery.featureDraws(n: n), alpha: battery.alpha, n: n,
                                 verdicts: verdicts, coverage: coverage(\.interval), hillCoverage: coverage(\.hillInterval),
                                 gpdCoverage: coverage(\.gpdInterval),
                                 medianAlpha: estimates.isEmpty ? nil : estimates[estimates.count / 2], inconclusiveReasons: reasons))
            }
            summaries.append(summarise(nRows, n: n, seeds: seeds))
            rows += nRows
        }
        return Result(rule: TailVerdictEvidence().rule, battery: kind.rawValue, seeds: seeds, firstSeed: firstSeed, summaries: summaries, rows: rows)
    }

    /// What one draw of one case gave.
    struct Outcome {
        var verdict = TailVerdict.inconclusive
        var interval: ClosedInterval?
        var alpha: Double?
        var reason = ""
        var hillInterval: ClosedInterval?
        var gpdInterval: ClosedInterval?
    }

    /// A short key for a reason, to count reasons by.
    static func shortReason(_ reason: String) -> String {
        let keys: [(String, String)] = [
            ("separate cluster", "light body, a cluster on top"), ("above 0 at 95 % for k", "positive GPD shape higher up"),
            ("far beyond", "outlier above a light fit"), ("looks light, but n", "n too small for light"), ("looks like α < 2", "n too small for infinite-variance"), ("looks like α ≥ 2", "n too small for heavy"),
            ("too small", "n too small"), ("bends like", "curvature (lognormal-like)"), ("drifts", "no stable k"),
            ("stable only for", "stable only for small k"), ("cannot exclude an exponential", "GPD interval reaches ξ = 0"),
            ("disagree", "GPD and Hill disagree"), ("lognormal fits", "lognormal fits better"), ("straddles", "interval straddles 2"),
            ("too large to be a tail index", "α̂ too large"), ("bias model", "bias correction too large"), ("heavier than the rest", "heavier higher up"), ("wider than an exponential", "top heavier than exponential")
        ]
        return keys.first { reason.contains($0.0) }?.1 ?? String(reason.prefix(30))
    }

    static func summarise(_ rows: [Row], n: Int, seeds: Int) -> Summary {
        var confusion: [String: [String: Int]] = [:]
        var recallTotal = 0, recallHit = 0
        var lightTotal = 0, lightHit = 0, inconclusive = 0, covered = 0, reported = 0, pureSeeds = 0
        var hill = (count: 0, total: 0), gpd = (count: 0, total: 0)
        for row in rows {
            for (verdict, count) in row.verdicts { confusion[row.truth.rawValue, default: [:]][verdict, default: 0] += count }
            let iv = row.verdicts[TailVerdict.infiniteVariance.rawValue] ?? 0, light = row.verdicts[TailVerdict.light.rawValue] ?? 0
            if let alpha = row.alpha, alpha <= 1.6 { recallTotal += seeds; recallHit += iv }
            if row.family == .exponentialType { lightTotal += seeds; lightHit += light }
            inconclusive += row.verdicts[TailVerdict.inconclusive.rawValue] ?? 0
            if row.family == .pure, let coverage = row.coverage {
                covered += coverage.count; reported += coverage.total; pureSeeds += seeds
                if let h = row.hillCoverage { hill.count += h.count; hill.total += h.total }
                if let g = row.gpdCoverage { gpd.count += g.count; gpd.total += g.total }
            }
        }
        let precision = precisions(rows) { $0.truth }
        return Summary(n: n, samples: rows.count * seeds, confusion: confusion,
                       infiniteVariancePrecision: precision.infiniteVariance, lightPrecision: precision.light,
                       heavyPrecision: precision.heavy, withinReach: precisions(rows) { $0.truthWithinReach },
                       infiniteVarianceRecall: Rate(count: recallHit, total: recallTotal), lightRecall: Rate(count: lightHit, total: lightTotal),
                       inconclusive: Rate(count: inconclusive, total: rows.count * seeds), coverage: Rate(count: covered, total: reported),
                       intervalReported: Rate(count: reported, total: pureSeeds),
                       hillCoverage: Rate(count: hill.count, total: hill.total), gpdCoverage: Rate(count: gpd.count, total: gpd.total))
    }

    /// How often each committed verdict matches `truth` of its row.
    static func precisions(_ rows: [Row], truth: (Row) -> TailVerdict) -> Precisions {
        func precision(_ verdict: TailVerdict) -> Rate {
            let calls = rows.map { ($0.verdicts[verdict.rawValue] ?? 0, truth($0) == verdict) }
            return Rate(count: calls.filter(\.1).map(\.0).reduce(0, +), total: calls.map(\.0).reduce(0, +))
        }
        return Precisions(infiniteVariance: precision(.infiniteVariance), light: precision(.light), heavy: precision(.heavy))
    }
}
