import Foundation

/// One axis placed on the page: its limits, ticks and the map from data values to pixels.
struct AxisLayout {
    let scale: Scale
    let limits: ClosedRange<Double>
    let ticks: AxisTicks
    /// Pixel position of the lower limit (left end of x, bottom of y).
    let start: Double
    /// Pixel position of the upper limit.
    let end: Double

    /// Pixel position of `value`, which must satisfy `scale.canShow`.
    func pixel(_ value: Double) -> Double {
        let a = scale.transformed(limits.lowerBound), b = scale.transformed(limits.upperBound)
        return start + (scale.transformed(value) - a) / (b - a) * (end - start)
    }

    /// Whether `value` lies within the limits (with a hair of tolerance for rounding).
    func contains(_ value: Double) -> Bool {
        guard scale.canShow(value) else { return false }
        let p = pixel(value)
        return p >= min(start, end) - 0.01 && p <= max(start, end) + 0.01
    }

    /// The same axis with other ticks (those of a panel it shares its range with).
    func with(ticks: AxisTicks) -> AxisLayout {
        AxisLayout(scale: scale, limits: limits, ticks: ticks, start: start, end: end)
    }

    /// Length in pixels.
    var length: Double { abs(end - start) }

    /// The axis label with the tick multiplier appended, e.g. "Noise norm (×10⁻⁹)".
    func title(_ label: String) -> String {
        guard let multiplier = ticks.multiplier else { return label }
        return label.isEmpty ? multiplier : label + " (" + multiplier + ")"
    }
}

/// Space reserved around a plot area for ticks, labels and the title.
struct PanelMargins: Equatable {
    var left = 64.0, right = 16.0, top = 36.0, bottom = 52.0
}

/// A panel placed on the page: its plot rectangle and both axes with ticks chosen so that the
/// labels do not collide at that size.
struct PanelLayout {
    let axes: Axes
    let limits: AxesLimits
    let plot: Rect
    /// The axes; a shared axis takes its group's ticks (`SVGRenderer.sharingTicks`).
    var x: AxisLayout
    var y: AxisLayout
    /// Whether the legend goes right of the plot area (decided by the renderer, which
    /// reserved the room for it).
    var legendOutside = false
    /// An inner panel of a shared axis (matplotlib's `label_outer`): the panel below
    /// shares its x range (the one to its left, its y range), so its tick labels would
    /// repeat that panel's and are left out; so is its axis label when it repeats too.
    var hidesXTickLabels = false, hidesXTitle = false
    var hidesYTickLabels = false, hidesYTitle = false
    /// The widest a title centred on the plot may be and stay inside the panel's cell.
    var titleRoom = Double.infinity

    init(axes: Axes, limits: AxesLimits, plot: Rect) {
        self.axes = axes
        self.limits = limits
        self.plot = plot
        x = PanelLayout.fittedAxis(scale: axes.xScale, limits: limits.x, start: plot.minX, end: plot.maxX,
                                   horizontal: true)
        y = PanelLayout.fittedAxis(scale: axes.yScale, limits: limits.y, start: plot.maxY, end: plot.minY,
                                   horizontal: false)
    }

    /// Margins this panel needs around its plot area to show all its text.
    var requiredMargins: PanelMargins {
        let tickLabelHeight = Theme.tickFontSize * (Theme.ascent + Theme.descent)
        let axisLabelHeight = Theme.axisLabelFontSize * (Theme.ascent + Theme.descent)
        var margins = PanelMargins()
        let yTitle = shownYTitle, xTitle = shownXTitle
        margins.left = Theme.outerPadding + Theme.majorTickLength + (hidesYTickLabels ? 0 : Theme.tickLabelGap + widestYTickLabel)
            + (yTitle.isEmpty ? 0 : Theme.axisLabelGap + axisLabelHeight)
        margins.bottom = Theme.outerPadding + Theme.majorTickLength + (hidesXTickLabels ? 0 : Theme.tickLabelGap + tickLabelHeight)
            + (xTitle.isEmpty ? 0 : Theme.axisLabelGap + axisLabelHeight)
        let titleHeight = Theme.titleFontSize * (Theme.ascent + Theme.descent) + Theme.titleGap
        margins.top = Theme.outerPadding + (titleLayout.map { titleHeight + $0.extraHeight } ?? Theme.tickFontSize / 2)
        var overhang = 0.0
        if let last = x.ticks.major.last {
            let halfWidth = TextMetrics.width(of: last.label, fontSize: Theme.tickFontSize) / 2
            overhang = halfWidth - (plot.maxX - x.pixel(last.value))
        }
        margins.right = max(12, Theme.outerPadding + overhang)
        return margins
    }

    /// The title set to fit over the plot (a little wider than it) and inside the panel's
    /// cell; `nil` without a title.
    var titleLayout: TitleLayout? {
        axes.title.isEmpty ? nil
            : TitleLayout(axes.title, base: Theme.titleFontSize, bold: true, room: min(plot.width + 40, titleRoom))
    }

    /// Width of the widest y tick label (0 when they are hidden).
    var widestYTickLabel: Double {
        hidesYTickLabels ? 0 : y.ticks.major.map { TextMetrics.width(of: $0.label, fontSize: Theme.tickFontSize) }.max() ?? 0
    }

    /// The axis titles as drawn (empty where an inner panel leaves them out).
    var shownXTitle: String { hidesXTitle ? "" : x.title(axes.xLabel) }
    var shownYTitle: String { hidesYTitle ? "" : y.title(axes.yLabel) }

    /// Ticks for one axis: start from a density suited to its length (about one label per 75 px
    /// horizontally, per 50 px vertically) and ask for fewer until neighbouring labels clear
    /// each other.
    private static func fittedAxis(scale: Scale, limits: ClosedRange<Double>, start: Double, end: Double,
                                   horizontal: Bool) -> AxisLayout {
        let length = abs(end - start)
        var target = min(10, max(2, Int(length / (horizontal ? 75 : 50))))
        while true {
            let ticks = scale.ticks(for: limits, targetCount: target, pixelLength: length)
            let axis = AxisLayout(scale: scale, limits: limits, ticks: ticks, start: start, end: end)
            if target <= 2 || labelsFit(axis, horizontal: horizontal) { return axis }
            target -= 1
        }
    }

    private static func labelsFit(_ axis: AxisLayout, horizontal: Bool) -> Bool {
        let positions = axis.ticks.major.map { axis.pixel($0.value) }
        for i in positions.indices.dropFirst() {
            let distance = abs(positions[i] - positions[i - 1])
            let needed: Double
            if horizontal {
                let widths = [axis.ticks.major[i - 1], axis.ticks.major[i]].map {
                    TextMetrics.width(of: $0.label, fontSize: Theme.tickFontSize)
                }
                needed = (widths[0] + widths[1]) / 2 + Theme.minimumLabelGap
            } else {
                needed = Theme.tickFontSize * 1.8
            }
            if distance < needed { return false }
        }
        return true
    }
}
