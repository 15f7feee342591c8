import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeModels
import NoiseScopeStatistics

// The options several commands share, and the library's enums as flag values:
// argument-parser lists their cases in --help and refuses anything else before work.
extension ModelCatalog.Architecture: ExpressibleByArgument {}
extension ModelCatalog.DataSource: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension SampleFormat: ExpressibleByArgument {}
extension SampleCleaner.Policy: ExpressibleByArgument {}
extension PowerLawFitter.XminSearchChoice: ExpressibleByArgument {}

/// The size overrides of a bundled model, shared by measure, train and sweep.
struct ModelSizeOptions: ParsableArguments {
    @Option(help: "Width d (tinygpt, resmlp; default: the model's own).") var width: Int?
    @Option(help: "Blocks L (tinygpt layers, resmlp residual blocks; default: the model's own).") var layers: Int?
    @Option(help: "Attention heads (tinygpt; default: the model's own).") var heads: Int?
    @Option(help: "Context length T (tinygpt; default: the model's own).") var context: Int?

    func validate() throws {
        for (value, flag) in [(width, "--width"), (layers, "--layers"), (heads, "--heads"), (context, "--context")] {
            if let value { try requireRange(value, flag, 1...ModelCatalog.largestSize) }
        }
    }

    var overrides: ModelCatalog.Overrides { .init(width: width, layers: layers, heads: heads, context: context) }
}

/// Which OpenBLAS kernels the models run on; shared by the commands that train or sample.
struct BLASKernelOptions: ParsableArguments {
    @Option(name: .customLong("blas-kernels"), help: ArgumentHelp(
        "OpenBLAS kernel set: auto (switch to AVX2/AVX-512 kernels where OpenBLAS 0.3.21 falls back to generic SSE3 ones on CPUs it does not know), library (keep OpenBLAS's own choice), or a name such as Haswell or SkylakeX. OPENBLAS_CORETYPE, if set, always wins.",
        valueName: "kernels"))
    var blasKernels = "auto"

    /// Applies the choice; returns a one-line account for logs.
    @discardableResult
    func apply() -> String {
        switch blasKernels {
        case "library": return "OpenBLAS kernels: \(OpenBLASCore.current)"
        case "auto": return OpenBLASCore.useBestKernelsForThisCPU()
        default:
            if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil { return "OpenBLAS kernels: \(OpenBLASCore.current) (OPENBLAS_CORETYPE set by the user)" }
            return "OpenBLAS kernels: \(OpenBLASCore.select(blasKernels) ?? OpenBLASCore.current)"
        }
    }
}

/// `--figure-format`, shared by the commands that write figures into a run
/// directory (measure, figure, simulate); `check` keeps its `--plot-format`,
/// which means the same for its --plot figures.
struct FigureFormatOption: ParsableArguments {
    @Option(name: .customLong("figure-format"),
            help: ArgumentHelp("Formats of every figure written, comma-separated: svg (drawn by noisescope), pdf, png (converted from the SVG by rsvg-convert).",
                               valueName: "formats"))
    var figureFormat = "svg"

    /// The parsed list; a usage error (exit 1) for an unknown name or a missing converter.
    func formats() throws -> [FigureFormat] {
        do { return try FigureFormat.parse(figureFormat) } catch { throw ValidationError("--figure-format: \(error)") }
    }
}
