/// One panel of a figure: a plot area with its own title, axis labels, scales, limits, grid,
/// legend and the series drawn in it (the `Axes` of matplotlib).
package struct Axes: Sendable {
    /// Shown in bold above the plot area.
    package var title: String
    package var xLabel: String
    package var yLabel: String
    package var xScale: Scale
    package var yScale: Scale
    /// Explicit x limits; `nil` chooses them from the data (see `Scale.automaticLimits`).
    /// Limits that the scale cannot show (empty, non-finite, or ≤ 0 on a log axis) are replaced
    /// by automatic ones and reported in `RenderedFigure.notices`.
    package var xLimits: ClosedRange<Double>?
    /// Explicit y limits; same rules as `xLimits`.
    package var yLimits: ClosedRange<Double>?
    /// Light grid lines at the major ticks.
    package var showsGrid: Bool
    package var legendPlacement: LegendPlacement
    /// Drawn in order, except that filled areas go below reference lines, which go below lines,
    /// which go below markers.
    package var series: [Series]
    package var annotations: [Annotation]

    /// An empty panel; add series with `add(_:)` or pass them here.
    package init(title: String = "", xLabel: String = "", yLabel: String = "",
                xScale: Scale = .linear, yScale: Scale = .linear,
                xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil,
                showsGrid: Bool = true, legendPlacement: LegendPlacement = .automatic,
                series: [Series] = [], annotations: [Annotation] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.xLimits = xLimits
        self.yLimits = yLimits
        self.showsGrid = showsGrid
        self.legendPlacement = legendPlacement
        self.series = series
        self.annotations = annotations
    }

    /// Appends a series.
    package mutating func add(_ series: Series) {
        self.series.append(series)
    }

    /// Appends a text annotation at data position (`x`, `y`).
    package mutating func annotate(_ text: String, x: Double, y: Double,
                                  alignment: Annotation.Alignment = .start) {
        annotations.append(Annotation(text, x: x, y: y, alignment: alignment))
    }
}

/// Where the legend goes: inside the plot area, at a corner or the middle of an edge, or
/// outside it on the right.
package enum LegendPlacement: Sendable, Equatable, CaseIterable {
    /// Like matplotlib's `loc="best"`: the inside position (`insideCandidates`) covering the
    /// fewest samples of data; outside on the right when every inside position covers some.
    /// See `Legend` for how coverage is counted.
    case automatic
    case upperRight, upperLeft, lowerLeft, lowerRight
    case upperCenter, lowerCenter, centerLeft, centerRight
    /// Right of the plot area, top-aligned; the panel's right margin grows to make room.
    case outsideRight
    /// No legend.
    case hidden

    /// The positions `automatic` tries, in tie-break order (matplotlib's order of `loc` codes).
    package static let insideCandidates: [LegendPlacement] = [
        .upperRight, .upperLeft, .lowerLeft, .lowerRight, .centerRight, .centerLeft, .lowerCenter, .upperCenter,
    ]
}
