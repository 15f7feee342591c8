/// Renders a `Figure` as a standalone SVG 1.1 document.
///
/// The output has an XML declaration, the SVG namespace, `width`/`height` and a matching
/// `viewBox`, a white background, and uses only the generic `sans-serif` font family: no
/// scripts, no CSS, no external references. The same figure always gives the same bytes.
package struct SVGRenderer: Sendable {
    /// A renderer; it has no settings, sizes and styles live in the figure.
    package init() {}

    /// Renders `figure`; see `RenderedFigure` for what is reported besides the SVG text.
    package func render(_ figure: Figure) -> RenderedFigure {
        let (width, height) = Self.size(of: figure)
        let layouts = Self.layouts(of: figure)
        var writer = SVGWriter()
        writer.raw("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>")
        let (w, h) = (svgNumber(width), svgNumber(height))
        writer.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("version", "1.1"),
                            ("width", w), ("height", h), ("viewBox", "0 0 " + w + " " + h),
                            ("font-family", Theme.fontFamily)])
        let description = [figure.title] + figure.panels.map(\.title)
        let summary = description.filter { !$0.isEmpty }.map { RichText($0).plain }.joined(separator: " · ")
        if !summary.isEmpty { writer.textElement("title", [], text: summary) }
        writer.element("rect", [("width", w), ("height", h), ("fill", Theme.background)])
        if let title = Self.titleLayout(of: figure) {
            let fontSize = title.fontSize
            for (index, line) in title.lines.enumerated() {
                let baseline = Theme.outerPadding * 1.5 + fontSize * Theme.ascent + Double(index) * title.lineHeight
                writer.richTextElement("text", [("x", svgNumber(width / 2)), ("y", svgNumber(baseline)),
                                            ("font-size", svgNumber(fontSize)), ("font-weight", "bold"),
                                            ("fill", Theme.textColor), ("text-anchor", "middle")],
                                       markup: line, fontSize: fontSize)
            }
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

    /// The overall title set to fit the page's width; `nil` without one.
    static func titleLayout(of figure: Figure) -> TitleLayout? {
        guard !figure.title.isEmpty else { return nil }
        return TitleLayout(figure.title, base: Theme.figureTitleFontSize, bold: true,
                           room: size(of: figure).width - 2 * Theme.outerPadding)
    }

    /// Width and height in pixels, with unusable sizes replaced.
    static func size(of figure: Figure) -> (width: Double, height: Double) {
        (max(figure.width.isFinite ? figure.width : 640, 80), max(figure.height.isFinite ? figure.height : 480, 60))
    }

    /// Every panel placed on the page, with its limits (shared ones applied), ticks and
    /// legend side decided.
    static func layouts(of figure: Figure) -> [PanelLayout] {
        let (width, height) = size(of: figure)
        let columns = max(1, figure.columns)
        let rows = max(figure.rows, (figure.panels.count + columns - 1) / columns, 1)
        let titleBand = titleLayout(of: figure).map {
            Theme.outerPadding * 2.5 + Theme.figureTitleFontSize * (Theme.ascent + Theme.descent) + $0.extraHeight
        } ?? 0
        let cellWidth = width / Double(columns)
        let cellHeight = (height - titleBand) / Double(rows)
        func cell(_ index: Int) -> Rect {
            Rect(minX: Double(index % columns) * cellWidth, minY: titleBand + Double(index / columns) * cellHeight,
                 width: cellWidth, height: cellHeight)
        }

        // Margins depend on tick labels (and on whether the legend goes outside), which depend
        // on the plot size, which depends on the margins: three rounds of "choose ticks, then
        // margins" settle it, and a fourth lays the panels out with the final margins.
        let limits = AxesLimits.shared(figure)
        let inner = innerPanels(of: figure, columns: columns)
        var margins = figure.panels.map { _ in PanelMargins() }
        var layouts: [PanelLayout] = []
        // A legend that goes outside stays outside in later rounds, so the margin made for it
        // is still there in the final layout.
        var legendOutside = figure.panels.map { _ in false }
        for round in 0..<4 {
            let aligned = aligned(margins, columns: columns)
            layouts = figure.panels.indices.map { i in
                let c = cell(i), m = aligned[i]
                let plot = Rect(minX: c.minX + m.left, minY: c.minY + m.top,
                                width: max(10, c.width - m.left - m.right),
                                height: max(10, c.height - m.top - m.bottom))
                var layout = PanelLayout(axes: figure.panels[i], limits: limits[i], plot: plot)
                layout.legendOutside = legendOutside[i]
                (layout.hidesXTickLabels, layout.hidesXTitle) = inner.x[i]
                (layout.hidesYTickLabels, layout.hidesYTitle) = inner.y[i]
                layout.titleRoom = 2 * (min(plot.midX - c.minX, c.maxX - plot.midX) - Theme.outerPadding)
                return layout
            }
            layouts = sharingTicks(layouts, of: figure, columns: columns)
            if round == 3 { break }
            margins = layouts.map(\.requiredMargins)
            for i in layouts.indices {
                guard let plan = AxesRenderer.legendPlan(layouts[i], drawn: SeriesGeometry.build(layouts[i])),
                      plan.placement == .outsideRight else { continue }
                legendOutside[i] = true
                margins[i].right += plan.legend.outsideWidth
            }
        }

        return layouts
    }

    /// Panels that share an axis range also share its ticks, so their labels read the same:
    /// each group takes the ticks chosen for its shortest axis (where labels are most crowded;
    /// the first such panel on a tie). Panels differ in length when their margins do, e.g. a
    /// column whose y tick labels are wider, and would otherwise get different tick steps.
    static func sharingTicks(_ layouts: [PanelLayout], of figure: Figure, columns: Int) -> [PanelLayout] {
        var layouts = layouts
        for group in figure.sharex.groups(count: layouts.count, columns: columns) {
            guard let first = group.first else { continue }
            let members = group.filter { figure.panels[$0].xScale == figure.panels[first].xScale }
            guard let shortest = members.min(by: { layouts[$0].x.length < layouts[$1].x.length }) else { continue }
            let ticks = layouts[shortest].x.ticks
            for i in members { layouts[i].x = layouts[i].x.with(ticks: ticks) }
        }
        for group in figure.sharey.groups(count: layouts.count, columns: columns) {
            guard let first = group.first else { continue }
            let members = group.filter { figure.panels[$0].yScale == figure.panels[first].yScale }
            guard let shortest = members.min(by: { layouts[$0].y.length < layouts[$1].y.length }) else { continue }
            let ticks = layouts[shortest].y.ticks
            for i in members { layouts[i].y = layouts[i].y.with(ticks: ticks) }
        }
        return layouts
    }

    /// For each panel, whether it is inner along x (the panel below it in the grid
    /// shares its x range: its tick labels go, and its x label if the same as that
    /// panel's) and along y (the panel to its left shares its y range).
    static func innerPanels(of figure: Figure, columns: Int) -> (x: [(Bool, Bool)], y: [(Bool, Bool)]) {
        let count = figure.panels.count
        let xGroups = figure.sharex.groups(count: count, columns: columns)
        let yGroups = figure.sharey.groups(count: count, columns: columns)
        func share(_ groups: [[Int]], _ a: Int, _ b: Int) -> Bool { groups.contains { $0.contains(a) && $0.contains(b) } }
        let x = (0..<count).map { i -> (Bool, Bool) in
            let below = i + columns
            guard below < count, share(xGroups, i, below) else { return (false, false) }
            return (true, figure.panels[i].xLabel == figure.panels[below].xLabel)
        }
        let y = (0..<count).map { i -> (Bool, Bool) in
            let left = i - 1
            guard i % columns > 0, share(yGroups, i, left) else { return (false, false) }
            return (true, figure.panels[i].yLabel == figure.panels[left].yLabel)
        }
        return (x, y)
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
