/// The legend of a panel: which series it lists, its size, the corner it goes in and its drawing.
///
/// With `LegendPlacement.automatic` the legend is tried in each corner of the plot area and put
/// where it touches the fewest pieces of data (line segments, markers, bars, band slices,
/// annotations), so it covers data only when every corner is occupied. Reference lines count
/// a tenth as much as data: they cross the whole plot, so covering a bit of one is often
/// unavoidable and hides nothing.
struct Legend {
    /// Series with a non-empty label, in drawing order.
    let entries: [DrawnSeries]
    let size: (width: Double, height: Double)

    private static let padding = 7.0
    private static let glyphWidth = 26.0
    private static let glyphGap = 7.0
    private static let rowHeight = Theme.legendFontSize * 1.5
    /// Distance between the legend and the plot frame.
    private static let inset = 8.0

    /// `nil` when no series has a label.
    init?(_ drawn: [DrawnSeries]) {
        entries = drawn.filter { !($0.label ?? "").isEmpty }
        guard !entries.isEmpty else { return nil }
        let textWidth = entries.map { TextMetrics.width(of: $0.label ?? "", fontSize: Theme.legendFontSize) }.max() ?? 0
        size = (2 * Legend.padding + Legend.glyphWidth + Legend.glyphGap + textWidth,
                2 * Legend.padding + Double(entries.count) * Legend.rowHeight - 4)
    }

    /// The legend's rectangle inside `plot`, or `nil` when it is hidden.
    func frame(in plot: Rect, placement: LegendPlacement, avoiding obstacles: [Obstacles]) -> Rect? {
        let order: [LegendPlacement] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight]
        switch placement {
        case .hidden:
            return nil
        case .automatic:
            var best: (rect: Rect, overlap: Int)?
            for corner in order {
                let rect = frame(in: plot, corner: corner)
                let probe = rect.expanded(by: 2)
                let overlap = obstacles.reduce(0) { $0 + $1.weight * $1.overlapCount(with: probe) }
                if best == nil || overlap < best!.overlap { best = (rect, overlap) }
            }
            return best?.rect
        default:
            return frame(in: plot, corner: placement)
        }
    }

    private func frame(in plot: Rect, corner: LegendPlacement) -> Rect {
        let left = corner == .upperLeft || corner == .lowerLeft
        let top = corner == .upperLeft || corner == .upperRight
        let x = left ? plot.minX + Legend.inset : plot.maxX - Legend.inset - size.width
        let y = top ? plot.minY + Legend.inset : plot.maxY - Legend.inset - size.height
        return Rect(minX: x, minY: y, width: size.width, height: size.height)
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
            writer.textElement("text", [("x", svgNumber(textX)), ("y", svgNumber(baseline))], text: entry.label ?? "")
        }
        writer.close("g")
    }
}
