import NoiseScopeCore
import NoiseScopePlot
import Foundation

/// Ready-made figures for deciding whether gradient noise is heavy-tailed (`check --plot`).
///
/// Every builder takes plain arrays, so this module does not depend on the statistics code.
/// Each returns a `Figure`; call `render()` and `write(to:)` on the result. Samples that cannot
/// be shown (NaN/±∞, or ≤ 0 where a log axis is used) are left out and reported in
/// `RenderedFigure.droppedPoints` and `notices`.
package enum HeavyTailFigures {
    /// Fraction of the x-range below which 90 % of the samples must lie for `histogram` to
    /// switch to a log x-axis (see `prefersLogarithmicAxis`).
    package static let crowdedRangeFraction = 0.1

    /// Hill estimates from fewer upper order statistics than this are not used to choose the
    /// y-axis limits of a Hill plot: their confidence bands are so wide they would flatten
    /// the rest of the curve. They are still drawn (clipped at the plot edge).
    package static let hillLimitsMinimumK = 10

    /// Largest number of points drawn for an empirical complementary CDF.
    package static let maximumCCDFPoints = 2000

    /// Histogram of noise norms as a probability density with Freedman–Diaconis bins.
    ///
    /// When `prefersLogarithmicAxis(samples)` (a heavy right tail would crowd a linear axis),
    /// the bins are equally wide in log₁₀ x, the x-axis is logarithmic and the bars show density
    /// per decade (integrating to 1 over log₁₀ x). Pass `logarithmicX` to force either choice;
    /// with a log axis, samples ≤ 0 are left out and counted.
    package static func histogram(samples: [Double], title: String = "Distribution of noise norms",
                                 xLabel: String = "Noise norm", logarithmicX: Bool? = nil) -> Figure {
        Figure(histogramAxes(samples: samples, title: title, xLabel: xLabel, logarithmicX: logarithmicX))
    }

    /// The empirical complementary CDF P(X ≥ x) on log–log axes, with the fitted power law.
    ///
    /// The curve is computed from all finite samples; points at x ≤ 0 cannot be drawn and are
    /// counted. Above `maximumCCDFPoints` points it is thinned deterministically, keeping the
    /// 500 largest values exactly. When `powerLawXmin` and `powerLawAlpha` are given (positive
    /// and finite), the fit P(X ≥ x) = P(X ≥ xₘᵢₙ)·(x/xₘᵢₙ)^(−α) is drawn from xₘᵢₙ to the
    /// largest sample, with P(X ≥ xₘᵢₙ) taken from the data, plus a vertical line at xₘᵢₙ.
    /// `powerLawAlpha` is the tail index α (the density decays as x^(−α−1)).
    ///
    /// With `showsAlternatives` (the default) the two alternatives that the verdict's
    /// likelihood-ratio tests compare the power law with are drawn from xₘᵢₙ too: an
    /// exponential and a lognormal truncated to [xₘᵢₙ, ∞), fitted by maximum likelihood to the
    /// samples ≥ xₘᵢₙ and scaled like the power law. Each curve stops where it falls below
    /// 1/n, the smallest probability the data can show.
    package static func complementaryCDF(samples: [Double], powerLawXmin: Double? = nil,
                                        powerLawAlpha: Double? = nil, showsAlternatives: Bool = true,
                                        title: String = "Tail of the distribution (log–log)",
                                        xLabel: String = "Noise norm x") -> Figure {
        Figure(complementaryCDFAxes(samples: samples, powerLawXmin: powerLawXmin, powerLawAlpha: powerLawAlpha,
                                    showsAlternatives: showsAlternatives, title: title, xLabel: xLabel))
    }

    /// Hill plot: the tail-index estimate α̂ against the number k of upper order statistics
    /// used, with its 95 % confidence band shaded, a reference line at α = 2 (below it the
    /// variance is infinite) and, if given, the chosen k marked.
    ///
    /// The arrays are matched by position (extra values of longer arrays are ignored). The
    /// x-axis is logarithmic when k spans a factor of 20 or more.
    package static func hillPlot(k: [Int], alpha: [Double], lower: [Double], upper: [Double], chosenK: Int?,
                                title: String = "Hill plot") -> Figure {
        Figure(hillAxes(k: k, alpha: alpha, lower: lower, upper: upper, chosenK: chosenK, title: title))
    }

    /// All three diagnostics side by side (1 × 3) under one overall title.
    package static func summary(samples: [Double], powerLawXmin: Double?, powerLawAlpha: Double?,
                               hillK: [Int], hillAlpha: [Double], hillLower: [Double], hillUpper: [Double],
                               chosenK: Int?, title: String = "Is the gradient noise heavy-tailed?",
                               xLabel: String = "Noise norm") -> Figure {
        Figure(title: title, width: 1500, height: 500, rows: 1, columns: 3, panels: [
            histogramAxes(samples: samples, title: "Distribution", xLabel: xLabel, logarithmicX: nil),
            complementaryCDFAxes(samples: samples, powerLawXmin: powerLawXmin, powerLawAlpha: powerLawAlpha,
                                 showsAlternatives: true, title: "Tail (log–log)", xLabel: xLabel + " x"),
            hillAxes(k: hillK, alpha: hillAlpha, lower: hillLower, upper: hillUpper, chosenK: chosenK,
                     title: "Hill plot"),
        ])
    }

    /// The rule `histogram` uses to pick a log x-axis: all finite samples are positive, they
    /// span at least one decade (max/min ≥ 10), and 90 % of them lie in the lowest
    /// `crowdedRangeFraction` (10 %) of the range [min, max]. The last condition is what makes
    /// a linear histogram useless: the bulk of the data piles into the first few bars while a
    /// long, sparse tail stretches the axis. It holds for power-law tails (Pareto, α = 1.5,
    /// n = 3000: 90 % lie in the lowest 4 %) but not for light-tailed or merely skewed data
    /// (exponential, n = 3000: 27 %).
    package static func prefersLogarithmicAxis(_ samples: [Double]) -> Bool {
        let sorted = samples.filter(\.isFinite).sorted()
        guard let low = sorted.first, let high = sorted.last, low > 0, high >= 10 * low else { return false }
        let ninetiethPercentile = quantile(ofSorted: sorted, probability: 0.9)
        return (ninetiethPercentile - low) / (high - low) < crowdedRangeFraction
    }

    // MARK: - Panels

    static func histogramAxes(samples: [Double], title: String, xLabel: String, logarithmicX: Bool?) -> Axes {
        let logarithmic = logarithmicX ?? prefersLogarithmicAxis(samples)
        let histogram = Histogram(samples: samples, spacing: logarithmic ? .logarithmic : .linear)
        var axes = Axes(title: title, xLabel: xLabel,
                        yLabel: logarithmic ? "Density per decade" : "Probability density",
                        xScale: logarithmic ? .log10 : .linear, legendPlacement: .hidden)
        axes.add(.histogram(histogram, style: SeriesStyle(color: .blue, fillOpacity: 0.4)))
        return axes
    }

    static func complementaryCDFAxes(samples: [Double], powerLawXmin: Double?, powerLawAlpha: Double?,
                                     showsAlternatives: Bool = true, title: String, xLabel: String) -> Axes {
        let ccdf = EmpiricalCCDF(samples: samples)
        let points = ccdf.thinnedPositivePoints(maximumPoints: maximumCCDFPoints)
        var axes = Axes(title: title, xLabel: xLabel, yLabel: "P(X ≥ x)", xScale: .log10, yScale: .log10)
        var empirical = Series.scatter(
            x: points.x, y: points.p, label: "Empirical, n = \(ccdf.sampleCount)",
            style: SeriesStyle(color: .blue, marker: .circle, markerRadius: 1.7))
        let nonPositiveSamples = samples.filter { $0.isFinite && $0 <= 0 }.count
        empirical.droppedBeforeDrawing = DroppedPoints(nonFinite: ccdf.nonFiniteCount,
                                                       nonPositiveOnLogAxis: nonPositiveSamples)
        axes.add(empirical)

        if let xmin = powerLawXmin, let alpha = powerLawAlpha, xmin > 0, xmin.isFinite, alpha > 0, alpha.isFinite,
           let largest = ccdf.values.last, largest > xmin {
            let atXmin = ccdf.probability(atLeast: xmin)
            let fit = [xmin, largest].map { atXmin * pow($0 / xmin, -alpha) }
            axes.add(.line(x: [xmin, largest], y: fit, label: "Power law, α = " + NumberLabels.quoted(alpha),
                           style: SeriesStyle(color: .vermillion, dash: .dashed, lineWidth: 2)))
            if showsAlternatives, let alternatives = TailAlternatives(samples: samples, xmin: xmin) {
                let floor = 1 / Double(max(ccdf.sampleCount, 1))
                let lognormal = curve(from: xmin, to: largest, scale: atXmin, floor: floor,
                                      alternatives.lognormalSurvival)
                axes.add(.line(x: lognormal.x, y: lognormal.y,
                               label: alternatives.lognormalIsDegenerate
                                   ? "Lognormal fit degenerate (≈ power law)"
                                   : "Lognormal, μ = " + NumberLabels.quoted(alternatives.lognormalMu)
                                       + ", σ = " + NumberLabels.quoted(alternatives.lognormalSigma),
                               style: SeriesStyle(color: .bluishGreen, dash: .dashDotted, lineWidth: 1.75)))
                let exponential = curve(from: xmin, to: largest, scale: atXmin, floor: floor,
                                        alternatives.exponentialSurvival)
                axes.add(.line(x: exponential.x, y: exponential.y,
                               label: "Exponential, λ = " + NumberLabels.quoted(alternatives.exponentialRate),
                               style: SeriesStyle(color: .orange, dash: .dotted, lineWidth: 2)))
            }
            axes.add(.verticalLine(x: xmin, label: "x_{min} = " + NumberLabels.quoted(xmin),
                                   style: SeriesStyle(color: .black, dash: .dotted, lineWidth: 1.25)))
        }
        return axes
    }

    /// `scale · survival(x)` at 120 log-spaced x from `low` to `high`, stopped where it falls
    /// below `floor` (the last point is moved back along the curve, in log–log coordinates, to
    /// end exactly at `floor`), so a steep alternative cannot stretch the y-axis.
    static func curve(from low: Double, to high: Double, scale: Double, floor: Double,
                      _ survival: (Double) -> Double) -> (x: [Double], y: [Double]) {
        var xs: [Double] = [], ys: [Double] = []
        let a = Foundation.log10(low), b = Foundation.log10(high)
        for i in 0...119 {
            let x = Foundation.pow(10, a + (b - a) * Double(i) / 119), y = scale * survival(x)
            guard y.isFinite else { break }
            if y < floor {
                if let lastX = xs.last, let lastY = ys.last, y > 0 {
                    let t = Foundation.log(lastY / floor) / Foundation.log(lastY / y)
                    xs.append(lastX * Foundation.pow(x / lastX, t))
                    ys.append(floor)
                }
                break
            }
            xs.append(x)
            ys.append(y)
        }
        return (xs, ys)
    }
}
