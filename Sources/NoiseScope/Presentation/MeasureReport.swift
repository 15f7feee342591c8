import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeModels
import NoiseScopeTraining

/// One self-contained HTML page of a run directory (what `noisescope report`
/// writes): drawn from the numbers in the directory alone.
public struct RunReportBuilder: Sendable {
    /// Seed of the bootstraps when the check is run here (torch logs).
    public var seed: UInt64
    /// Bootstrap replicates of the power-law goodness of fit (torch logs).
    public var bootstrap: Int

    public init(seed: UInt64 = 0, bootstrap: Int = 100) {
        self.seed = seed
        self.bootstrap = bootstrap
    }

    /// The page of `run`: a `measure` run (summary.json), a noisescope_torch
    /// log (manifest.json) or a `train` run (loss.csv).
    /// The observed upper quantiles and kurtosis beside one reference's.
    static func shapeTable(_ title: String, _ c: ReferenceComparison, word: String) -> RunReport.Table {
        .init(title: title, rows: [
            ("q99 / median", String(format: "%.4g (%@ %.4g)", c.observed.q99OverMedian, word, c.referenceShape.q99OverMedian)),
            ("q99.9 / median", String(format: "%.4g (%@ %.4g)", c.observed.q999OverMedian, word, c.referenceShape.q999OverMedian)),
            ("max / median", String(format: "%.4g (%@ %.4g)", c.observed.maxOverMedian, word, c.referenceShape.maxOverMedian)),
            ("excess kurtosis", String(format: "%.4g (%@ %.4g)", c.observed.excessKurtosis, word, c.referenceShape.excessKurtosis)),
        ])
    }

    public func report(of run: RunDirectory) throws -> RunReport {
        var status = stat()
        guard stat(run.path, &status) == 0 else {
            throw NoiseScopeError("\(TerminalText.safeForTerminal(run.path, limit: 200)): no such directory; give the folder of a measure or train run, or a noisescope_torch log")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw NoiseScopeError("\(TerminalText.safeForTerminal(run.path, limit: 200)) is not a directory; give the folder of a run, not one of its files")
        }
        if try run.has("summary.json") { return try measureReport(run) }
        if try run.has("manifest.json") { return try torchLogReport(run) }
        if try run.has("loss.csv") { return try trainingRunReport(run) }
        throw NoiseScopeError("\(run.path) holds neither summary.json (from noisescope measure), manifest.json (from noisescope_torch) nor loss.csv (from noisescope train); give a run directory")
    }

    func measureReport(_ run: RunDirectory) throws -> RunReport {
        let files = try MeasureRunFiles.read(run)
        let (summary, norms, variance) = (files.summary, files.norms, files.variance)
        var tables = RunReport.tables(for: summary.check)
        tables.append(Self.shapeTable("Against the Gaussian reference of the same dimension", summary.referenceComparison, word: "reference"))
        if let m = summary.matchedReferenceComparison, let d = summary.effectiveDimension {
            tables.append(Self.shapeTable(String(format: "Against a Gaussian matched to the spread (effective dimension %.0f)", d), m, word: "matched"))
        }
        if let m = summary.spectrumReferenceComparison, let spectrum = summary.covarianceSpectrum {
            tables.append(Self.shapeTable(String(format: "Against a Gaussian with the sketched covariance spectrum (%@)", spectrum.shortDescription), m, word: "spectrum"))
        }
        if let stable = summary.stableReferenceComparison {
            tables.append(Self.shapeTable("Against the \(stable.reference)", stable, word: "α-stable"))
        }
        if let groups = summary.noiseByGroup, !groups.isEmpty {
            tables.append(.init(title: "Per layer group", rows: groups.map { group in
                (TerminalText.safeForTerminal(group.group, limit: 60),
                 String(format: "%.3g %% of the squared noise, median %.4g, q99/median %.4g, excess kurtosis %.4g; ",
                        100 * group.shareOfSquaredNoise, group.median, group.q99OverMedian, group.excessKurtosis)
                 + "\(group.verdict.rawValue): \(group.verdictReason)")
            }, wide: true))
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
        let measurement = MeasurementRun.measurementFigure(summary: summary, norms: norms, variance: variance)
        let checkSummary = CheckFigures.figures(samples: norms.filter { $0 > 0 && $0.isFinite }, report: summary.check).first { $0.name == "summary.svg" }
        var figures = [("Noise norms beside the Gaussian reference, and the empirical variance against the number of minibatches.", measurement.render().svg)]
        if let checkSummary {
            figures.append(("Histogram, log–log tail with the fitted power law, and the Hill plot of the noise norms.", checkSummary.figure.render().svg))
        }
        return RunReport(title: "Gradient noise of \(summary.model) on \(summary.data)", verdict: summary.verdict,
                         verdictReason: summary.check.verdictReason, facts: facts,
                         glance: RunReport.glance(for: summary.check), tables: tables, figures: figures)
    }
}
