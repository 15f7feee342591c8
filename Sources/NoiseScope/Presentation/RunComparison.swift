import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeModels
import NoiseScopeTraining

/// `report A B …`: several runs or logs on one page. Each run's verdict with
/// its interval and quantiles in one table; the tails of all runs on one pair
/// of axes (each scaled by its median, so shapes compare across scales); α̂
/// and B_simple over training on shared axes for the logs that have them.
/// Every panel is its own figure, so that a narrow window stacks them
/// instead of shrinking their text.
extension RunReportBuilder {
    /// The most runs one page compares: one colour each.
    package static let comparedRunLimit = 8

    /// What the page needs of one run.
    struct ComparedRun {
        var label: String
        var samples: [Double]
        var check: TailCheckReport
        var source: String
        var trajectory: TrajectoryWindows?
        var bSimple: [(step: Double, raw: Double?, ema: Double?)] = []
    }

    /// One run's noise and check: a `measure` run's own stored check, or a
    /// torch log checked here as `report DIR` checks it.
    func compared(_ run: RunDirectory, label: String) throws -> ComparedRun {
        if try run.has("summary.json") {
            let summary: MeasurementSummary
            do { summary = try JSONDecoder().decode(MeasurementSummary.self, from: try run.data("summary.json")) } catch let error as NoiseScopeError {
                throw error
            } catch {
                throw NoiseScopeError("\(run.path)/summary.json is not a noisescope measure summary (\(error))")
            }
            let norms = try run.samples("noise_norms.npy").values.filter { $0 > 0 && $0.isFinite }
            return ComparedRun(label: label, samples: norms, check: summary.check, source: "measure: \(summary.model) on \(summary.data), B = \(summary.batchSize)")
        }
        if try run.has("manifest.json") {
            let noise = try torchLogNoise(run)
            var compared = ComparedRun(label: label, samples: noise.samples, check: noise.check, source: "PyTorch log: \(noise.source)")
            if try run.has("steps.jsonl") {
                let records = try readSteps(run)
                var steps: [Int] = [], ordered: [Double] = []
                for record in records {
                    for norm in record.noiseNorms ?? [] { if let norm { ordered.append(norm); steps.append(record.step ?? 0) } }
                }
                compared.trajectory = TrajectoryWindows.analyse(ordered, steps: steps)
                compared.bSimple = records.map { (Double($0.step ?? 0), $0.bSimple, $0.bSimpleEma) }
            }
            return compared
        }
        throw NoiseScopeError("\(TerminalText.safeForTerminal(run.path, limit: 200)) is neither a measure run (summary.json) nor a noisescope_torch log (manifest.json); a page of several runs compares those")
    }

    /// The page of several runs, in the order given.
    package func comparison(of runs: [RunDirectory]) throws -> RunReport {
        guard (2...Self.comparedRunLimit).contains(runs.count) else {
            throw NoiseScopeError("a page compares 2 to \(Self.comparedRunLimit) runs, got \(runs.count)")
        }
        let names = runs.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        // Labels are the folder names, or the paths where two folders share a name.
        let labels = runs.enumerated().map { index, run in
            TerminalText.safeForTerminal(Set(names).count == names.count ? names[index] : run.path, limit: 60)
        }
        let compared = try zip(runs, labels).map { try self.compared($0, label: $1) }
        var rows: [(String, String)] = []
        for run in compared {
            let sorted = run.samples.sorted()
            let median = quantile(ofSorted: sorted, probability: 0.5), q99 = quantile(ofSorted: sorted, probability: 0.99)
            let alpha = run.check.evidence.alpha.map { "α̂ \(RunReport.g($0)) \(RunReport.interval(run.check.evidence.alphaInterval95))" } ?? "no α̂"
            rows.append((run.label, "\(run.check.verdict.rawValue); n = \(run.samples.count); \(alpha); median \(RunReport.g(median)), q99 \(RunReport.g(q99)), q99/median \(RunReport.g(q99 / median)) — \(run.check.verdictReason)"))
        }
        var tables = [RunReport.Table(title: "Runs side by side", rows: rows, wide: true)]
        let verdicts = compared.map(\.check.verdict).reduce(into: [TailVerdict]()) { if !$0.contains($1) { $0.append($1) } }
        tables.append(.init(title: "What to do, by verdict", rows: verdicts.map { ($0.rawValue, RunReport.advice(for: $0)) }, wide: true))
        var figures: [(caption: String, svg: String)] = []
        figures.append(("The tail of each run's noise, each scaled by its own median: the fraction of samples above x times the median. A straight line on these axes is a power law; its slope is −α.",
                        Figure(title: "Tails, scaled by the median", width: 900, height: 520, rows: 1, columns: 1, panels: [tailAxes(compared)]).render().svg))
        if let alpha = alphaOverTraining(compared) {
            figures.append(("α̂ per window of recording steps, every log on the same axes (windows where the verdict's rule reached an estimate); α = 2 divides infinite from finite variance.",
                            Figure(title: "Tail index over training", width: 900, height: 460, rows: 1, columns: 1, panels: [alpha]).render().svg))
        }
        figures += bSimpleOverTraining(compared)
        return RunReport(title: "Gradient noise of \(compared.count) runs side by side", verdict: nil,
                         verdictReason: "Each run's verdict, with the interval and the quantiles it rests on, is in the first table; the figures share their axes.",
                         facts: compared.map { "\($0.label): \($0.source)" }, tables: tables, figures: figures)
    }

    /// Log–log CCDFs of x / median, at about 200 log-spaced ranks per run.
    func tailAxes(_ runs: [ComparedRun]) -> Axes {
        var axes = Axes(title: "", xLabel: "noise / its median", yLabel: "fraction of samples above",
                        xScale: .log10, yScale: .log10)
        for (index, run) in runs.enumerated() {
            let descending = run.samples.sorted(by: >)
            let median = quantile(ofSorted: descending.reversed(), probability: 0.5)
            guard median > 0, descending.count >= 2 else { continue }
            var ranks: [Int] = [], rank = 1.0
            while Int(rank) <= descending.count {
                if ranks.last != Int(rank) { ranks.append(Int(rank)) }
                rank *= 1.05
            }
            axes.add(.line(x: ranks.map { descending[$0 - 1] / median }, y: ranks.map { Double($0) / Double(descending.count) },
                           label: run.label, style: SeriesStyle(color: Color.okabeIto[index % Color.okabeIto.count])))
        }
        return axes
    }

    /// α̂ per window for every log that has windows with an estimate; nil when none has.
    func alphaOverTraining(_ runs: [ComparedRun]) -> Axes? {
        var axes = Axes(title: "", xLabel: "Training step", yLabel: "α̂ (reduced-bias Hill)")
        var any = false
        for (index, run) in runs.enumerated() {
            let windows = run.trajectory?.windows.filter { $0.alpha != nil } ?? []
            guard !windows.isEmpty else { continue }
            any = true
            axes.add(.line(x: windows.map { Double($0.firstStep + $0.lastStep) / 2 }, y: windows.map { $0.alpha ?? .nan }, label: run.label,
                           style: SeriesStyle(color: Color.okabeIto[index % Color.okabeIto.count], marker: .circle, markerRadius: 3)))
        }
        guard any else { return nil }
        axes.add(.horizontalLine(y: 2, label: "α = 2", style: SeriesStyle(color: .black, dash: .dashed)))
        return axes
    }

    /// B_simple over training: the EMA on a linear axis; the raw values, which
    /// change sign, on a symlog axis (linear within ±1 of the median |raw|).
    func bSimpleOverTraining(_ runs: [ComparedRun]) -> [(caption: String, svg: String)] {
        let logged = runs.enumerated().filter { !$0.element.bSimple.isEmpty }
        guard !logged.isEmpty else { return [] }
        var ema = Axes(title: "", xLabel: "Training step", yLabel: "B_{simple} (examples)")
        let rawMagnitudes = logged.flatMap { $0.element.bSimple.compactMap { $0.raw.map(abs) } }.filter(\.isFinite).sorted()
        let threshold = max(rawMagnitudes.isEmpty ? 1 : quantile(ofSorted: rawMagnitudes, probability: 0.5), 1e-12)
        var raw = Axes(title: "", xLabel: "Training step", yLabel: "B_{simple} (examples)", yScale: .symlog(linearThreshold: threshold))
        for (index, run) in logged {
            let style = SeriesStyle(color: Color.okabeIto[index % Color.okabeIto.count])
            let e = run.bSimple.compactMap { point in point.ema.map { (point.step, $0) } }.filter { $0.1.isFinite }
            let r = run.bSimple.compactMap { point in point.raw.map { (point.step, $0) } }.filter { $0.1.isFinite }
            if !e.isEmpty { ema.add(.line(x: e.map(\.0), y: e.map(\.1), label: run.label, style: style)) }
            if !r.isEmpty { raw.add(.line(x: r.map(\.0), y: r.map(\.1), label: run.label, style: style)) }
        }
        let shared = logged.count > 1 ? ", every log on the same axes" : ""
        return [("B_simple over training (exponential moving average)\(shared).",
                 Figure(title: "Gradient noise scale over training", width: 900, height: 460, rows: 1, columns: 1, panels: [ema]).render().svg),
                ("B_simple's raw per-step values, which can be negative, on a symmetric-log axis (linear near zero).",
                 Figure(title: "Gradient noise scale over training, raw", width: 900, height: 460, rows: 1, columns: 1, panels: [raw]).render().svg)]
    }
}
