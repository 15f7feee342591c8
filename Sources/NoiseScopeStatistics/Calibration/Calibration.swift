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
        package var alpha: Double?
        package var n: Int
        /// Verdict → count.
        package var verdicts: [String: Int]
        /// Intervals reported and how many covered the true α.
        package var coverage: Rate?
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
        /// Tails with α ≤ 1.6 called infinite-variance.
        package var infiniteVarianceRecall: Rate
        /// Exponential-type tails called light.
        package var lightRecall: Rate
        package var inconclusive: Rate
        /// Pure power laws whose reported 95 % interval covers α (among reported intervals).
        package var coverage: Rate
        /// Pure power laws with an interval reported at all.
        package var intervalReported: Rate

        enum CodingKeys: String, CodingKey {
            case n, samples, confusion, inconclusive, coverage
            case infiniteVariancePrecision = "infinite_variance_precision", lightPrecision = "light_precision"
            case infiniteVarianceRecall = "infinite_variance_recall_alpha_le_1_6", lightRecall = "light_recall_exponential_type"
            case intervalReported = "interval_reported"
        }
    }

    package struct Result: Codable, Sendable {
        package var rule: String
        package var seeds: Int
        package var summaries: [Summary]
        package var rows: [Row]
    }

    /// Runs the battery (or the cases at `indices`) at every n in `sizes` with seeds 0..<seeds.
    package static func run(sizes: [Int], seeds: Int, indices: [Int]? = nil, rule: TailVerdictRule = TailVerdictRule(),
                           progress: ((Int, Int) -> Void)? = nil) -> Result {
        let chosen = indices ?? Array(CalibrationBattery.cases.indices)
        var rows: [Row] = []
        var summaries: [Summary] = []
        let total = sizes.count * chosen.count * seeds
        var finished = 0
        let lock = NSLock()
        for n in sizes {
            let jobs = chosen.flatMap { index in (0..<seeds).map { (index, UInt64($0)) } }
            var outcomes = [(TailVerdict, ClosedInterval?, Double?, String)](repeating: (.inconclusive, nil, nil, ""), count: jobs.count)
            outcomes.withUnsafeMutableBufferPointer { buffer in
                let output = buffer
                DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
                    let (index, seed) = jobs[j]
                    let data = OrderStatistics(samples: CalibrationBattery.sample(index, n: n, seed: seed))
                    let decision = rule.decide(data, n: n)
                    output[j] = (decision.verdict, decision.evidence.alphaInterval95, decision.evidence.alpha, decision.reason)
                    lock.lock()
                    finished += 1
                    let done = finished
                    lock.unlock()
                    progress?(done, total)
                }
            }
            var nRows: [Row] = []
            for (position, index) in chosen.enumerated() {
                let battery = CalibrationBattery.cases[index]
                let mine = outcomes[(position * seeds)..<((position + 1) * seeds)]
                var verdicts: [String: Int] = [:], reasons: [String: Int] = [:]
                for outcome in mine {
                    verdicts[outcome.0.rawValue, default: 0] += 1
                    if outcome.0 == .inconclusive { reasons[shortReason(outcome.3), default: 0] += 1 }
                }
                var coverage: Rate? = nil
                if let alpha = battery.alpha {
                    let intervals = mine.compactMap(\.1)
                    coverage = Rate(count: intervals.filter { $0.contains(alpha) }.count, total: intervals.count)
                }
                let estimates = mine.compactMap(\.2).sorted()
                nRows.append(Row(name: battery.name, family: battery.family, truth: battery.truth, alpha: battery.alpha, n: n,
                                 verdicts: verdicts, coverage: coverage,
                                 medianAlpha: estimates.isEmpty ? nil : estimates[estimates.count / 2], inconclusiveReasons: reasons))
            }
            summaries.append(summarise(nRows, n: n, seeds: seeds))
            rows += nRows
        }
        return Result(rule: TailVerdictEvidence().rule, seeds: seeds, summaries: summaries, rows: rows)
    }

    /// A short key for a reason, to count reasons by.
    static func shortReason(_ reason: String) -> String {
        let keys: [(String, String)] = [
            ("far beyond", "outlier above a light fit"), ("looks light", "n too small for light"), ("looks like α < 2", "n too small for infinite-variance"),
            ("too small", "n too small"), ("bends like", "curvature (lognormal-like)"), ("drifts", "no stable k"),
            ("stable only for", "stable only for small k"), ("cannot exclude an exponential", "GPD interval reaches ξ = 0"),
            ("disagree", "GPD and Hill disagree"), ("lognormal fits", "lognormal fits better"), ("straddles", "interval straddles 2"),
            ("too large to be a tail index", "α̂ too large")
        ]
        return keys.first { reason.contains($0.0) }?.1 ?? String(reason.prefix(30))
    }

    static func summarise(_ rows: [Row], n: Int, seeds: Int) -> Summary {
        var confusion: [String: [String: Int]] = [:]
        var ivCalls = 0, ivRight = 0, lightCalls = 0, lightRight = 0, recallTotal = 0, recallHit = 0
        var lightTotal = 0, lightHit = 0, inconclusive = 0, covered = 0, reported = 0, pureSeeds = 0
        for row in rows {
            for (verdict, count) in row.verdicts { confusion[row.truth.rawValue, default: [:]][verdict, default: 0] += count }
            let iv = row.verdicts[TailVerdict.infiniteVariance.rawValue] ?? 0, light = row.verdicts[TailVerdict.light.rawValue] ?? 0
            ivCalls += iv
            if row.truth == .infiniteVariance { ivRight += iv }
            lightCalls += light
            if row.truth == .light { lightRight += light }
            if let alpha = row.alpha, alpha <= 1.6 { recallTotal += seeds; recallHit += iv }
            if row.family == .exponentialType { lightTotal += seeds; lightHit += light }
            inconclusive += row.verdicts[TailVerdict.inconclusive.rawValue] ?? 0
            if row.family == .pure, let coverage = row.coverage {
                covered += coverage.count; reported += coverage.total; pureSeeds += seeds
            }
        }
        return Summary(n: n, samples: rows.count * seeds, confusion: confusion,
                       infiniteVariancePrecision: Rate(count: ivRight, total: ivCalls), lightPrecision: Rate(count: lightRight, total: lightCalls),
                       infiniteVarianceRecall: Rate(count: recallHit, total: recallTotal), lightRecall: Rate(count: lightHit, total: lightTotal),
                       inconclusive: Rate(count: inconclusive, total: rows.count * seeds), coverage: Rate(count: covered, total: reported),
                       intervalReported: Rate(count: reported, total: pureSeeds))
    }
}
