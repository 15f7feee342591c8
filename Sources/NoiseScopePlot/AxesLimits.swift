/// Works out the x and y limits of a panel: the caller's explicit limits when the scale can
/// show them, otherwise automatic limits around every drawable point of every series.
struct AxesLimits {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    /// Explicit limits that had to be replaced, in words.
    var notices: [String]
    /// The data ranges the automatic limits are built from (kept for shared axes).
    private(set) var xExtent = Extent(), yExtent = Extent()
    /// Whether histogram bars stand on y = 0, which then stays the lower limit.
    private(set) var barsStandOnZero = false
    /// Whether the caller's explicit limits were used.
    private(set) var xIsExplicit = false, yIsExplicit = false

    init(_ axes: Axes) {
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
            case let .errorBars(x, y, lower, upper):
                for i in 0..<min(x.count, y.count, lower.count, upper.count)
                where axes.xScale.canShow(x[i]) && [y[i], lower[i], upper[i]].allSatisfy(axes.yScale.canShow) {
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
                    if axes.yScale.showsZero {
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
        xIsExplicit = axes.xLimits.map(axes.xScale.acceptsLimits) ?? false
        yIsExplicit = axes.yLimits.map(axes.yScale.acceptsLimits) ?? false
    }

    /// The limits of every panel with the sharing of `figure` applied (see `AxisSharing`).
    static func shared(_ figure: Figure) -> [AxesLimits] {
        var limits = figure.panels.map(AxesLimits.init)
        let columns = max(1, figure.columns)
        for group in figure.sharex.groups(count: limits.count, columns: columns) {
            guard let first = group.first else { continue }
            let scale = figure.panels[first].xScale
            let members = group.filter { figure.panels[$0].xScale == scale }
            let range = commonRange(members.map { (limits[$0].x, limits[$0].xExtent, limits[$0].xIsExplicit, false) },
                                    scale: scale)
            for i in members { limits[i].x = range }
        }
        for group in figure.sharey.groups(count: limits.count, columns: columns) {
            guard let first = group.first else { continue }
            let scale = figure.panels[first].yScale
            let members = group.filter { figure.panels[$0].yScale == scale }
            let range = commonRange(members.map { (limits[$0].y, limits[$0].yExtent, limits[$0].yIsExplicit,
                                                   limits[$0].barsStandOnZero) }, scale: scale)
            for i in members { limits[i].y = range }
        }
        return limits
    }

    /// One range for a group: the union of the explicit limits (and other members' own limits)
    /// when any member has explicit limits, else automatic limits around the union of the data.
    private static func commonRange(_ members: [(limits: ClosedRange<Double>, extent: Extent, explicit: Bool,
                                                 keepsZero: Bool)], scale: Scale) -> ClosedRange<Double> {
        if members.contains(where: { $0.explicit }) {
            let low = members.map { $0.limits.lowerBound }.min()!, high = members.map { $0.limits.upperBound }.max()!
            return low...high
        }
        var union = Extent()
        for member in members {
            if let low = member.extent.min { union.include(low) }
            if let high = member.extent.max { union.include(high) }
        }
        return scale.automaticLimits(dataMin: union.min, dataMax: union.max,
                                     keepsZero: members.contains { $0.keepsZero })
    }

    private static func choose(_ explicit: ClosedRange<Double>?, scale: Scale, extent: Extent, keepsZero: Bool,
                               axisName: String, notices: inout [String]) -> ClosedRange<Double> {
        if let explicit {
            if scale.acceptsLimits(explicit) { return explicit }
            let bounds = NumberLabels.quoted(explicit.lowerBound) + "…" + NumberLabels.quoted(explicit.upperBound)
            notices.append("\(axisName) limits \(bounds) cannot be shown on a \(scale.name) axis; automatic limits used")
        }
        return scale.automaticLimits(dataMin: extent.min, dataMax: extent.max, keepsZero: keepsZero)
    }
}

/// The smallest and largest of the values seen so far.
struct Extent: Equatable {
    var min: Double?
    var max: Double?

    mutating func include(_ value: Double) {
        min = Swift.min(min ?? value, value)
        max = Swift.max(max ?? value, value)
    }
}
