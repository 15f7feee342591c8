import NoiseScopeCore
import NoiseScopePlot
import Foundation

/// The figures of `noisescope measure` and `noisescope figure`, after Zhang et
/// al. (2020) Fig. 1: the histogram of noise norms beside its synthetic
/// reference, and the empirical variance against the number of samples.
package enum NoiseFigures {
    /// Noise norms and a reference, each divided by its own median so that
    /// their shapes (the tail) compare on one axis.
    package static func normalisedHistogramAxes(_ samples: [Double], title: String, colorIndex: Int = 0) -> Axes {
        let median = quantile(ofSorted: samples.filter(\.isFinite).sorted(), probability: 0.5)
        let scaled = median > 0 ? samples.map { $0 / median } : samples
        var axes = Axes(title: title, xLabel: "Noise norm / median", yLabel: "Probability density",
                        legendPlacement: .hidden)
        axes.add(.histogram(Histogram(samples: scaled), style: SeriesStyle(color: Color.okabeIto[colorIndex % Color.okabeIto.count], fillOpacity: 0.4)))
        return axes
    }

    /// Var_n = (1/n) Σ ‖g_j − mean_n‖² against n on a log axis: settles under
    /// finite variance, keeps jumping under heavy tails.
    package static func varianceAxes(samples: [Int], variance: [Double], title: String) -> Axes {
        // Var_1 = 0 by definition (one vector has no spread): the curve starts at n = 2.
        let kept = zip(samples, variance).filter { $0.0 >= 2 }
        var axes = Axes(title: title, xLabel: "Number of minibatch gradients n",
                        yLabel: "Var_n (squared gradient units)", xScale: .log10, legendPlacement: .hidden)
        axes.add(.line(x: kept.map { Double($0.0) }, y: kept.map(\.1), style: SeriesStyle(color: .blue, marker: .circle, markerRadius: 2)))
        return axes
    }

    /// The noise norms and their references on one axis, each divided by its own
    /// median: the data as bars, the Gaussian matched to the data's effective
    /// dimension as an outline on the same bins, and the isotropic Gaussian of the
    /// full dimension drawn to scale (a narrow spike: real noise is far wider).
    package static func overlayAxes(_ samples: [Double], matched: (label: String, norms: [Double]),
                                   isotropic: (label: String, norms: [Double]), stable: (label: String, norms: [Double])? = nil,
                                   spectrum: (label: String, norms: [Double])? = nil, title: String) -> Axes {
        func scaled(_ values: [Double]) -> [Double] {
            let median = quantile(ofSorted: values.filter(\.isFinite).sorted(), probability: 0.5)
            return median > 0 ? values.map { $0 / median } : values
        }
        let data = Histogram(samples: scaled(samples))
        var axes = Axes(title: title, xLabel: "Noise norm / its median", yLabel: "Probability density")
        axes.add(.histogram(data, label: "Noise norms", style: SeriesStyle(color: .blue, fillOpacity: 0.4)))
        let matchedHistogram = Histogram(samples: scaled(matched.norms), binning: data.edges.count > 1 ? .edges(data.edges) : .freedmanDiaconis)
        axes.add(.histogram(matchedHistogram, label: matched.label, style: SeriesStyle(color: .orange, fillOpacity: 0.15)))
        let isotropicHistogram = Histogram(samples: scaled(isotropic.norms), binning: .count(30))
        axes.add(.histogram(isotropicHistogram, label: isotropic.label, style: SeriesStyle(color: .vermillion, fillOpacity: 0.5)))
        var shown = [data, matchedHistogram]
        if let stable {
            // Outline only, on the data's bins: where its heavier tail lies beyond the data's is the point.
            let stableHistogram = Histogram(samples: scaled(stable.norms), binning: data.edges.count > 1 ? .edges(data.edges) : .freedmanDiaconis)
            axes.add(.histogram(stableHistogram, label: stable.label, style: SeriesStyle(color: .bluishGreen, fillOpacity: 0)))
            shown.append(stableHistogram)
        }
        if let spectrum {
            // Outline on the data's bins, dashed: the null whose covariance has the noise's own top eigenvalues.
            let spectrumHistogram = Histogram(samples: scaled(spectrum.norms), binning: data.edges.count > 1 ? .edges(data.edges) : .freedmanDiaconis)
            axes.add(.histogram(spectrumHistogram, label: spectrum.label, style: SeriesStyle(color: .reddishPurple, dash: .dashed, fillOpacity: 0)))
            shown.append(spectrumHistogram)
        }
        // The y range serves the data and the nulls drawn on its bins; only the
        // isotropic spike (its own bins, far narrower) runs off the top.
        let top = shown.map { $0.values.filter(\.isFinite).max() ?? 0 }.max().map { $0 > 0 ? $0 : 1 }! * 1.15
        axes.yLimits = 0...top
        if let low = data.edges.first, let high = data.edges.last { axes.xLimits = min(low, 0.9)...max(high, 1.1) }
        return axes
    }

    /// Histogram of signed per-coordinate noise (e.g. the coordinates of g_B − ∇f), readable
    /// even when a few huge coordinates stretch the range (on a linear axis it is one spike).
    ///
    /// The x-axis is symlog with its linear part up to c, the power of ten at or below the
    /// median |coordinate|: the bulk is drawn linearly, the tails decade by decade. The
    /// `binCount` bins are equally wide on that axis, and the y-axis shows the density (per unit
    /// of x, so the bars integrate to 1) on a log scale, where a power-law tail is a straight
    /// descent and a Gaussian one a steep drop. Empty bins are not drawn.
    package static func coordinateHistogramAxes(_ coordinates: [Double], title: String,
                                               xLabel: String = "Coordinate noise", binCount: Int = 80) -> Axes {
        let finite = coordinates.filter(\.isFinite)
        let magnitudes = finite.map { abs($0) }.filter { $0 > 0 }.sorted()
        let median = magnitudes.isEmpty ? 1 : quantile(ofSorted: magnitudes, probability: 0.5)
        let threshold = pow10(Int(median.log10Floor))
        let scale = Scale.symlog(linearThreshold: threshold)
        var edges: [Double] = []
        if let low = finite.min(), let high = finite.max(), high > low {
            let a = scale.transformed(low), b = scale.transformed(high), bins = max(1, binCount)
            edges = (0...bins).map { scale.inverse(a + (b - a) * Double($0) / Double(bins)) }
            edges[0] = low
            edges[bins] = high
        }
        var axes = Axes(title: title, xLabel: xLabel, yLabel: "Probability density", xScale: scale,
                        yScale: .log10, legendPlacement: .hidden)
        let histogram = Histogram(samples: coordinates, binning: edges.isEmpty ? .freedmanDiaconis : .edges(edges))
        // Empty bins (density 0) are gaps on the log axis, not dropped data.
        axes.add(.histogram(histogram, style: SeriesStyle(color: .blue, fillOpacity: 0.4)))
        return axes
    }

    /// Three panels: noise norms, the reference, the variance curve.
    package static func measurement(noiseNorms: [Double], reference: [Double], referenceTitle: String,
                                   varianceSamples: [Int], variance: [Double], title: String) -> Figure {
        // The two histograms show the same quantity (norm / median): one x and one y range.
        Figure(title: title, width: 1380, height: 420, rows: 1, columns: 3, panels: [
            normalisedHistogramAxes(noiseNorms, title: "Noise norms ‖g_B − ∇f‖"),
            normalisedHistogramAxes(reference, title: referenceTitle, colorIndex: 1),
            varianceAxes(samples: varianceSamples, variance: variance, title: "Variance against sample size"),
        ], sharex: .panels([0, 1]), sharey: .panels([0, 1]))
    }
}
