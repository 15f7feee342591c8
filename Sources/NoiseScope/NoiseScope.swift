// The facade: `import NoiseScope` in a script or notebook gives the application
// layer's entry points (CheckWorkflow, MeasurementRun, TrainingRun, PaperFigures,
// RunReportBuilder, RunDirectory: the files beside this one) and, by the names
// below, the types their requests and results are written in. Everything else in
// the package is `package`: shared plumbing, not API. tools/count-public prints
// the size of this surface, and CI holds it at 300 declarations or fewer.
public import NoiseScopeCore
public import NoiseScopeModels
public import NoiseScopePlot
import NoiseScopeSampling
public import NoiseScopeStatistics
public import NoiseScopeTraining

/// The one error type: every failure, with the values that explain it.
public typealias NoiseScopeError = NoiseScopeCore.NoiseScopeError
/// The heavy-tail check on positive samples, and its options.
public typealias TailCheck = NoiseScopeStatistics.TailCheck
/// What the check found: the estimators, the power-law fit, the verdict and its evidence.
public typealias TailCheckReport = NoiseScopeStatistics.TailCheckReport
/// `infinite-variance`, `heavy`, `light` or `inconclusive`.
public typealias TailVerdict = NoiseScopeStatistics.TailVerdict
/// Reads samples from text, CSV, NPY or JSON lines.
public typealias SampleReader = NoiseScopeStatistics.SampleReader
/// What to do with values that are not positive and finite.
public typealias SampleCleaner = NoiseScopeStatistics.SampleCleaner
/// The formats `SampleReader` reads.
public typealias SampleFormat = NoiseScopeStatistics.SampleFormat
/// The bundled models and data sets by name, and their size overrides.
public typealias ModelCatalog = NoiseScopeModels.ModelCatalog
/// The optimizers `TrainingRun` trains with.
public typealias OptimizerKind = NoiseScopeTraining.OptimizerKind
/// A training run's options (steps, batch size, seed, how often to record noise).
public typealias TrainerOptions = NoiseScopeTraining.Trainer.Options
/// SVG always; PNG and PDF through rsvg-convert.
public typealias FigureFormat = NoiseScopePlot.FigureFormat
