/// Works out the x and y limits of a panel: the caller's explicit limits when the scale can
/// show them, otherwise automatic limits around every drawable point of every series.
struct AxesLimits {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    /// Explicit limits that had to be replaced, in words.
    var notices: [String]

    init(_ axes: Axes) {
        var xExtent = Extent(), yExtent = Extent()
        var barsStandOnZero = false
        for series in axes.series {
            switch series.content {
            case let .line(x, y), let .step(x, y, _), let .scatter(x, y):
                for i in 0..<min(x.count, y.count) where axes.xScale.canShow(x[i]) && axes.yScale.canShow(y[i]) {
                    xExtent.include(x[i])
                    yExtent.include(y[i])
                }
            case let .band(x, lower, upper):
                for i in 0..<min(x.count, lower.count, upper.count)
                where axes.xScale.canShow(x[i]) && axes.yScale.canShow(lower[i]) && axes.yScale.canShow(upper[i]) {
                    xExtent.include(x[i])
                    yExtent.include(lower[i])
                    yExtent.include(upper[i])
                }
            case let .histogram(histogram):
                let values = histogram.values
                for i in values.indices
                where axes.xScale.canShow(histogram.edges[i]) && axes.xScale.canShow(histogram.edges[i + 1]) {
                    xExtent.include(histogram.edges[i])
                    xExtent.include(histogram.edges[i + 1])
                    if axes.yScale == .linear {
                        yExtent.include(0)
                        yExtent.include(values[i])
                        barsStandOnZero = true
                    } else if values[i] > 0 {
                        yExtent.include(values[i])
                    }
                }
            case let .horizontalLine(y):
                if axes.yScale.canShow(y) { yExtent.include(y) }
            case let .verticalLine(x):
                if axes.xScale.canShow(x) { xExtent.include(x) }
            }
        }
        notices = []
        x = AxesLimits.choose(axes.xLimits, scale: axes.xScale, extent: xExtent, keepsZero: false,
                              axisName: "x", notices: &notices)
        y = AxesLimits.choose(axes.yLimits, scale: axes.yScale, extent: yExtent, keepsZero: barsStandOnZero,
                              axisName: "y", notices: &notices)
    }

    private static func choose(_ explicit: ClosedRange<Double>?, scale: Scale, extent: Extent, keepsZero: Bool,
                               axisName: String, notices: inout [String]) -> ClosedRange<Double> {
        if let explicit {
            if scale.acceptsLimits(explicit) { return explicit }
            let bounds = NumberLabels.quoted(explicit.lowerBound) + "…" + NumberLabels.quoted(explicit.upperBound)
            notices.append("\(axisName) limits \(bounds) cannot be shown on a \(scale == .linear ? "linear" : "log") axis; automatic limits used")
        }
        return scale.automaticLimits(dataMin: extent.min, dataMax: extent.max, keepsZero: keepsZero)
    }
}

/// The smallest and largest of the values seen so far.
private struct Extent {
    var min: Double?
    var max: Double?

    mutating func include(_ value: Double) {
        min = Swift.min(min ?? value, value)
        max = Swift.max(max ?? value, value)
    }
}
