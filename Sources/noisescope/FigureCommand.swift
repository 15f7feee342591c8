import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope figure`: the seeds' noise figures, reproduced on the bundled models.
struct FigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figure",
        abstract: "Reproduce a paper figure with the bundled models: fig1, fig2, fig3, fig4 or fig6.",
        discussion: """
            fig1  Zhang et al. (2020) Fig. 1: tinygpt (attention) against tinygpt-noattn (the \
            ResNet stand-in) on the bundled novel: noise-norm histogram, the synthetic Gaussian \
            reference of the same dimension, variance against sample size.
            fig2  Fig. 2/5: noise-norm histograms at four points of an Adam run (steps 0, S/3, 2S/3, S) \
            for tinygpt and tinygpt-noattn: is the noise stationary over training?
            fig3  Fig. 3: SGD (momentum), GClip, CClip, Adam and ACClip on tinygpt, same data order; \
            each at its best learning rate from --lr-grid on the final validation loss; loss curves \
            and a table of final losses.
            fig4  Fig. 4: attention vs no attention × text vs Gaussian input: four histograms.
            fig6  Simsekli et al. (2019) Fig. 6c / appendix H: the per-coordinate noise g_B − ∇f of \
            one minibatch of tinygpt, its histogram and the log–log tail of |coordinate|.
            Each run of a model × data pair is written in full (as `measure` writes it) to \
            DIR/<model>-<data>/; the multi-panel figure goes to DIR/<figure>.svg.
            """)

    enum Name: String, ExpressibleByArgument, CaseIterable { case fig1, fig2, fig3, fig4, fig6 }

    @Argument(help: "fig1, fig2, fig3, fig4 or fig6.") var name: Name
    @Option(help: "Training steps (fig2, fig3).") var steps = 300
    @Option(name: .customLong("lr-grid"), help: "Learning rates tried per optimizer (fig3); each optimizer's curve is its best on validation loss.")
    var lrGrid = "1e-4,1e-3,1e-2,1e-1"
    @Option(help: "Output directory.") var out = "out/figures"
    @Option(help: "Minibatches per model × data pair (5000: enough for the verdict to commit).") var samples = 5000
    @Option(help: "Minibatch size.") var batch = 8
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "No progress bar.") var quiet = false
    @OptionGroup var kernels: BLASKernelOptions

    func run() throws {
        try runReportingErrors {
            kernels.apply()
            Interruption.install()
            switch name {
            case .fig1:
                let runs = try [("tinygpt", "text"), ("tinygpt-noattn", "text")].map(measure)
                var panels = runs.flatMap { run -> [Axes] in
                    let s = run.summary
                    let isotropic = ReferenceComparison.gaussianReferenceNorms(dimension: s.parameters, count: s.samples, seed: seed)
                    let matched = ReferenceComparison.matchedGaussianNorms(observed: run.norms, count: s.samples, seed: seed)
                    return [NoiseFigures.overlayAxes(run.norms, matched: ("Gaussian, effective dimension \(matched.dimension)", matched.norms),
                                                     isotropic: ("Isotropic Gaussian, D = \(s.parameters)", isotropic),
                                                     title: "\(s.model): noise norms (\(s.verdict.rawValue))"),
                            NoiseFigures.varianceAxes(samples: run.variance.map(\.samples), variance: run.variance.map(\.variance),
                                                      title: "\(s.model): variance against n")]
                }
                // The two models' histograms share one x range, so their widths compare by eye.
                let ranges = [panels[0], panels[2]].compactMap(\.xLimits)
                if let low = ranges.map(\.lowerBound).min(), let high = ranges.map(\.upperBound).max() {
                    panels[0].xLimits = low...high
                    panels[2].xLimits = low...high
                }
                try write(Figure(title: "Gradient noise at initialisation on the novel: attention vs no attention (after Zhang et al. 2020, Fig. 1)",
                                 width: 1300, height: 820, rows: 2, columns: 2, panels: panels), named: "fig1.svg")
            case .fig4:
                let runs = try [("tinygpt", "text"), ("tinygpt", "gaussian"), ("tinygpt-noattn", "text"), ("tinygpt-noattn", "gaussian")].map(measure)
                let panels = runs.enumerated().map { index, run in
                    NoiseFigures.normalisedHistogramAxes(run.norms, title: "\(run.summary.model) on \(run.summary.data): kurtosis \(String(format: "%.2g", run.summary.check.summary.excessKurtosis))", colorIndex: index)
                }
                try write(Figure(title: "Architecture × data: noise-norm histograms (after Zhang et al. 2020, Fig. 4)",
                                 width: 1000, height: 820, rows: 2, columns: 2, panels: panels), named: "fig4.svg")
            case .fig2: try drawNoiseOverTraining()
            case .fig3: try compareOptimizers()
            case .fig6:
                let run = try measure(("tinygpt", "text"))
                let coordinates = run.coordinates
                var histogram = Axes(title: "Coordinates of g_B − ∇f (one minibatch)", xLabel: "Coordinate noise", yLabel: "Probability density", legendPlacement: .hidden)
                histogram.add(.histogram(Histogram(samples: coordinates), style: SeriesStyle(color: .blue, fillOpacity: 0.4)))
                let magnitudes = coordinates.map { abs($0) }.filter { $0 > 0 }
                let report = try TailCheck.run(magnitudes, options: .init(seed: seed, bootstrapReplicates: 0))
                let stable = run.summary.coordinateStableIndex.map { $0.alpha.map { String(format: "%.3g", $0) } ?? String(format: "none: %.3g is outside (0, 2]", $0.rawAlpha) } ?? "n/a"
                let tail = HeavyTailFigures.complementaryCDF(samples: magnitudes, powerLawXmin: report.powerLaw?.xmin, powerLawAlpha: report.powerLaw?.alpha,
                                                             title: "Tail of |coordinate| (stable index α̂ = \(stable))", xLabel: "|coordinate noise|").panels[0]
                try write(Figure(title: "Per-coordinate gradient noise of tinygpt at initialisation (after Simsekli et al. 2019, Fig. 6c)",
                                 width: 1100, height: 440, rows: 1, columns: 2, panels: [histogram, tail]), named: "fig6.svg")
            }
        }
    }

    struct Run {
        var summary: MeasurementSummary
        var norms: [Double]
        var variance: [NoiseMeasurement.VariancePoint]
        var coordinates: [Double]
    }

    /// Measures one model × data pair and writes its full outputs to out/<model>-<data>/.
    func measure(_ pair: (model: String, data: String)) throws -> Run {
        let architecture = ModelCatalog.Architecture(rawValue: pair.model)!
        let data = ModelCatalog.DataSource(argument: pair.data)
        let started = DispatchTime.now().uptimeNanoseconds
        let model = try ModelCatalog.makeModel(architecture, data: data, batchSize: batch, seed: seed)
        let sampler = try NoiseNormSampler(model: model, options: .init(batchSize: batch, samples: samples, seed: seed))
        let progress = ProgressReporter(quiet: quiet)
        let measurement = try sampler.run(progress: { progress.update(phase: "\(pair.model)/\(pair.data) \($0.rawValue)", done: $1, total: $2) },
                                          shouldStop: { Interruption.isRequested })
        let outputs = try MeasurementOutputs.make(measurement: measurement, modelName: model.name, data: data.name,
                                                  batchSize: batch, seed: seed, bootstrap: 0, started: started,
                                                  attribution: NoiseAttribution.compute(model: model, measurement: measurement))
        if Interruption.isRequested { throw NoiseScopeError.interrupted(detail: "nothing was written") }
        try outputs.write(to: out + "/\(pair.model)-\(pair.data)")
        printError("noisescope: \(model.name) on \(data.name): verdict \(outputs.summary.verdict.rawValue), \(String(format: "%.0f", measurement.gradientsPerSecond)) grads/s")
        return Run(summary: outputs.summary, norms: measurement.noiseNorms, variance: measurement.variance, coordinates: measurement.firstBatchCoordinates)
    }

    func write(_ figure: Figure, named name: String) throws {
        let url = URL(fileURLWithPath: out).appendingPathComponent(name)
        try figure.render().write(to: url)
        printError("noisescope: wrote \(url.path)")
    }
}
