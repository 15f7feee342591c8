/// Writes drawn series (and their legend glyphs) as SVG paths.
///
/// Each series becomes a single `<path>` element, however many points it has: polylines as
/// `M x y x y …` subpaths, areas as closed subpaths and markers as one small subpath each.
/// Circle markers are zero-length subpaths with round caps (SVG 1.1 draws those as dots),
/// which costs about 16 bytes per point.
enum SeriesDrawing {
    /// Writes one series.
    static func write(_ drawn: DrawnSeries, into writer: inout SVGWriter) {
        let style = drawn.style
        switch drawn.shape {
        case let .polylines(lines):
            guard !lines.isEmpty else { return }
            writer.element("path", [("d", pathData(lines, closed: false))] + strokeAttributes(style))
        case let .areas(areas, outlined):
            guard !areas.isEmpty else { return }
            writer.element("path", [("d", pathData(areas, closed: true))] + fillAttributes(style, outlined: outlined))
        case let .markers(points):
            guard !points.isEmpty else { return }
            let d = points.map { markerPath(at: $0, shape: style.marker, radius: style.markerRadius) }.joined()
            writer.element("path", [("d", d)] + markerAttributes(style))
        case let .errorBars(bars, centers):
            writeErrorBars(bars, centers, style: style, into: &writer)
        }
    }

    /// Bars and caps as one solid stroked path, centres as one path of circle dots.
    private static func writeErrorBars(_ bars: [[Point]], _ centers: [Point], style: SeriesStyle,
                                       into writer: inout SVGWriter) {
        var solid = style
        solid.dash = .solid
        if !bars.isEmpty {
            writer.element("path", [("d", pathData(bars, closed: false))] + strokeAttributes(solid))
        }
        if !centers.isEmpty {
            var dot = style
            dot.marker = .circle
            let d = centers.map { markerPath(at: $0, shape: .circle, radius: dot.markerRadius) }.joined()
            writer.element("path", [("d", d)] + markerAttributes(dot))
        }
    }

    /// Writes the legend glyph of a series centred vertically in `box`.
    static func writeGlyph(for drawn: DrawnSeries, in box: Rect, into writer: inout SVGWriter) {
        let style = drawn.style
        switch drawn.shape {
        case .polylines:
            let line = [Point(x: box.minX, y: box.midY), Point(x: box.maxX, y: box.midY)]
            writer.element("path", [("d", pathData([line], closed: false))] + strokeAttributes(style))
        case let .areas(_, outlined):
            let patch = Rect(minX: box.minX + 2, minY: box.midY - 5, width: box.width - 4, height: 10)
            let corners = [Point(x: patch.minX, y: patch.minY), Point(x: patch.maxX, y: patch.minY),
                           Point(x: patch.maxX, y: patch.maxY), Point(x: patch.minX, y: patch.maxY)]
            writer.element("path", [("d", pathData([corners], closed: true))] + fillAttributes(style, outlined: outlined))
        case .errorBars:
            let x = box.midX, top = box.midY - 6, bottom = box.midY + 6, w = SeriesGeometry.capHalfWidth
            let beam = [[Point(x: x, y: top), Point(x: x, y: bottom)], [Point(x: x - w, y: top), Point(x: x + w, y: top)],
                        [Point(x: x - w, y: bottom), Point(x: x + w, y: bottom)]]
            writeErrorBars(beam, [Point(x: x, y: box.midY)], style: style, into: &writer)
        case .markers:
            let center = Point(x: box.midX, y: box.midY)
            let radius = max(style.markerRadius, 2.5)
            var glyphStyle = style
            glyphStyle.markerRadius = radius
            writer.element("path", [("d", markerPath(at: center, shape: style.marker, radius: radius))]
                           + markerAttributes(glyphStyle))
        }
    }

    /// `M x y x y …` for each polyline, with `Z` after each when `closed`.
    static func pathData(_ lines: [[Point]], closed: Bool) -> String {
        var d = ""
        for line in lines where !line.isEmpty {
            d += "M" + coordinates(line[0])
            for point in line.dropFirst() { d += " " + coordinates(point) }
            if closed { d += "Z" }
        }
        return d
    }

    private static func coordinates(_ p: Point) -> String {
        svgNumber(p.x) + " " + svgNumber(p.y)
    }

    private static func strokeAttributes(_ style: SeriesStyle) -> [(String, String)] {
        var attributes = [("fill", "none"), ("stroke", style.color.hex), ("stroke-width", svgNumber(style.lineWidth))]
        if let dashes = style.dash.dashArray(lineWidth: style.lineWidth) {
            attributes.append(("stroke-dasharray", dashes))
        }
        attributes.append(("stroke-linejoin", "round"))
        return attributes
    }

    private static func fillAttributes(_ style: SeriesStyle, outlined: Bool) -> [(String, String)] {
        var attributes = [("fill", style.color.hex), ("fill-opacity", svgNumber(style.fillOpacity, decimals: 3))]
        if outlined {
            attributes += [("stroke", style.color.hex), ("stroke-width", "1")]
        } else {
            attributes.append(("stroke", "none"))
        }
        return attributes
    }

    private static func markerAttributes(_ style: SeriesStyle) -> [(String, String)] {
        switch style.marker {
        case .circle:
            return [("fill", "none"), ("stroke", style.color.hex), ("stroke-width", svgNumber(2 * style.markerRadius)),
                    ("stroke-linecap", "round")]
        case .cross:
            return [("fill", "none"), ("stroke", style.color.hex), ("stroke-width", "1.5")]
        case .square, .triangle, .diamond:
            return [("fill", style.color.hex), ("stroke", "none")]
        }
    }

    /// A marker subpath centred on `p`, in relative coordinates after the first move.
    private static func markerPath(at p: Point, shape: MarkerShape, radius r: Double) -> String {
        func n(_ value: Double) -> String { svgNumber(value) }
        switch shape {
        case .circle:
            return "M" + n(p.x) + " " + n(p.y) + "h0"
        case .square:
            let side = 1.8 * r
            return "M" + n(p.x - side / 2) + " " + n(p.y - side / 2) + "h" + n(side) + "v" + n(side) + "h" + n(-side) + "Z"
        case .triangle:
            let h = 1.1 * r
            return "M" + n(p.x) + " " + n(p.y - 1.15 * h) + "l" + n(1.15 * h) + " " + n(2 * h) + "h" + n(-2.3 * h) + "Z"
        case .diamond:
            let d = 1.25 * r
            return "M" + n(p.x) + " " + n(p.y - d) + "l" + n(d) + " " + n(d) + " " + n(-d) + " " + n(d) + " "
                + n(-d) + " " + n(-d) + "Z"
        case .cross:
            let d = 0.9 * r
            return "M" + n(p.x - d) + " " + n(p.y - d) + "l" + n(2 * d) + " " + n(2 * d) + "M" + n(p.x + d) + " "
                + n(p.y - d) + "l" + n(-2 * d) + " " + n(2 * d)
        }
    }
}
