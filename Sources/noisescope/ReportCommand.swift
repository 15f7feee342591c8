import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope report`: one self-contained HTML page of a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page of a run: the verdict with its evidence, the figures, the tables.",
        discussion: """
            DIR is the output of `noisescope measure` (summary.json and its figures) or a log \
            directory written by the PyTorch companion noisescope_torch (manifest.json, schema \
            noisescope-log/1, and noise_norms.npy; the check is then run on the noise norms). \
            The page has no scripts and no external files: it reads offline.
            Example: noisescope report runs/noise && chromium runs/noise/report.html
            """)

    @Argument(help: "The run directory.") var directory: String
    @Option(name: .shortAndLong, help: "Where to write the page (default: DIR/report.html).") var output: String?
    @Option(help: "Seed of the bootstraps when the check is run here (torch logs).") var seed: UInt64 = 0
    @Option(help: "Bootstrap replicates for the power-law goodness of fit (torch logs).") var bootstrap = 100

    func run() throws {
        try runReportingErrors {
            let url = URL(fileURLWithPath: directory)
            let report: RunReport
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("summary.json").path) {
                report = try measureReport(url)
            } else if FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.json").path) {
                report = try torchLogReport(url)
            } else {
                throw NoiseScopeError("\(directory) holds neither summary.json (from noisescope measure) nor manifest.json (from noisescope_torch); give a run directory")
            }
            let path = output ?? url.appendingPathComponent("report.html").path
            try AtomicFile.write(report.html(), to: path)
            printError("noisescope: wrote \(path)")
        }
    }

    func measureReport(_ url: URL) throws -> RunReport {
        let data = try Data(contentsOf: url.appendingPathComponent("summary.json"))
        let summary: MeasurementSummary
        do { summary = try JSONDecoder().decode(MeasurementSummary.self, from: data) } catch {
            throw NoiseScopeError("\(url.path)/summary.json is not a noisescope measure summary (\(error))")
        }
        let c = summary.referenceComparison
        var tables = RunReport.tables(for: summary.check)
        tables.append(.init(title: "Against the Gaussian reference of the same dimension", rows: [
            ("q99 / median", String(format: "%.4g (reference %.4g)", c.observed.q99OverMedian, c.referenceShape.q99OverMedian)),
            ("q99.9 / median", String(format: "%.4g (reference %.4g)", c.observed.q999OverMedian, c.referenceShape.q999OverMedian)),
            ("max / median", String(format: "%.4g (reference %.4g)", c.observed.maxOverMedian, c.referenceShape.maxOverMedian)),
            ("excess kurtosis", String(format: "%.4g (reference %.4g)", c.observed.excessKurtosis, c.referenceShape.excessKurtosis)),
        ]))
        var facts = [
            "\(summary.model) on \(summary.data): \(summary.parameters) parameters, minibatch B = \(summary.batchSize), N = \(summary.samples) minibatches, seed \(summary.seed)",
            String(format: "full gradient %@ over %d examples, ‖∇f‖ = %.4g", summary.fullGradient.exact ? "exact" : "estimated", summary.fullGradient.examples, summary.fullGradient.norm),
            String(format: "%.1f gradients/s, %.1f s in all", summary.gradsPerSecond, summary.wallSeconds),
        ]
        if let scale = summary.noiseScaleSimple { facts.append(String(format: "gradient noise scale B_simple = tr(Σ)/|G|² = %.4g", scale)) }
        if let stable = summary.coordinateStableIndex { facts.append(String(format: "per-coordinate stable index of one minibatch: α̂ = %.3g", stable.alpha)) }
        let figures: [(String, String)] = [
            ("measurement.svg", "Noise norms beside the Gaussian reference, and the empirical variance against the number of minibatches."),
            ("summary.svg", "Histogram, log–log tail with the fitted power law, and the Hill plot of the noise norms."),
        ].compactMap { name, caption in
            (try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)).map { (caption, $0) }
        }
        return RunReport(title: "Gradient noise of \(summary.model) on \(summary.data)", verdict: summary.verdict,
                         verdictReason: summary.check.verdictReason, facts: facts, tables: tables, figures: figures)
    }

    func torchLogReport(_ url: URL) throws -> RunReport {
        let manifestData = try Data(contentsOf: url.appendingPathComponent("manifest.json"))
        guard let manifest = try? JSONSerialization.jsonObject(with: manifestData) as? [String: Any] else {
            throw NoiseScopeError("\(url.path)/manifest.json is not a JSON object; is this a noisescope_torch log?")
        }
        guard manifest["schema"] as? String == "noisescope-log/1" else {
            throw NoiseScopeError("\(url.path)/manifest.json has schema '\(manifest["schema"] ?? "none")', not noisescope-log/1; re-record with a matching noisescope_torch")
        }
        let norms = try SampleReader().read(path: url.appendingPathComponent("noise_norms.npy").path).values.filter { $0 > 0 && $0.isFinite }
        let check = try TailCheck.run(norms, options: .init(seed: seed, bootstrapReplicates: bootstrap))
        func field(_ key: String) -> String { manifest[key].map { "\($0)" } ?? "n/a" }
        var facts = [
            "\(field("model_class")) (\(field("parameter_count")) parameters), mode \(field("mode")), noise against \(field("noise_reference"))",
            "world size \(field("world_size")), B_small = \(field("batch_size_small")), B_big = \(field("batch_size_big")), seed \(field("seed"))",
            "recorded \(field("created")) – \(field("closed")), complete: \(field("complete"))",
        ]
        if let text = try? String(contentsOf: url.appendingPathComponent("steps.jsonl"), encoding: .utf8) {
            let records = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if let last = records.last, let scale = last["b_simple_ema"] as? Double {
                facts.append(String(format: "gradient noise scale B_simple (EMA, last of %d records) = %.4g", records.count, scale))
            }
        }
        let figure = CheckFigures.figures(samples: norms, report: check).first { $0.name == "summary.svg" }!.figure
        return RunReport(title: "Gradient noise of \(field("model_class")) (PyTorch log)", verdict: check.verdict,
                         verdictReason: check.verdictReason, facts: facts, tables: RunReport.tables(for: check),
                         figures: [("Histogram, log–log tail with the fitted power law, and the Hill plot of the noise norms.", figure.render().svg)])
    }
}
