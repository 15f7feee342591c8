import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics

/// `report` on a log directory of the PyTorch companion: the pooled check (as
/// a trajectory), the check per layer group, and the noise over training.
extension RunReportBuilder {
    /// One step record of steps.jsonl, as far as the page uses it.
    struct StepRecord: Decodable {
        var step: Int?
        var noiseNorms: [Double?]?
        var bSimple: Double?
        var bSimpleEma: Double?
        var gBigSquared: Double?
        enum CodingKeys: String, CodingKey {
            case step, noiseNorms = "noise_norms", bSimple = "b_simple", bSimpleEma = "b_simple_ema", gBigSquared = "g_big_sq"
        }
    }

    /// The page of a companion log: read the manifest and the noise, check it,
    /// then the sections (over training, per layer group) that the log has files for.
    func torchLogReport(_ run: RunDirectory) throws -> RunReport {
        let manifest = try TorchLogManifest.read(run)
        let noise = try torchLogNoise(run)
        var section = Section(facts: Self.facts(of: manifest, n: noise.samples.count, source: noise.source),
                              tables: RunReport.tables(for: noise.check), figures: [])
        if let figure = CheckFigures.figures(samples: noise.samples, report: noise.check).first(where: { $0.name == "summary.svg" })?.figure {
            section.figures.append(("Histogram, log–log tail with the fitted power law, and the Hill plot of the noise norms (all recording steps pooled).", figure.render().svg))
        }
        if try run.has("steps.jsonl") { section.append(overTraining(try readSteps(run), check: noise.check)) }
        if let groups = manifest.groups, try run.has("noise_norms_by_group.npy") {
            section.tables.append(try perGroupTable(run, groups: groups))
        }
        return RunReport(title: "Gradient noise of \(manifest.modelClass ?? "n/a") (PyTorch log)", verdict: noise.check.verdict,
                         verdictReason: noise.check.verdictReason, facts: section.facts,
                         glance: RunReport.glance(for: noise.check), tables: section.tables, figures: section.figures)
    }

    /// Facts, tables and figures of one part of the page, in page order.
    struct Section {
        var facts: [String]
        var tables: [RunReport.Table]
        var figures: [(String, String)]

        mutating func append(_ other: Section) {
            facts += other.facts
            tables += other.tables
            figures += other.figures
        }
    }

    /// What the manifest says about the run, after the sample's size and source.
    static func facts(of manifest: TorchLogManifest, n: Int, source: String) -> [String] {
        let rule = TailVerdictRule()
        func shown<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "n/a" }
        return [
            "n = \(n) \(source); the verdict commits from n = \(rule.minimumSamples), can say light from n = \(rule.minimumForLight), heavy from n = \(rule.minimumForHeavy) and infinite-variance from n = \(rule.minimumForInfiniteVariance)",
            "\(shown(manifest.modelClass)) (\(shown(manifest.parameterCount)) parameters), mode \(shown(manifest.mode)), noise against \(shown(manifest.noiseReference))",
            "world size \(shown(manifest.worldSize)), B_small = \(shown(manifest.batchSizeSmall)), B_big = \(shown(manifest.batchSizeBig)), seed \(shown(manifest.seed))",
            "recorded \(shown(manifest.created)) – \(shown(manifest.closed)), complete: \(manifest.complete.map { $0 ? "yes" : "no (the run stopped early)" } ?? "n/a")",
        ]
    }

    /// From steps.jsonl: B_simple and the gradient-norm quantiles as facts, the
    /// noise in windows of recording steps (table and figures), and B_simple over training.
    func overTraining(_ records: [StepRecord], check: TailCheckReport) -> Section {
        var section = Section(facts: [], tables: [], figures: [])
        var steps: [Int] = [], ordered: [Double] = []
        for record in records {
            for norm in record.noiseNorms ?? [] { if let norm { ordered.append(norm); steps.append(record.step ?? 0) } }
        }
        let ema = records.compactMap { r in r.bSimpleEma.map { (Double(r.step ?? 0), $0) } }
        if let last = ema.last { section.facts.append(String(format: "gradient noise scale B_simple (EMA, last of %d records) = %.4g", records.count, last.1)) }
        let gradientNorms = records.compactMap { $0.gBigSquared }.filter { $0.isFinite && $0 >= 0 }.map { $0.squareRoot() }.sorted()
        if gradientNorms.count >= 10 {
            let q = { (p: Double) in quantile(ofSorted: gradientNorms, probability: p) }
            section.facts.append(String(format: "gradient norm ‖g‖ over %d recording steps: median %.4g, 0.9 quantile %.4g (a clipping threshold that clips about one step in ten; see “What to do”)", gradientNorms.count, q(0.5), q(0.9)))
        }
        if let trajectory = TrajectoryWindows.analyse(ordered, steps: steps) {
            var table = RunReport.Table.overTraining(trajectory)
            table.wide = true
            section.tables.append(table)
            // One figure per panel, so that a narrow window stacks them instead of shrinking their text.
            section.figures.append(("Over training: noise-norm quantiles per window of recording steps.",
                                    Figure(title: "Noise over training", width: 900, height: 460, rows: 1, columns: 1,
                                           panels: [TrajectoryFigures.quantileAxes(trajectory, title: "")]).render().svg))
            if var tail = TrajectoryFigures.tailIndexAxes(trajectory) {
                tail.title = ""
                section.figures.append(("The tail index per window of recording steps, with its 95 % interval where the verdict's rule reached one.",
                                        Figure(title: "Tail index over training", width: 900, height: 460, rows: 1, columns: 1, panels: [tail]).render().svg))
            }
        }
        // B_simple: the EMA on a linear axis, the raw values (which change sign) on symlog; as the comparison page draws them.
        let series = records.map { (step: Double($0.step ?? 0), raw: $0.bSimple, ema: $0.bSimpleEma) }
        if series.contains(where: { $0.raw != nil || $0.ema != nil }) {
            section.figures += bSimpleOverTraining([ComparedRun(label: "this run", samples: [], check: check, source: "", bSimple: series)])
        }
        return section
    }

    /// The check of each layer group's noise norms. A group with fewer samples
    /// than the check needs says so; any other failure (an unreadable file) is an error.
    func perGroupTable(_ run: RunDirectory, groups: [String]) throws -> RunReport.Table {
        var rows: [(String, String)] = []
        for (index, name) in groups.enumerated() {
            let values = try TorchLogInput(directory: run.path, file: "noise_norms_by_group.npy", column: String(index + 1))
                .samples(SampleReader()).values
            let clean = values.filter { $0 > 0 && $0.isFinite }
            let label = TerminalText.safeForTerminal(name, limit: 60)
            guard clean.count >= TailCheck.minimumSampleCount, Set(clean).count > 1 else {
                rows.append((label, "too few samples (\(clean.count) positive, \(Set(clean).count) distinct)")); continue
            }
            let groupCheck = try TailCheck.run(clean, options: checkOptions(groupStarts: nil))
            rows.append((label, "\(groupCheck.verdict.rawValue): median \(String(format: "%.4g", groupCheck.summary.median)); \(groupCheck.verdictReason)"))
        }
        return .init(title: "Per layer group", rows: rows, wide: true)
    }

    /// The check's options for a log's noise: a trajectory, so the interval allows for dependence.
    func checkOptions(groupStarts: [Int]?) -> TailCheck.Options {
        var options = TailCheck.Options(seed: seed, bootstrapReplicates: bootstrap)
        options.dependent = true
        options.groupStarts = groupStarts
        return options
    }

    /// A log's noise and its check: the per-example noise when the log has it
    /// (as check DIR reads it), else the micro-batch norms; checked as a
    /// trajectory, whose blocks are whole recording steps for per-example noise
    /// (one step's samples share ḡ_B and the parameters).
    func torchLogNoise(_ run: RunDirectory) throws -> (samples: [Double], check: TailCheckReport, source: String) {
        let perExample = try TorchLogInput.resolve(group: nil)(run.path).flatMap { $0.stepsFile == nil ? nil : $0 }
        guard try perExample != nil || run.has("noise_norms.npy") else {
            throw NoiseScopeError("\(run.path) has no noise_norms.npy: the run recorded no noise sample (was it stopped before its first recording step?)")
        }
        let read = try perExample?.samples(SampleReader()).values ?? run.samples("noise_norms.npy").values
        let usable = read.map { $0 > 0 && $0.isFinite }
        let samples = zip(read, usable).filter(\.1).map(\.0)
        let options = checkOptions(groupStarts: try perExample?.groupStarts(keeping: usable))
        let source = perExample == nil ? "micro-batch noise norms (noise_norms.npy)"
            : "per-example noise ‖g_i − ḡ_B‖ (noise_per_example.npy)\(options.groupStarts.map { " from \($0.count) recording steps" } ?? "")"
        return (samples, try TailCheck.run(samples, options: options), source)
    }

    func readSteps(_ run: RunDirectory) throws -> [StepRecord] {
        let text = String(decoding: try run.data("steps.jsonl"), as: UTF8.self)
        var records: [StepRecord] = []
        for (number, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do { records.append(try JSONDecoder().decode(StepRecord.self, from: Data(line.utf8))) } catch {
                throw NoiseScopeError("\(run.path)/steps.jsonl line \(number + 1) is not a step record (\(TerminalText.safeForTerminal("\(error)", limit: 120)))")
            }
        }
        return records
    }
}
