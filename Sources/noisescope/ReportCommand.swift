import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope report`: one self-contained HTML page of a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page of a run: the verdict with its evidence, the figures, the tables.",
        discussion: """
            DIR is the output of `noisescope measure` (summary.json, noise_norms.npy, variance.csv), \
            a log directory written by the PyTorch companion noisescope_torch (manifest.json, \
            schema noisescope-log/1, and noise_norms.npy; the check is then run on the noise norms, \
            per layer group where recorded, and per window of training steps), or a directory \
            written by `noisescope train` (loss.csv and noise snapshots). \
            The page is drawn from those numbers alone: figures found in DIR are not copied in, \
            only regular files inside DIR are read (symbolic links are refused), and the page \
            cannot run anything (no scripts; a Content-Security-Policy forbids them). It reads offline.
            Example: noisescope report runs/noise && chromium runs/noise/report.html
            """)

    @Argument(help: "The run directory.") var directory: String
    @Option(name: .shortAndLong, help: "Where to write the page (default: DIR/report.html).") var output: String?
    @Option(help: "Seed of the bootstraps when the check is run here (torch logs).") var seed: UInt64 = 0
    @Option(help: "Bootstrap replicates for the power-law goodness of fit (torch logs).") var bootstrap = 100

    func validate() throws {
        try requireRange(bootstrap, "--bootstrap", 0...1_000_000)
    }

    func run() throws {
        try runReportingErrors {
            let run = RunDirectory(path: directory)
            let report: RunReport
            if try run.has("summary.json") {
                report = try measureReport(run)
            } else if try run.has("manifest.json") {
                report = try torchLogReport(run)
            } else if try run.has("loss.csv") {
                report = try trainingRunReport(run)
            } else {
                throw NoiseScopeError("\(directory) holds neither summary.json (from noisescope measure), manifest.json (from noisescope_torch) nor loss.csv (from noisescope train); give a run directory")
            }
            let path = output ?? URL(fileURLWithPath: directory).appendingPathComponent("report.html").path
            try AtomicFile.write(report.html(), to: path)
            printError("noisescope: wrote \(path)")
        }
    }

    func measureReport(_ run: RunDirectory) throws -> RunReport {
        let summary: MeasurementSummary
        do { summary = try JSONDecoder().decode(MeasurementSummary.self, from: try run.data("summary.json")) } catch let error as NoiseScopeError {
            throw error
        } catch {
            throw NoiseScopeError("\(run.path)/summary.json is not a noisescope measure summary (\(error))")
        }
        let norms = try SampleReader().read(path: run.file("noise_norms.npy")).values
        let varianceTable = try SampleReader(format: .csv, column: "variance").read(path: run.file("variance.csv"))
        let sampleCounts = try SampleReader(format: .csv, column: "samples").read(path: run.file("variance.csv")).values
        guard norms.count == summary.samples, varianceTable.values.count == sampleCounts.count else {
            throw NoiseScopeError("\(run.path): noise_norms.npy or variance.csv does not match summary.json (\(norms.count) norms, \(summary.samples) promised); re-run measure")
        }
        let variance = zip(sampleCounts, varianceTable.values).map { (samples: Int($0.0), variance: $0.1) }
        let c = summary.referenceComparison
        var tables = RunReport.tables(for: summary.check)
        tables.append(.init(title: "Against the Gaussian reference of the same dimension", rows: [
            ("q99 / median", String(format: "%.4g (reference %.4g)", c.observed.q99OverMedian, c.referenceShape.q99OverMedian)),
            ("q99.9 / median", String(format: "%.4g (reference %.4g)", c.observed.q999OverMedian, c.referenceShape.q999OverMedian)),
            ("max / median", String(format: "%.4g (reference %.4g)", c.observed.maxOverMedian, c.referenceShape.maxOverMedian)),
            ("excess kurtosis", String(format: "%.4g (reference %.4g)", c.observed.excessKurtosis, c.referenceShape.excessKurtosis)),
        ]))
        if let m = summary.matchedReferenceComparison, let d = summary.effectiveDimension {
            tables.append(.init(title: String(format: "Against a Gaussian matched to the spread (effective dimension %.0f)", d), rows: [
                ("q99 / median", String(format: "%.4g (matched %.4g)", m.observed.q99OverMedian, m.referenceShape.q99OverMedian)),
                ("q99.9 / median", String(format: "%.4g (matched %.4g)", m.observed.q999OverMedian, m.referenceShape.q999OverMedian)),
                ("max / median", String(format: "%.4g (matched %.4g)", m.observed.maxOverMedian, m.referenceShape.maxOverMedian)),
                ("excess kurtosis", String(format: "%.4g (matched %.4g)", m.observed.excessKurtosis, m.referenceShape.excessKurtosis)),
            ]))
        }
        var facts = [
            "\(summary.model) on \(summary.data): \(summary.parameters) parameters, minibatch B = \(summary.batchSize), N = \(summary.samples) minibatches, seed \(summary.seed)",
            String(format: "full gradient %@ over %d examples, ‖∇f‖ = %.4g", summary.fullGradient.exact ? "exact" : "estimated", summary.fullGradient.examples, summary.fullGradient.norm),
            String(format: "%.1f gradients/s, %.1f s in all", summary.gradsPerSecond, summary.wallSeconds),
        ]
        if let scale = summary.noiseScaleSimple { facts.append(String(format: "gradient noise scale B_simple = tr(Σ)/|G|² = %.4g", scale)) }
        if let stable = summary.coordinateStableIndex {
            facts.append("per-coordinate stable index (\(stable.vectors) minibatches pooled): " + (stable.alpha.map { String(format: "α̂ = %.3g", $0) } ?? String(format: "not α-stable (estimate %.3g outside (0, 2])", stable.rawAlpha)))
        }
        let measurement = MeasurementOutputs.measurementFigure(summary: summary, norms: norms, variance: variance)
        let checkSummary = CheckFigures.figures(samples: norms.filter { $0 > 0 && $0.isFinite }, report: summary.check).first { $0.name == "summary.svg" }
        var figures = [("Noise norms beside the Gaussian reference, and the empirical variance against the number of minibatches.", measurement.render().svg)]
        if let checkSummary {
            figures.append(("Histogram, log–log tail with the fitted power law, and the Hill plot of the noise norms.", checkSummary.figure.render().svg))
        }
        return RunReport(title: "Gradient noise of \(summary.model) on \(summary.data)", verdict: summary.verdict,
                         verdictReason: summary.check.verdictReason, facts: facts, tables: tables, figures: figures)
    }
}

/// The files of a run directory that a report may read: regular files directly
/// inside it. A symbolic link (which could point at any readable file) is
/// refused, so nothing from outside the directory reaches the page.
struct RunDirectory {
    let path: String

    /// True when `name` exists; throws if it exists but is not a regular file.
    func has(_ name: String) throws -> Bool {
        let full = URL(fileURLWithPath: path).appendingPathComponent(name).path
        var status = stat()
        guard lstat(full, &status) == 0 else { return false }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return true
        case S_IFLNK: throw NoiseScopeError("\(full) is a symbolic link; a report reads only regular files inside the run directory")
        default: throw NoiseScopeError("\(full) is not a regular file")
        }
    }

    /// The path of `name`, which must be a regular file.
    func file(_ name: String) throws -> String {
        guard try has(name) else { throw NoiseScopeError("\(path) has no \(name); is the run complete?") }
        return URL(fileURLWithPath: path).appendingPathComponent(name).path
    }

    /// The bytes of `name` (at most 64 MB: run documents are small).
    func data(_ name: String) throws -> Data {
        Data(try InputFile(path: file(name)).readAll(limit: 64_000_000))
    }
}
