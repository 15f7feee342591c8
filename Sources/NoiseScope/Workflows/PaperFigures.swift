import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining
import NoiseScopeModels

/// The seeds' noise figures reproduced on the bundled models (what `noisescope
/// figure` draws): each model × data run written in full under `directory`,
/// the multi-panel figure beside them.
public struct PaperFigures {
    public enum Name: String, CaseIterable, Sendable { case fig1, fig2, fig3, fig4, fig6 }

    public var directory = "out/figures"
    /// Minibatches per model × data pair (fig1, fig4, fig6) or per noise snapshot (fig2).
    public var samples = 5000
    public var batchSize = 8
    public var seed: UInt64 = 0
    /// Training steps (fig2, fig3).
    public var steps = 300
    /// Seeds each optimizer is evaluated on at its tuned learning rate (fig3).
    public var seeds = 3
    /// Formats of every figure written, the multi-panel ones and those of each
    /// model × data run (PDF and PNG converted from the SVG).
    public var formats: [FigureFormat] = [.svg]
    /// Progress of long work: (phase, done, total).
    public var progress: (String, Int, Int) -> Void = { _, _, _ in }
    /// One line per finished piece, for people.
    public var log: (String) -> Void = { _ in }
    /// Polled between minibatches; true stops with `NoiseScopeError.interrupted`.
    public var shouldStop: () -> Bool = { false }
    /// Measure every model × data pair again, even where `directory` already
    /// holds a complete run of it with the same batch size, N and seed.
    public var remeasure = false

    public init() {}

    /// Draws `name`; returns the text it prints (fig3's table), if any.
    @discardableResult
    public func draw(_ name: Name) throws -> String? {
        switch name {
        case .fig1: try drawFig1()
        case .fig2: try drawNoiseOverTraining()
        case .fig3: return try OptimizerComparison(figures: self).run()
        case .fig4: try drawFig4()
        case .fig6: try drawFig6()
        }
        return nil
    }

    func drawFig1() throws {
        let runs = try [(ModelCatalog.Architecture.tinygpt, "text"), (.tinygptNoAttention, "text")].map(measure)
        let panels = runs.flatMap { run -> [Axes] in
            let s = run.summary, norms = run.norms
            return [NoiseReferences(summary: s, norms: norms).overlay(norms, title: "\(s.model): noise norms (\(s.verdict.rawValue))"),
                    NoiseFigures.varianceAxes(samples: run.variance.map(\.samples), variance: run.variance.map(\.variance),
                                              title: "\(s.model): variance against n")]
        }
        // The two models' histograms share one x range, so their widths compare by eye.
        try write(Figure(title: "Gradient noise at initialisation on the novel: attention vs no attention (after Zhang et al. 2020, Fig. 1)",
                         width: 1300, height: 820, rows: 2, columns: 2, panels: panels, sharex: .panels([0, 2])), named: "fig1.svg")
    }

    func drawFig4() throws {
        let pairs: [(ModelCatalog.Architecture, String)] = [(.tinygpt, "text"), (.tinygpt, "gaussian"), (.tinygptNoAttention, "text"), (.tinygptNoAttention, "gaussian")]
        let runs = try pairs.map(measure)
        let panels = runs.enumerated().map { index, run in
            NoiseFigures.normalisedHistogramAxes(run.norms,
                                                 title: "\(run.summary.model), \(run.summary.data) input: excess kurtosis \(String(format: "%.2g", run.summary.check.summary.excessKurtosis))",
                                                 colorIndex: index)
        }
        try write(Figure(title: "Architecture × data: noise-norm histograms (after Zhang et al. 2020, Fig. 4)",
                         width: 1000, height: 820, rows: 2, columns: 2, panels: panels, sharex: .all, sharey: .rows), named: "fig4.svg")
    }

    func drawFig6() throws {
        let run = try measure((.tinygpt, "text"))
        let coordinates = run.coordinates
        let magnitudes = coordinates.map { abs($0) }.filter { $0 > 0 }
        let report = try TailCheck.run(magnitudes, options: .init(seed: seed, bootstrapReplicates: 0))
        let stable = run.summary.coordinateStableIndex.map { $0.alpha.map { String(format: "%.3g", $0) } ?? String(format: "none: %.3g is outside (0, 2]", $0.rawAlpha) } ?? "n/a"
        try write(PaperFigureLayouts.coordinateNoise(coordinates: coordinates, powerLawXmin: report.powerLaw?.xmin,
                                                     powerLawAlpha: report.powerLaw?.alpha, stableIndex: stable), named: "fig6.svg")
    }

    /// What a figure reads of one model × data run.
    struct FigureRun {
        var summary: MeasurementSummary
        var norms: [Double]
        var variance: [(samples: Int, variance: Double)]
        var coordinates: [Double]
    }

    /// What a figure measured a pair with, written beside the run as
    /// `figure-run.json`: a folder is read back only when its key matches
    /// exactly, so a folder `measure` wrote (no key), another model, another
    /// setting or another verdict rule is measured anew.
    struct RunKey: Codable, Equatable {
        var model: String
        var data: String
        var batchSize: Int
        var samples: Int
        var seed: UInt64
        var spectrumRank: Int
        var rule: String
        static let file = "figure-run.json"
        enum CodingKeys: String, CodingKey {
            case model, data, samples, seed, rule
            case batchSize = "batch_size", spectrumRank = "spectrum_rank"
        }
    }

    func key(_ pair: (model: ModelCatalog.Architecture, data: String)) -> RunKey {
        RunKey(model: pair.model.rawValue, data: pair.data, batchSize: batchSize, samples: samples, seed: seed,
               spectrumRank: CovarianceSketch.suggestedRank, rule: TailVerdictEvidence().rule)
    }

    /// One model × data pair: read back from directory/<model>-<data>/ when an
    /// earlier figure measured it there with the same key (fig1, fig4 and fig6
    /// share tinygpt on text), else measured and its full outputs written there.
    func measure(_ pair: (model: ModelCatalog.Architecture, data: String)) throws -> FigureRun {
        let folder = directory + "/\(pair.model.rawValue)-\(pair.data)"
        if !remeasure, let saved = savedRun(in: folder, pair: pair) {
            log("\(saved.summary.model) on \(saved.summary.data): read back from \(folder) (same data, batch size, N and seed; --remeasure to measure again)")
            return saved
        }
        var request = MeasureRequest()
        request.model = pair.model
        request.data = ModelCatalog.DataSource(argument: pair.data)
        request.batchSize = batchSize
        request.samples = samples
        request.seed = seed
        request.bootstrap = 0
        request.spectrumRank = CovarianceSketch.suggestedRank
        let run = try MeasurementRun.measure(request, progress: { progress("\(pair.model.rawValue)/\(pair.data) \($0)", $1, $2) },
                                             shouldStop: shouldStop, notice: log)
        // The key is one of the run's files: the directory is written whole or not at all.
        var keyed = run
        keyed.files.append((RunKey.file, Data(try JSONOutput.encode(key(pair)).utf8)))
        try keyed.write(to: folder, formats: formats)
        log("\(run.summary.model) on \(run.summary.data): verdict \(run.summary.verdict.rawValue), \(String(format: "%.0f", run.measurement.gradientsPerSecond)) grads/s")
        return FigureRun(summary: run.summary, norms: run.measurement.noiseNorms,
                         variance: run.measurement.variance.map { ($0.samples, $0.variance) }, coordinates: run.measurement.firstBatchCoordinates)
    }

    /// The run in `folder` if a figure measured it there with this key and it is
    /// complete; nil otherwise (absent, partial, unreadable, another key).
    func savedRun(in folder: String, pair: (model: ModelCatalog.Architecture, data: String)) -> FigureRun? {
        let run = RunDirectory(path: folder)
        guard let keyBytes = try? run.data(RunKey.file), (try? JSONDecoder().decode(RunKey.self, from: keyBytes)) == key(pair),
              let files = try? MeasureRunFiles.read(run), case let summary = files.summary,
              summary.data == ModelCatalog.DataSource(argument: pair.data).name, summary.batchSize == batchSize,
              summary.samples == samples, summary.seed == seed, summary.excludedExamples == nil,
              summary.covarianceSpectrum?.rank == CovarianceSketch.suggestedRank,
              let coordinates = try? run.samples("coordinates.csv", SampleReader(format: .csv, column: "coordinate_noise")).values,
              coordinates.count == summary.parameters
        else { return nil }
        return FigureRun(summary: summary, norms: files.norms, variance: files.variance, coordinates: coordinates)
    }

    /// Writes `figure` as `name` (an .svg name) in each of `formats`, all or none.
    func write(_ figure: Figure, named name: String) throws {
        let files = try FigureFormat.convertingFigures([(name, Data(figure.render().svg.utf8))], to: formats)
        let urls = files.map { (url: URL(fileURLWithPath: directory).appendingPathComponent($0.name), data: $0.data) }
        try AtomicFile.writeAll(urls)
        for url in urls { log("wrote \(url.url.path)") }
    }
}
