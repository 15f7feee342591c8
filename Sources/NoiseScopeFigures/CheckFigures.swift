import NoiseScopePlot
import NoiseScopeCore
import Foundation
import NoiseScopeStatistics

/// The figures of `noisescope check --plot`: the histogram of the samples, the
/// empirical tail on log–log axes with the fitted power law, the Hill plot with
/// its 95 % band and the chosen k, the threshold-stability plot of the
/// generalised Pareto shape, and the first three on one page.
package enum CheckFigures {
    /// File name → figure, in the order they are written.
    /// Samples that are zero, negative or not finite are left out, as the check leaves them out.
    package static func figures(samples: [Double], report: TailCheckReport) -> [(name: String, figure: Figure)] {
        let samples = samples.filter { $0 > 0 && $0.isFinite }
        let data = OrderStatistics(samples: samples)
        // The chosen k is on the path, so that its estimate is drawn and labelled.
        let path = HillEstimator.path(data, ks: Array(Set(HillEstimator.logSpacedK(n: data.count) + [report.kSelection.k])).sorted())
        let ks = path.map(\.k)
        let alpha = path.map { $0.alpha ?? .nan }
        let lower = path.map { $0.alphaInterval95.lower ?? .nan }
        let upper = path.map { $0.alphaInterval95.upper ?? .nan }
        let xmin = report.powerLaw?.xmin, tailIndex = report.powerLaw?.alpha
        let title = "Tail check: \(report.verdict.rawValue) (n = \(report.n))"
        return [
            ("histogram.svg", HeavyTailFigures.histogram(samples: samples, title: "Distribution of the samples", xLabel: "Sample value")),
            ("tail_ccdf.svg", HeavyTailFigures.complementaryCDF(samples: samples, powerLawXmin: xmin, powerLawAlpha: tailIndex,
                                                                title: "Tail on log–log axes with the fitted power law", xLabel: "Sample value x")),
            ("hill_plot.svg", HeavyTailFigures.hillPlot(k: ks, alpha: alpha, lower: lower, upper: upper, chosenK: report.kSelection.k,
                                                        title: "Hill estimate of the tail index against k")),
            ("threshold_stability.svg", ThresholdStability.figure(path: ThresholdStability.path(data, n: report.n), chosenK: report.evidence.kStar)),
            ("summary.svg", HeavyTailFigures.summary(samples: samples, powerLawXmin: xmin, powerLawAlpha: tailIndex,
                                                     hillK: ks, hillAlpha: alpha, hillLower: lower, hillUpper: upper,
                                                     chosenK: report.kSelection.k, title: title, xLabel: "Sample value")),
        ]
    }

    /// Renders every figure first, then writes them into `directory` (created if
    /// missing) all or none. Returns the paths written and the renderer's notices.
    package static func write(samples: [Double], report: TailCheckReport, to directory: String,
                             formats: [FigureFormat] = [.svg]) throws -> (paths: [String], notices: [String]) {
        let rendered = figures(samples: samples, report: report).map { ($0.name, $0.figure.render()) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files: [(url: URL, data: Data)] = []
        for (name, figure) in rendered {
            for format in formats {
                let file = (name as NSString).deletingPathExtension + "." + format.rawValue
                files.append((URL(fileURLWithPath: directory).appendingPathComponent(file), try format.data(fromSVG: figure.svg)))
            }
        }
        try AtomicFile.writeAll(files)
        let paths = files.map(\.url.path)
        let notices = rendered.flatMap { name, figure in figure.notices.map { "\(name): \($0)" } }
        return (paths, notices)
    }
}
