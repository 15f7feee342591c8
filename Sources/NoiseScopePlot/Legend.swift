/// The legend of a panel: which series it lists, its size, where it goes and its drawing.
///
/// With `LegendPlacement.automatic` the legend is tried at each of
/// `LegendPlacement.insideCandidates` (four corners, four edge midpoints) and scored by the
/// data it would cover: line and step segments are sampled every 2 px and each sample inside
/// the legend counts; markers count one each; bars, band slices and annotations count one per
/// 16 px² of overlap. Data count ten times as much as reference lines, which cross the whole
/// plot, so covering a bit of one is often unavoidable and hides nothing. The first candidate
/// that covers no data at all wins, ties broken by reference-line coverage and then by the
/// candidates' order; if every inside candidate covers data, the legend goes outside the plot
/// area on the right (the renderer widens the right margin for it), unless it would take more
/// than `largestOutsideShare` (40 %) of the plot's width there: a plot squeezed to a sliver
/// shows nothing, so the legend then stays inside, at the candidate covering the least data
/// (what matplotlib's "best" always does).
struct Legend {
    /// Series with a non-empty label, in drawing order.
    let entries: [DrawnSeries]
    let size: (width: Double, height: Double)

    private static let padding = 7.0
    private static let glyphWidth = 26.0
    private static let glyphGap = 7.0
    private static let rowHeight = Theme.legendFontSize * 1.5
    /// Distance between the legend and the plot frame.
    static let inset = 8.0
    /// The largest share of a plot's width that a legend placed outside may take from it.
    static let largestOutsideShare = 0.4

    /// `nil` when no series has a label.
    init?(_ drawn: [DrawnSeries]) {
        entries = drawn.filter { !($0.label ?? "").isEmpty }
        guard !entries.isEmpty else { return nil }
        let textWidth = entries.map { TextMetrics.width(of: $0.label ?? "", fontSize: Theme.legendFontSize) }.max() ?? 0
        size = (2 * Legend.padding + Legend.glyphWidth + Legend.glyphGap + textWidth,
                2 * Legend.padding + Double(entries.count) * Legend.rowHeight - 4)
    }

    /// Room the legend needs right of the plot area when it is placed outside.
    var outsideWidth: Double { size.width + Legend.inset }

    /// Whether placing the legend outside a plot of this width leaves the plot enough room.
    func fitsOutside(_ plot: Rect) -> Bool {
        outsideWidth <= Legend.largestOutsideShare * plot.width
    }

    /// The placement `automatic` resolves to (or `placement` itself when it is explicit).
    func resolvedPlacement(in plot: Rect, placement: LegendPlacement,
                           avoiding obstacles: [Obstacles]) -> LegendPlacement {
        guard placement == .automatic else { return placement }
        var best: (placement: LegendPlacement, data: Int, reference: Int)?
        for candidate in LegendPlacement.insideCandidates {
            let probe = frame(in: plot, placement: candidate).expanded(by: 2)
            var data = 0, reference = 0
            for obstacle in obstacles {
                let cover = obstacle.coverage(of: probe)
                if obstacle.weight >= 10 { data += cover } else { reference += cover }
            }
            if best == nil || (data, reference) < (best!.data, best!.reference) {
                best = (candidate, data, reference)
            }
        }
        guard let best else { return .outsideRight }
        return best.data == 0 || !fitsOutside(plot) ? best.placement : .outsideRight
    }

    /// The legend's rectangle for an explicit (resolved) placement; `.automatic` and `.hidden`
    /// give the upper-right corner.
    func frame(in plot: Rect, placement: LegendPlacement) -> Rect {
        let (w, h) = size
        let left = plot.minX + Legend.inset, right = plot.maxX - Legend.inset - w
        let top = plot.minY + Legend.inset, bottom = plot.maxY - Legend.inset - h
        let middleX = plot.midX - w / 2, middleY = plot.midY - h / 2
        let origin: (Double, Double)
        switch placement {
        case .upperLeft: origin = (left, top)
        case .lowerLeft: origin = (left, bottom)
        case .lowerRight: origin = (right, bottom)
        case .upperCenter: origin = (middleX, top)
        case .lowerCenter: origin = (middleX, bottom)
        case .centerLeft: origin = (left, middleY)
        case .centerRight: origin = (right, middleY)
        case .outsideRight: origin = (plot.maxX + Legend.inset, plot.minY)
        case .upperRight, .automatic, .hidden: origin = (right, top)
        }
        return Rect(minX: origin.0, minY: origin.1, width: w, height: h)
    }

    /// Writes the box, one glyph and one label per entry.
    func write(in frame: Rect, into writer: inout SVGWriter) {
        writer.open("g", [("font-size", svgNumber(Theme.legendFontSize)), ("fill", Theme.textColor)])
        writer.element("rect", [("x", svgNumber(frame.minX)), ("y", svgNumber(frame.minY)),
                                ("width", svgNumber(frame.width)), ("height", svgNumber(frame.height)),
                                ("rx", "3"), ("fill", Theme.background), ("fill-opacity", "0.9"),
                                ("stroke", "#BBBBBB"), ("stroke-width", "0.8")])
        for (row, entry) in entries.enumerated() {
            let centerY = frame.minY + Legend.padding + (Double(row) + 0.5) * Legend.rowHeight - 2
            let glyphBox = Rect(minX: frame.minX + Legend.padding, minY: centerY - Legend.rowHeight / 2,
                                width: Legend.glyphWidth, height: Legend.rowHeight)
            SeriesDrawing.writeGlyph(for: entry, in: glyphBox, into: &writer)
            let textX = glyphBox.maxX + Legend.glyphGap
            let baseline = centerY + Theme.legendFontSize * (Theme.ascent / 2)
            writer.richTextElement("text", [("x", svgNumber(textX)), ("y", svgNumber(baseline))],
                                   markup: entry.label ?? "", fontSize: Theme.legendFontSize)
        }
        writer.close("g")
    }
}
