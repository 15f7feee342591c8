import Foundation

extension Calibration.Result {
    /// The tables for people: per n the confusion table, each headline rate with
    /// its binomial standard error beside its target, then every case.
    package func text() -> String {
        func pct(_ rate: Calibration.Rate) -> String {
            guard let r = rate.rate, let se = rate.standardError else { return "  —   (0/0)" }
            return String(format: "%5.1f %% ± %4.1f (%d/%d)", 100 * r, 100 * se, rate.count, rate.total)
        }
        let verdicts = TailVerdict.allCases.map(\.rawValue)
        var lines = ["noisescope calibrate: rule \"\(rule)\", \(battery) battery, \(seeds) seeds per case (seeds \(firstSeed)–\(firstSeed + UInt64(seeds) - 1))"]
        for summary in summaries {
            lines.append("")
            lines.append("n = \(summary.n) (\(summary.samples) samples)")
            lines.append("  " + "truth \\ verdict".padding(toLength: 20, withPad: " ", startingAt: 0)
                         + verdicts.map { $0.padding(toLength: 19, withPad: " ", startingAt: 0) }.joined())
            for truth in [TailVerdict.infiniteVariance, .heavy, .light] {
                let counts = summary.confusion[truth.rawValue] ?? [:]
                let total = counts.values.reduce(0, +)
                let cells = verdicts.map { verdict -> String in
                    let c = counts[verdict] ?? 0
                    return String(format: "%d (%.0f %%)", c, total > 0 ? 100 * Double(c) / Double(total) : 0).padding(toLength: 19, withPad: " ", startingAt: 0)
                }
                lines.append("  " + truth.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0) + cells.joined())
            }
            let large = summary.n >= 10_000
            lines.append("  verdict infinite-variance → truth α < 2     \(pct(summary.infiniteVariancePrecision))   target ≥ 98 %")
            lines.append("  verdict light → no power-law tail          \(pct(summary.lightPrecision))   target ≥ 97 %")
            lines.append("  verdict heavy → power law with α ≥ 2        \(pct(summary.heavyPrecision))   target ≥ 95 %")
            let reach = summary.withinReach
            lines.append("  within the reach of n draws (a thin power law or a cutoff that fewer than \(TailReach.visibleDraws) draws show is judged by what they show):")
            lines.append("    infinite-variance \(pct(reach.infiniteVariance))   light \(pct(reach.light))   heavy \(pct(reach.heavy))")
            lines.append("  α ≤ 1.6 → infinite-variance                 \(pct(summary.infiniteVarianceRecall))   target ≥ 90 %\(large ? "" : " (at n ≥ 10⁴)")")
            lines.append("  exponential-type → light                    \(pct(summary.lightRecall))   target ≥ 95 %\(large ? "" : " (at n ≥ 10⁴)")")
            lines.append("  inconclusive                                \(pct(summary.inconclusive))   target ≤ 25 %\(large ? "" : " (at n ≥ 10⁴)")")
            lines.append("  95 % interval covers α (pure power laws)    \(pct(summary.coverage))   target ≥ 90 %")
            lines.append("  interval reported (pure power laws)         \(pct(summary.intervalReported))")
            lines.append("  plain Hill's interval at k* covers α         \(pct(summary.hillCoverage))   (nominal 95 %: exact only for a pure Pareto)")
            lines.append("  GPD fit's α interval covers α                \(pct(summary.gpdCoverage))   (nominal 95 %)")
        }
        lines.append("")
        lines.append("Per case: " + verdicts.joined(separator: " / ") + "; coverage of α; median α̂")
        for row in rows {
            let counts = verdicts.map { String(row.verdicts[$0] ?? 0) }.joined(separator: "/")
            let coverage = row.coverage.map { "\($0.count)/\($0.total)" } ?? "–"
            let median = row.medianAlpha.map { String(format: "%.3g", $0) } ?? "–"
            lines.append("  n=\(row.n)".padding(toLength: 11, withPad: " ", startingAt: 0)
                         + row.name.padding(toLength: 34, withPad: " ", startingAt: 0) + " "
                         + "truth \(row.truth.rawValue)".padding(toLength: 25, withPad: " ", startingAt: 0)
                         + (row.featureDraws.map { String(format: "reach %.3g draws", $0) + (row.truthWithinReach == row.truth ? " " : " → \(row.truthWithinReach.rawValue) ") } ?? "")
                         + counts.padding(toLength: 12, withPad: " ", startingAt: 0) + "cover \(coverage)".padding(toLength: 12, withPad: " ", startingAt: 0)
                         + "α̂ \(median)".padding(toLength: 10, withPad: " ", startingAt: 0)
                         + row.inconclusiveReasons.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }.joined(separator: "; "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
