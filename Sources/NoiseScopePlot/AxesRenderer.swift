/// Writes one panel: grid, series, frame, ticks, tick labels, axis labels, title, annotations
/// and legend, in that order (later items are drawn on top).
enum AxesRenderer {
    /// Writes the panel and returns what was left out of it.
    static func write(_ layout: PanelLayout, into writer: inout SVGWriter) -> DroppedPoints {
        let plot = layout.plot
        writer.open("g", [])
        if layout.axes.showsGrid { writeGrid(layout, into: &writer) }

        let drawn = SeriesGeometry.build(layout)
        for layer in 0...3 {
            for series in drawn where series.layer == layer {
                SeriesDrawing.write(series, into: &writer)
            }
        }
        for series in drawn {
            if let peak = series.clippedPeak { writeClippedPeak(peak, color: series.style.color, into: &writer) }
        }
        writer.element("rect", [("x", svgNumber(plot.minX)), ("y", svgNumber(plot.minY)),
                                ("width", svgNumber(plot.width)), ("height", svgNumber(plot.height)),
                                ("fill", "none"), ("stroke", Theme.frameColor),
                                ("stroke-width", svgNumber(Theme.frameWidth))])
        writeTicks(layout, into: &writer)
        writeTickLabels(layout, into: &writer)
        writeTitles(layout, into: &writer)
        writeAnnotations(layout, into: &writer)
        if let plan = legendPlan(layout, drawn: drawn) {
            plan.legend.write(in: plan.frame, into: &writer)
        }
        writer.close("g")
        return drawn.reduce(DroppedPoints()) { $0 + $1.dropped }
    }

    /// The legend of a panel, where it goes and its rectangle; `nil` when there is none.
    /// A layout marked `legendOutside` keeps its legend outside (its margin was made for it).
    static func legendPlan(_ layout: PanelLayout, drawn: [DrawnSeries])
        -> (legend: Legend, placement: LegendPlacement, frame: Rect)? {
        guard layout.axes.legendPlacement != .hidden, let legend = Legend(drawn) else { return nil }
        let placement = layout.legendOutside ? .outsideRight
            : legend.resolvedPlacement(in: layout.plot, placement: layout.axes.legendPlacement,
                                       avoiding: drawn.map(\.obstacles) + [Obstacles(boxes: annotationBoxes(layout))])
        return (legend, placement, legend.frame(in: layout.plot, placement: placement))
    }

    /// Major-tick positions (in pixels) of an axis that lie inside its limits.
    private static func majorPixels(_ axis: AxisLayout) -> [(pixel: Double, label: String)] {
        axis.ticks.major.filter { axis.contains($0.value) }.map { (axis.pixel($0.value), $0.label) }
    }

    private static func writeGrid(_ layout: PanelLayout, into writer: inout SVGWriter) {
        let plot = layout.plot
        var lines: [[Point]] = []
        for (x, _) in majorPixels(layout.x) where abs(x - plot.minX) > 0.5 && abs(x - plot.maxX) > 0.5 {
            lines.append([Point(x: x, y: plot.minY), Point(x: x, y: plot.maxY)])
        }
        for (y, _) in majorPixels(layout.y) where abs(y - plot.minY) > 0.5 && abs(y - plot.maxY) > 0.5 {
            lines.append([Point(x: plot.minX, y: y), Point(x: plot.maxX, y: y)])
        }
        guard !lines.isEmpty else { return }
        writer.element("path", [("d", SeriesDrawing.pathData(lines, closed: false)), ("fill", "none"),
                                ("stroke", Theme.gridColor), ("stroke-width", svgNumber(Theme.gridWidth))])
    }

    /// Outward ticks on the bottom and left edges; minor ticks shorter.
    private static func writeTicks(_ layout: PanelLayout, into writer: inout SVGWriter) {
        let plot = layout.plot
        for (length, isMajor) in [(Theme.majorTickLength, true), (Theme.minorTickLength, false)] {
            let xs = isMajor ? majorPixels(layout.x).map(\.pixel)
                : layout.x.ticks.minor.filter(layout.x.contains).map(layout.x.pixel)
            let ys = isMajor ? majorPixels(layout.y).map(\.pixel)
                : layout.y.ticks.minor.filter(layout.y.contains).map(layout.y.pixel)
            let marks = xs.map { [Point(x: $0, y: plot.maxY), Point(x: $0, y: plot.maxY + length)] }
                + ys.map { [Point(x: plot.minX, y: $0), Point(x: plot.minX - length, y: $0)] }
            guard !marks.isEmpty else { continue }
            writer.element("path", [("d", SeriesDrawing.pathData(marks, closed: false)), ("fill", "none"),
                                    ("stroke", Theme.frameColor), ("stroke-width", svgNumber(Theme.frameWidth))])
        }
    }

    private static func writeTickLabels(_ layout: PanelLayout, into writer: inout SVGWriter) {
        let plot = layout.plot
        let fontSize = Theme.tickFontSize
        writer.open("g", [("font-size", svgNumber(fontSize)), ("fill", Theme.textColor), ("text-anchor", "middle")])
        let xBaseline = plot.maxY + Theme.majorTickLength + Theme.tickLabelGap + fontSize * Theme.ascent
        for (x, label) in majorPixels(layout.x) where !layout.hidesXTickLabels {
            writer.textElement("text", [("x", svgNumber(x)), ("y", svgNumber(xBaseline))], text: label)
        }
        writer.close("g")
        writer.open("g", [("font-size", svgNumber(fontSize)), ("fill", Theme.textColor), ("text-anchor", "end")])
        let yRight = plot.minX - Theme.majorTickLength - Theme.tickLabelGap
        for (y, label) in majorPixels(layout.y) where !layout.hidesYTickLabels {
            writer.textElement("text", [("x", svgNumber(yRight)), ("y", svgNumber(y + fontSize * Theme.ascent / 2))],
                               text: label)
        }
        writer.close("g")
    }

    /// Axis labels and the panel title; the y label is rotated to read bottom to top.
    private static func writeTitles(_ layout: PanelLayout, into writer: inout SVGWriter) {
        let plot = layout.plot
        let xTitle = layout.shownXTitle
        if !xTitle.isEmpty {
            let tickLabels = layout.hidesXTickLabels ? 0 : Theme.tickLabelGap + Theme.tickFontSize * (Theme.ascent + Theme.descent)
            let baseline = plot.maxY + Theme.majorTickLength + tickLabels + Theme.axisLabelGap
                + Theme.axisLabelFontSize * Theme.ascent
            writer.richTextElement("text", [("x", svgNumber(plot.midX)), ("y", svgNumber(baseline)),
                                        ("font-size", svgNumber(Theme.axisLabelFontSize)),
                                        ("fill", Theme.textColor), ("text-anchor", "middle")],
                                      markup: xTitle, fontSize: Theme.axisLabelFontSize)
        }
        let yTitle = layout.shownYTitle
        if !yTitle.isEmpty {
            let x = plot.minX - Theme.majorTickLength - (layout.hidesYTickLabels ? 0 : Theme.tickLabelGap) - layout.widestYTickLabel
                - Theme.axisLabelGap - Theme.axisLabelFontSize * Theme.descent
            let (xText, yText) = (svgNumber(x), svgNumber(plot.midY))
            writer.richTextElement("text", [("x", xText), ("y", yText),
                                        ("transform", "rotate(-90 " + xText + " " + yText + ")"),
                                        ("font-size", svgNumber(Theme.axisLabelFontSize)),
                                        ("fill", Theme.textColor), ("text-anchor", "middle")],
                                      markup: yTitle, fontSize: Theme.axisLabelFontSize)
        }
        if let title = layout.titleLayout {
            // The last line sits where a one-line title always has; wrapped lines stack above it.
            let fontSize = title.fontSize
            let lastBaseline = plot.minY - Theme.titleGap - fontSize * Theme.descent
            for (index, line) in title.lines.enumerated() {
                let baseline = lastBaseline - Double(title.lines.count - 1 - index) * title.lineHeight
                writer.richTextElement("text", [("x", svgNumber(plot.midX)), ("y", svgNumber(baseline)),
                                            ("font-size", svgNumber(fontSize)), ("font-weight", "bold"),
                                            ("fill", Theme.textColor), ("text-anchor", "middle")],
                                          markup: line, fontSize: fontSize)
            }
        }
    }

    /// A histogram cut off by the upper y limit: a triangle in its colour, outlined in the text
    /// colour so that it shows on its own bar, at the top edge, and its true peak beside the
    /// bar (see `ClippedPeak`).
    private static func writeClippedPeak(_ peak: ClippedPeak, color: Color, into writer: inout SVGWriter) {
        writer.element("path", [("d", SeriesDrawing.pathData([peak.triangle], closed: true)), ("fill", color.hex),
                                ("stroke", Theme.textColor), ("stroke-width", "0.8"), ("stroke-linejoin", "round")])
        writer.textElement("text", [("x", svgNumber(peak.labelX)), ("y", svgNumber(peak.baseline)),
                                    ("font-size", svgNumber(ClippedPeak.fontSize)), ("fill", Theme.textColor),
                                    ("text-anchor", peak.anchor)], text: peak.label)
    }

    /// Annotations inside the limits with their anchor, pixel position and approximate box.
    private static func placedAnnotations(_ layout: PanelLayout)
        -> [(note: Annotation, anchor: String, x: Double, y: Double, box: Rect)] {
        let fontSize = Theme.legendFontSize
        return layout.axes.annotations.filter { layout.x.contains($0.x) && layout.y.contains($0.y) }.map { note in
            let x = layout.x.pixel(note.x), y = layout.y.pixel(note.y)
            let width = TextMetrics.width(of: note.text, fontSize: fontSize)
            let anchor: String, left: Double
            switch note.alignment {
            case .start: (anchor, left) = ("start", x)
            case .middle: (anchor, left) = ("middle", x - width / 2)
            case .end: (anchor, left) = ("end", x - width)
            }
            let box = Rect(minX: left, minY: y - fontSize * Theme.ascent, width: width,
                           height: fontSize * (Theme.ascent + Theme.descent))
            return (note, anchor, x, y, box)
        }
    }

    /// Approximate boxes of the annotations drawn, for the legend to avoid.
    static func annotationBoxes(_ layout: PanelLayout) -> [Rect] {
        placedAnnotations(layout).map(\.box)
    }

    /// Writes the annotations inside the limits.
    private static func writeAnnotations(_ layout: PanelLayout, into writer: inout SVGWriter) {
        let fontSize = Theme.legendFontSize
        for placed in placedAnnotations(layout) {
            writer.richTextElement("text", [("x", svgNumber(placed.x)), ("y", svgNumber(placed.y)),
                                            ("font-size", svgNumber(fontSize)), ("fill", Theme.textColor),
                                            ("text-anchor", placed.anchor)],
                                   markup: placed.note.text, fontSize: fontSize)
        }
    }
}
