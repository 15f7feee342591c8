/// Renders a `Figure` as a standalone SVG 1.1 document.
///
/// The output has an XML declaration, the SVG namespace, `width`/`height` and a matching
/// `viewBox`, a white background, and uses only the generic `sans-serif` font family: no
/// scripts, no CSS, no external references. The same figure always gives the same bytes.
public struct SVGRenderer: Sendable {
    /// A renderer; it has no settings, sizes and styles live in the figure.
    public init() {}

    /// Renders `figure`; see `RenderedFigure` for what is reported besides the SVG text.
    public func render(_ figure: Figure) -> RenderedFigure {
        let width = max(figure.width.isFinite ? figure.width : 640, 80)
        let height = max(figure.height.isFinite ? figure.height : 480, 60)
        let columns = max(1, figure.columns)
        let rows = max(figure.rows, (figure.panels.count + columns - 1) / columns, 1)
        let titleBand = figure.title.isEmpty ? 0
            : Theme.outerPadding * 2.5 + Theme.figureTitleFontSize * (Theme.ascent + Theme.descent)
        let cellWidth = width / Double(columns)
        let cellHeight = (height - titleBand) / Double(rows)
        func cell(_ index: Int) -> Rect {
            Rect(minX: Double(index % columns) * cellWidth, minY: titleBand + Double(index / columns) * cellHeight,
                 width: cellWidth, height: cellHeight)
        }

        // Margins depend on tick labels, which depend on the plot size, which depends on the
        // margins: three rounds of "choose ticks, then margins" settle it.
        let limits = figure.panels.map(AxesLimits.init)
        var margins = figure.panels.map { _ in PanelMargins() }
        var layouts: [PanelLayout] = []
        for _ in 0..<3 {
            let aligned = Self.aligned(margins, columns: columns)
            layouts = figure.panels.indices.map { i in
                let c = cell(i), m = aligned[i]
                let plot = Rect(minX: c.minX + m.left, minY: c.minY + m.top,
                                width: max(10, c.width - m.left - m.right),
                                height: max(10, c.height - m.top - m.bottom))
                return PanelLayout(axes: figure.panels[i], limits: limits[i], plot: plot)
            }
            margins = layouts.map(\.requiredMargins)
        }

        var writer = SVGWriter()
        writer.raw("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>")
        let (w, h) = (svgNumber(width), svgNumber(height))
        writer.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("version", "1.1"),
                            ("width", w), ("height", h), ("viewBox", "0 0 " + w + " " + h),
                            ("font-family", Theme.fontFamily)])
        let description = [figure.title] + figure.panels.map(\.title)
        let summary = description.filter { !$0.isEmpty }.joined(separator: " · ")
        if !summary.isEmpty { writer.textElement("title", [], text: summary) }
        writer.element("rect", [("width", w), ("height", h), ("fill", Theme.background)])
        if !figure.title.isEmpty {
            let fontSize = AxesRenderer.fittedFontSize(figure.title, base: Theme.figureTitleFontSize, bold: true,
                                                       room: width - 2 * Theme.outerPadding)
            writer.textElement("text", [("x", svgNumber(width / 2)),
                                        ("y", svgNumber(Theme.outerPadding * 1.5 + fontSize * Theme.ascent)),
                                        ("font-size", svgNumber(fontSize)), ("font-weight", "bold"),
                                        ("fill", Theme.textColor), ("text-anchor", "middle")], text: figure.title)
        }
        var dropped = DroppedPoints()
        var notices: [String] = []
        for layout in layouts {
            dropped = dropped + AxesRenderer.write(layout, into: &writer)
            notices += layout.limits.notices
        }
        writer.close("svg")
        return RenderedFigure(svg: writer.output, droppedPoints: dropped,
                              notices: RenderedFigure.notices(for: dropped) + notices)
    }

    /// Margins made equal along each row (top, bottom) and each column (left, right), so the
    /// plot areas of a grid line up.
    static func aligned(_ margins: [PanelMargins], columns: Int) -> [PanelMargins] {
        margins.indices.map { i in
            let row = margins.indices.filter { $0 / columns == i / columns }.map { margins[$0] }
            let column = margins.indices.filter { $0 % columns == i % columns }.map { margins[$0] }
            return PanelMargins(left: column.map(\.left).max()!, right: column.map(\.right).max()!,
                                top: row.map(\.top).max()!, bottom: row.map(\.bottom).max()!)
        }
    }
}
