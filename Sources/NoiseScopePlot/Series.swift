/// One thing drawn inside an `Axes`: a line, a histogram, a band, a reference line…
///
/// Series are plain values built with the static constructors below. Points whose coordinates
/// are NaN or ±∞, or ≤ 0 on a log axis, are left out when drawing (a line is broken there) and
/// counted in `RenderedFigure.droppedPoints`. When `x` and `y` differ in length the extra values
/// of the longer array are ignored.
package struct Series: Sendable {
    /// Where a step changes value relative to its x coordinates.
    package enum StepPlacement: Sendable, Equatable {
        /// `y[i]` holds on `(x[i-1], x[i]]`: the step rises or falls *before* each x.
        case pre
        /// `y[i]` holds on `[x[i], x[i+1])`: the step changes *after* each x.
        case post
    }

    /// What the series draws.
    package enum Content: Sendable {
        case line(x: [Double], y: [Double])
        case step(x: [Double], y: [Double], placement: StepPlacement)
        case scatter(x: [Double], y: [Double])
        case histogram(Histogram)
        /// A shaded area between two curves sharing the same x, e.g. a confidence interval.
        case band(x: [Double], lower: [Double], upper: [Double])
        /// Vertical intervals `lower[i]…upper[i]` at `x[i]` with caps at both ends and a dot at
        /// `y[i]` (e.g. a mean with its confidence interval).
        case errorBars(x: [Double], y: [Double], lower: [Double], upper: [Double])
        /// A line across the whole plot at height `y`.
        case horizontalLine(y: Double)
        /// A line across the whole plot at position `x`.
        case verticalLine(x: Double)
    }

    /// What is drawn.
    package var content: Content
    /// Legend text; series without a label do not appear in the legend.
    package var label: String?
    /// Explicit style; `nil` takes the next style of the axes' cycle
    /// (`SeriesStyle.cycled` for data, `SeriesStyle.referenceLine` for reference lines).
    package var style: SeriesStyle?
    /// Points the series was built without (e.g. samples a figure builder had to leave out
    /// before computing the curve), added to the render report.
    package var droppedBeforeDrawing = DroppedPoints()

    /// A series drawing `content`; prefer the static constructors below.
    package init(_ content: Content, label: String? = nil, style: SeriesStyle? = nil) {
        self.content = content
        self.label = label
        self.style = style
    }

    /// Straight segments through the points, in order (e.g. a fitted curve, a loss curve).
    package static func line(x: [Double], y: [Double], label: String? = nil, style: SeriesStyle? = nil) -> Series {
        Series(.line(x: x, y: y), label: label, style: style)
    }

    /// A staircase through the points (e.g. an empirical CDF); see `StepPlacement`.
    package static func step(x: [Double], y: [Double], placement: StepPlacement = .post,
                            label: String? = nil, style: SeriesStyle? = nil) -> Series {
        Series(.step(x: x, y: y, placement: placement), label: label, style: style)
    }

    /// One marker per point, no connecting line.
    package static func scatter(x: [Double], y: [Double], label: String? = nil, style: SeriesStyle? = nil) -> Series {
        Series(.scatter(x: x, y: y), label: label, style: style)
    }

    /// Bars of a binned sample, filled and outlined.
    package static func histogram(_ histogram: Histogram, label: String? = nil, style: SeriesStyle? = nil) -> Series {
        Series(.histogram(histogram), label: label, style: style)
    }

    /// A shaded area between `lower` and `upper`, e.g. a 95 % confidence interval.
    package static func band(x: [Double], lower: [Double], upper: [Double], label: String? = nil,
                            style: SeriesStyle? = nil) -> Series {
        Series(.band(x: x, lower: lower, upper: upper), label: label, style: style)
    }

    /// Error bars for estimates `y` ± `halfWidth` at positions `x`, e.g. a mean ± 1.96 standard
    /// errors. Capped vertical bars with a dot at `y`. A point whose interval cannot be shown
    /// whole (a bound that is not finite, or ≤ 0 on a log y-axis) is left out and counted.
    package static func errorBars(x: [Double], y: [Double], halfWidth: [Double], label: String? = nil,
                                 style: SeriesStyle? = nil) -> Series {
        let count = min(y.count, halfWidth.count)
        let lower = (0..<count).map { y[$0] - abs(halfWidth[$0]) }
        let upper = (0..<count).map { y[$0] + abs(halfWidth[$0]) }
        return Series(.errorBars(x: x, y: y, lower: lower, upper: upper), label: label, style: style)
    }

    /// Error bars for intervals that need not be symmetric (a quantile with its order-statistic
    /// interval, an estimate with an exact interval): from `lower[i]` to `upper[i]` at `x[i]`,
    /// with a dot at `y[i]`. Same rules as `errorBars(x:y:halfWidth:)`.
    package static func errorBars(x: [Double], y: [Double], lower: [Double], upper: [Double], label: String? = nil,
                                 style: SeriesStyle? = nil) -> Series {
        Series(.errorBars(x: x, y: y, lower: lower, upper: upper), label: label, style: style)
    }

    /// A reference line across the plot at height `y` (e.g. α = 2).
    package static func horizontalLine(y: Double, label: String? = nil, style: SeriesStyle? = nil) -> Series {
        Series(.horizontalLine(y: y), label: label, style: style)
    }

    /// A reference line across the plot at position `x` (e.g. the chosen k, xₘᵢₙ).
    package static func verticalLine(x: Double, label: String? = nil, style: SeriesStyle? = nil) -> Series {
        Series(.verticalLine(x: x), label: label, style: style)
    }

    /// Whether this is a reference line (styled as a guide, not as data).
    var isReferenceLine: Bool {
        switch content {
        case .horizontalLine, .verticalLine: return true
        default: return false
        }
    }
}

/// Text placed at a data position inside the plot, e.g. to point out a value.
package struct Annotation: Sendable, Equatable {
    /// Which part of the text sits at the anchor point.
    package enum Alignment: Sendable, Equatable {
        case start, middle, end
    }

    package var text: String
    /// Position in data coordinates.
    package var x: Double
    package var y: Double
    package var alignment: Alignment

    /// Text whose baseline starts (or is centred, or ends) at data position (`x`, `y`).
    /// Annotations outside the axes limits, or not representable on a log axis, are not drawn.
    package init(_ text: String, x: Double, y: Double, alignment: Alignment = .start) {
        self.text = text
        self.x = x
        self.y = y
        self.alignment = alignment
    }
}
