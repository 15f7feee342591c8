import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeModels
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining

/// What `measure` does, as a library call: fix the model, sample the noise
/// norms, check their tail, compare them with matched references, attribute
/// the largest ones, and render every file of the run.
public struct MeasureRequest: Sendable {
    public var model: ModelCatalog.Architecture = .tinygpt
    /// nil: the model's own data (`ModelCatalog.defaultData(for:)`).
    public var data: ModelCatalog.DataSource?
    public var batchSize = 8
    public var samples = 10_000
    /// Estimate ∇f from this many random minibatches instead of the whole data set.
    public var fullGradientBatches: Int?
    public var seed: UInt64 = 0
    /// Bootstrap replicates of the power-law goodness of fit.
    public var bootstrap = 100
    public var overrides = ModelCatalog.Overrides()
    /// Measure the model saved in this checkpoint; its model, data and batch size win.
    public var checkpoint: String?
    /// Examples left out of the minibatches and of ∇f.
    public var excluded: Set<Int> = []
    /// r, the top eigenvalues of the noise covariance sketched for the
    /// spectrum-matched reference (`CovarianceSketch`); 0 (the default) sketches nothing.
    public var spectrumRank = 0
    public init() {}
}

/// The files of one `measure` run, rendered in memory first so that an error
/// or a signal before writing leaves nothing behind; then written as one directory.
public struct MeasurementRun {
    public var summary: MeasurementSummary
    public var files: [(name: String, data: Data)]
    /// The raw measurement (noise norms, variance, first-minibatch coordinates).
    package var measurement: NoiseMeasurement

    /// Runs `request`: `progress(phase, done, total)` as it goes; `shouldStop()`
    /// polled between minibatches (a true answer throws `NoiseScopeError.interrupted`).
    /// `notice` hears one line before work that is forecast to take over a minute.
    public static func measure(_ request: MeasureRequest, progress: @escaping (String, Int, Int) -> Void = { _, _, _ in },
                               shouldStop: @escaping () -> Bool = { false },
                               notice: (String) -> Void = { _ in }) throws -> MeasurementRun {
        let started = DispatchTime.now().uptimeNanoseconds
        let model: any GradientModel<Float>, data: ModelCatalog.DataSource, batchSize: Int
        if let checkpoint = request.checkpoint {
            let saved = try Checkpoint.read(path: checkpoint)
            // The checkpoint's data wins; a different one asked for explicitly is refused, not ignored.
            if let asked = request.data, asked != saved.header.recipe.data {
                throw NoiseScopeError.invalidSetting(.data, message: "the checkpoint was trained on \(TerminalText.safeForTerminal(saved.header.recipe.data.name, limit: 200)), not \(TerminalText.safeForTerminal(asked.name, limit: 200)); leave the data out to measure on the checkpoint's own")
            }
            (model, data, batchSize) = (try saved.makeModel(), saved.header.recipe.data, saved.header.recipe.batchSize)
        } else {
            data = request.data ?? ModelCatalog.defaultData(for: request.model)
            batchSize = request.batchSize
            // At B = 1 the workspace holds a batched per-example pass where memory allows.
            let perExample = ModelCatalog.Recipe(architecture: request.model, data: data, batchSize: NoiseNormSampler.perExampleBatch,
                                                 seed: request.seed, overrides: request.overrides)
            let holding = batchSize == 1 && (try? ModelCatalog.validate(perExample)) != nil ? perExample.batchSize : batchSize
            model = try ModelCatalog.makeModel(request.model, data: data, batchSize: holding, seed: request.seed, overrides: request.overrides)
        }
        var options = NoiseNormSampler.Options(batchSize: batchSize, samples: request.samples,
                                               fullGradientBatches: request.fullGradientBatches, seed: request.seed)
        options.excluded = request.excluded
        options.spectrumRank = request.spectrumRank
        let sampler = try NoiseNormSampler(model: model, options: options)
        let forecast = sampler.estimatedSeconds()
        if forecast > 60 {
            notice(String(format: "%@ on %@, N = %d: this will take about %.0f minutes (forecast from timing a few gradients)",
                          model.name, data.name, request.samples, (forecast / 60).rounded(.up)))
        }
        let measurement = try sampler.run(progress: { progress($0.rawValue, $1, $2) }, shouldStop: shouldStop)
        let attribution = NoiseAttribution.compute(model: model, measurement: measurement)
        let classes = ClassFrequencyTail.measure(model, examples: model.exampleCount, bootstrap: request.bootstrap, seed: request.seed)
        let run = try make(measurement: measurement, modelName: model.name, data: data.name, batchSize: batchSize, seed: request.seed,
                           bootstrap: request.bootstrap, started: started, attribution: attribution, excluded: request.excluded.sorted(),
                           classFrequencyTail: classes)
        if shouldStop() { throw NoiseScopeError.interrupted(detail: "nothing was written") }
        return run
    }

    static func make(measurement: NoiseMeasurement, modelName: String, data: String, batchSize: Int, seed: UInt64,
                     bootstrap: Int, started: UInt64, attribution: NoiseAttribution? = nil, excluded: [Int] = [],
                     classFrequencyTail: ClassFrequencyTail? = nil) throws -> MeasurementRun {
        let norms = measurement.noiseNorms
        // A noise norm of exactly 0 (a minibatch whose gradient is the estimated ∇f itself) has no tail to
        // speak of: the check reads the positive norms and says how many it dropped.
        let cleaned = try SampleCleaner(policy: .drop).clean(norms, describeIndex: { "noise norm \($0 + 1)" })
        var check = try TailCheck.run(cleaned.samples, options: .init(seed: seed, bootstrapReplicates: bootstrap))
        if cleaned.dropped.total > 0 { check.dropped = cleaned.dropped }
        // Drawn once: the summary compares with them and measurement.svg draws them.
        let references = NoiseReferences(norms: norms, parameters: measurement.parameterCount, stableIndex: measurement.stableIndex?.alpha,
                                         spectrum: measurement.covarianceSpectrum, seed: seed)
        let comparison = ReferenceComparison(observed: norms, referenceNorms: references.isotropic.norms,
                                             reference: "sqrt(mean of \(measurement.parameterCount) squared standard Gaussians)")
        let matched = references.matched
        let matchedComparison = ReferenceComparison(observed: norms, referenceNorms: matched.norms,
                                                    reference: "Gaussian matched to the noise's spread: isotropic in the effective dimension \(matched.dimension) = 1/(2 CV²)")
        var summary = MeasurementSummary(
            model: modelName, data: data, parameters: measurement.parameterCount, batchSize: batchSize,
            samples: norms.count, seed: seed,
            fullGradient: .init(exact: measurement.fullGradientIsExact, examples: measurement.fullGradientExamples, norm: measurement.fullGradientNorm),
            check: check, verdict: check.verdict, referenceComparison: comparison, coordinateStableIndex: measurement.stableIndex,
            coordinateStableIndexPerTensor: measurement.stableIndexPerTensor,
            gradsPerSecond: measurement.gradientsPerSecond,
            wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
            noiseScaleSimple: measurement.noiseScaleSimple)
        summary.matchedReferenceComparison = matchedComparison
        summary.effectiveDimension = ReferenceComparison.effectiveDimension(of: norms)
        if let spectrum = references.spectrum {
            summary.covarianceSpectrum = measurement.covarianceSpectrum
            summary.spectrumReferenceComparison = ReferenceComparison(observed: norms, referenceNorms: spectrum.norms,
                                                                      reference: "Gaussian with the sketched covariance spectrum (\(measurement.covarianceSpectrum?.shortDescription ?? "")), the rest of tr C spread evenly")
        }
        if let stable = references.stable {
            summary.stableReferenceComparison = ReferenceComparison(observed: norms, referenceNorms: stable.norms, reference: stable.label)
        }
        summary.excludedExamples = excluded.isEmpty ? nil : excluded
        summary.classFrequencyTail = classFrequencyTail
        let totalSquared = norms.reduce(0) { $0 + $1 * $1 }
        if !measurement.groupNames.isEmpty, measurement.noiseNormsByGroup.count == norms.count {
            summary.noiseByGroup = measurement.groupNames.indices.map { g in
                MeasurementSummary.GroupNoise(group: measurement.groupNames[g], norms: measurement.noiseNormsByGroup.map { $0[g] },
                                              totalSquared: totalSquared, seed: seed)
            }
        }
        var files: [(String, Data)] = [
            ("noise_norms.csv", NumberText.csv(header: "noise_norm", rows: norms.map(NumberText.exact))),
            ("noise_norms.npy", NumpyArrayWriter.data(norms)),
            ("variance.csv", NumberText.csv(header: "samples,variance", rows: measurement.variance.map { "\($0.samples),\(NumberText.exact($0.variance))" })),
            ("coordinates.csv", NumberText.csv(header: "coordinate_noise", rows: measurement.firstBatchCoordinates.map(NumberText.exact))),
            ("attribution.csv", Data((attribution?.csv ?? NoiseAttribution(rows: []).csv).utf8)),
            ("noise_norms_by_group.csv", NumberText.csv(header: measurement.groupNames.joined(separator: ","),
                                                        rows: measurement.noiseNormsByGroup.map { $0.map(NumberText.exact).joined(separator: ",") })),
            ("summary.json", Data(try JSONOutput.encode(summary).utf8)),
        ]
        let figure = measurementFigure(summary: summary, norms: norms, variance: measurement.variance.map { ($0.samples, $0.variance) },
                                       references: references)
        files.append(("measurement.svg", Data(figure.render().svg.utf8)))
        for (name, checkFigure) in CheckFigures.figures(samples: norms, report: check) {
            files.append((name, Data(checkFigure.render().svg.utf8)))
        }
        return MeasurementRun(summary: summary, files: files, measurement: measurement)
    }

    /// measurement.svg: the noise norms on one axis with their references
    /// (`NoiseReferences`, redrawn from the seed unless given), and the variance
    /// against the number of minibatches.
    package static func measurementFigure(summary: MeasurementSummary, norms: [Double], variance: [(samples: Int, variance: Double)],
                                         references: NoiseReferences? = nil) -> Figure {
        let overlay = (references ?? NoiseReferences(summary: summary, norms: norms))
            .overlay(norms, title: "Noise norms against matched references and the isotropic Gaussian")
        return Figure(title: "\(FigureText.literal(summary.model)) on \(FigureText.literal(summary.data)): noise at initialisation (B = \(summary.batchSize), N = \(norms.count))",
                      width: 1300, height: 460, rows: 1, columns: 2, panels: [
                          overlay, NoiseFigures.varianceAxes(samples: variance.map(\.samples), variance: variance.map(\.variance),
                                                             title: "Variance against sample size")])
    }

    /// Writes the run as one directory: the old run or the complete new one, never a mixture.
    /// Each figure is written in every one of `formats` (PDF and PNG converted
    /// from the SVG in memory first, so a failed conversion writes nothing).
    public func write(to directory: String, formats: [FigureFormat] = [.svg]) throws {
        try AtomicDirectory.write(FigureFormat.convertingFigures(files, to: formats), to: directory, kind: "measure")
    }

    public func humanReadable(directory: String) -> String {
        let s = summary, c = s.referenceComparison
        var lines = [
            "noisescope measure: \(s.model) on \(s.data), \(s.parameters) parameters, B = \(s.batchSize), N = \(s.samples), seed \(s.seed)"
                + (s.excludedExamples.map { ", \($0.count) examples excluded" } ?? ""),
            String(format: "  full gradient: %@ over %d examples, ‖∇f‖ = %.4g", s.fullGradient.exact ? "exact" : "estimated", s.fullGradient.examples, s.fullGradient.norm),
            String(format: "  noise norms: median %.4g, max/median %.3g, excess kurtosis %.3g (reference: %.3g, %.3g)",
                   s.check.summary.median, c.observed.maxOverMedian, c.observed.excessKurtosis, c.referenceShape.maxOverMedian, c.referenceShape.excessKurtosis),
            String(format: "  q99/median %.4g (reference %.4g), q99.9/median %.4g (reference %.4g)",
                   c.observed.q99OverMedian, c.referenceShape.q99OverMedian, c.observed.q999OverMedian, c.referenceShape.q999OverMedian),
        ]
        if let m = s.matchedReferenceComparison, let d = s.effectiveDimension {
            lines.append(String(format: "  against a Gaussian matched to the spread (effective dimension %.0f of %d): q99/median %.4g (matched %.4g), excess kurtosis %.3g (matched %.3g)",
                                d, s.parameters, m.observed.q99OverMedian, m.referenceShape.q99OverMedian, m.observed.excessKurtosis, m.referenceShape.excessKurtosis))
        }
        if let m = s.spectrumReferenceComparison, let spectrum = s.covarianceSpectrum {
            lines.append(String(format: "  against a Gaussian with the sketched covariance spectrum (%@; effective dimension %.0f): q99/median %.4g (spectrum %.4g), excess kurtosis %.3g (spectrum %.3g)",
                                spectrum.shortDescription, spectrum.effectiveDimension, m.observed.q99OverMedian, m.referenceShape.q99OverMedian,
                                m.observed.excessKurtosis, m.referenceShape.excessKurtosis))
            lines.append(String(format: "  covariance sketch: λ₁ = %.4g, λ_%d = %.4g of tr C = %.4g; %.2f s of the %.2f s noise loop (%.1f %%)",
                                spectrum.topEigenvalues.first ?? .nan, spectrum.rank, spectrum.topEigenvalues.last ?? .nan, spectrum.trace,
                                measurement.spectrumSketchSeconds, measurement.samplingSeconds,
                                100 * measurement.spectrumSketchSeconds / max(measurement.samplingSeconds, .leastNormalMagnitude)))
        }
        if let dropped = s.check.dropped, dropped.total > 0 {
            lines.append("  \(dropped.total) noise norm\(dropped.total == 1 ? "" : "s") of exactly 0 (a minibatch equal to the estimated ∇f) left out of the check")
        }
        if let stable = s.stableReferenceComparison {
            lines.append(String(format: "  against the %@: q99/median %.4g (reference %.4g), max/median %.4g (reference %.4g)",
                                stable.reference, stable.observed.q99OverMedian, stable.referenceShape.q99OverMedian,
                                stable.observed.maxOverMedian, stable.referenceShape.maxOverMedian))
        }
        if let alpha = s.check.hill.alpha { lines.append(String(format: "  Hill α = %.3g at k = %d; CSN α = %.3g", alpha, s.check.hill.k, s.check.powerLaw?.alpha ?? .nan)) }
        if let gpd = s.check.evidence.gpd {
            lines.append(String(format: "  peaks over threshold (shift-invariant): GPD ξ = %.3g over the top %d", gpd.xi, gpd.k))
        } else if let light = s.check.evidence.lightTest, let upper = light.xiUpper95 {
            lines.append(String(format: "  peaks over threshold (shift-invariant): GPD ξ ≤ %.3g at 95 %% over the top %d (a power law with α = 2 has ξ = 0.5)", upper, light.k))
        }
        for group in s.noiseByGroup ?? [] {
            lines.append(String(format: "  %@: %.3g %% of the squared noise, q99/median %.3g, excess kurtosis %.3g; %@",
                                group.group.padding(toLength: 10, withPad: " ", startingAt: 0), 100 * group.shareOfSquaredNoise,
                                group.q99OverMedian, group.excessKurtosis, group.verdict.rawValue))
        }
        if let scale = s.noiseScaleSimple { lines.append(String(format: "  gradient noise scale B_simple = tr(Σ)/|G|² = %.4g examples", scale)) }
        if let stable = s.coordinateStableIndex {
            lines.append("  per-coordinate stable index (\(stable.vectors) minibatches pooled after 20 that set each coordinate's scale; coordinates in a seeded order): "
                         + stable.summaryLine + Self.perTensorSummary(s.coordinateStableIndexPerTensor ?? []))
            if stable.alpha != nil { lines.append("    (\(StableIndexPool.Estimate.shapeCaveat))") }
        }
        if let classes = s.classFrequencyTail { lines.append("  " + classes.summaryLine + " (a tail of the data, not of the noise)") }
        lines.append(String(format: "  %.1f gradients/s, %.1f s in all; files in %@", s.gradsPerSecond, s.wallSeconds, directory))
        lines.append("verdict: \(s.verdict.rawValue) — \(s.check.verdictReason)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The tensors' indices in a few words: how many lie in (0, 2] and their
    /// range; the others are named not α-stable, never printed as an α.
    static func perTensorSummary(_ tensors: [StableIndexPool.Estimate]) -> String {
        guard !tensors.isEmpty else { return "" }
        let stable = tensors.compactMap(\.alpha)
        let others = tensors.count - stable.count
        let range = stable.isEmpty ? "" : String(format: " (α̂ from %.3g to %.3g)", stable.min()!, stable.max()!)
        return "; per tensor: \(stable.count) of \(tensors.count) α-stable\(range)" + (others > 0 ? ", \(others) not α-stable (outside (0, 2])" : "")
    }
}
