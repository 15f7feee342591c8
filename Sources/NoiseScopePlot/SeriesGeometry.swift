/// Turns series into pixel-space shapes: projects points through the axes, leaves out (and
/// counts) points that cannot be drawn, clips to the plot area and merges redundant points.

/// A series ready to be written: its shapes in pixel coordinates, clipped to the plot area.
struct DrawnSeries {
    enum Shape {
        /// Open polylines (lines, steps, reference lines).
        case polylines([[Point]])
        /// Closed filled polygons; `outlined` also strokes their edges (histograms).
        case areas([[Point]], outlined: Bool)
        /// One marker at each point.
        case markers([Point])
        /// Capped vertical bars (each bar and each cap one polyline) and a dot at each centre.
        case errorBars(bars: [[Point]], centers: [Point])
    }

    var shape: Shape
    var style: SeriesStyle
    var label: String?
    /// Drawing order: 0 filled areas, 1 reference lines, 2 lines, 3 markers.
    var layer: Int
    var dropped: DroppedPoints
    /// What the legend should avoid covering.
    var obstacles: Obstacles
    /// The tallest bar of a histogram cut off by the upper y limit, marked at the top edge.
    var clippedPeak: ClippedPeak? = nil
}

/// The mark of a histogram that runs off the top of the plot: a small triangle pointing up at
/// the top edge, above the tallest bar that was cut, and that bar's true height beside the cut
/// bars, so a clipped spike is not read as one that stops at the frame.
struct ClippedPeak {
    /// Height of the tallest cut bar, in data units.
    var value: Double
    /// The triangle's corners: apex at the top edge, base below it.
    var triangle: [Point]
    var label: String
    /// Anchor of the label's baseline and its alignment ("start" right of the bar, "end" left
    /// of it when the right side has no room).
    var labelX: Double
    var baseline: Double
    var anchor: String
    /// Approximate box of the triangle and its label, for the legend to avoid.
    var box: Rect

    static let halfWidth = 5.0
    static let height = 9.0
    static let fontSize = Theme.legendFontSize
    /// Space between the bars (or the triangle, if wider) and the label.
    static let gap = 4.0
    /// Depth below the top edge that the triangle and the label take.
    static let bandHeight = 2 + max(height, fontSize * (Theme.ascent + Theme.descent))

    /// The text beside the mark: the bar's true height.
    static func label(_ value: Double) -> String {
        "peak " + NumberLabels.quoted(value)
    }

    /// The mark for a bar of height `value` whose visible part spans `bar` (pixels) on `plot`,
    /// among neighbouring bars as tall as the label spanning `run`.
    init(value: Double, bar: (left: Double, right: Double), run: (left: Double, right: Double), plot: Rect) {
        self.value = value
        let (left, right) = run
        let top = plot.minY + 2, base = top + ClippedPeak.height
        let center = min(max((bar.left + bar.right) / 2, plot.minX + ClippedPeak.halfWidth), plot.maxX - ClippedPeak.halfWidth)
        triangle = [Point(x: center, y: top), Point(x: center + ClippedPeak.halfWidth, y: base),
                    Point(x: center - ClippedPeak.halfWidth, y: base)]
        label = ClippedPeak.label(value)
        let width = TextMetrics.width(of: label, fontSize: ClippedPeak.fontSize)
        let rightOfBar = max(right, center + ClippedPeak.halfWidth) + ClippedPeak.gap
        let leftOfBar = min(left, center - ClippedPeak.halfWidth) - ClippedPeak.gap
        let fitsRight = rightOfBar + width <= plot.maxX - 2
        labelX = fitsRight ? rightOfBar : leftOfBar
        anchor = fitsRight ? "start" : "end"
        baseline = base
        let boxLeft = fitsRight ? center - ClippedPeak.halfWidth : leftOfBar - width
        let boxRight = fitsRight ? rightOfBar + width : center + ClippedPeak.halfWidth
        box = Rect(minX: boxLeft, minY: top, width: boxRight - boxLeft, height: ClippedPeak.bandHeight - 2)
    }
}

/// Pieces of drawn data, used to measure how much a legend placed somewhere would cover.
struct Obstacles {
    var segments: [(Point, Point)] = []
    /// Small things that count one each when touched (markers, error bars).
    var markers: [Rect] = []
    /// Areas that count by how much of them is covered (bars, band slices, annotations).
    var boxes: [Rect] = []
    /// How much covering one piece costs: 10 for data, 1 for reference lines.
    var weight = 10

    /// Distance between samples along segments, in pixels.
    static let sampleSpacing = 2.0
    /// Area of overlap with a box that counts as one sample, in px².
    static let areaPerSample = 16.0

    /// Samples of data inside `rect` (unweighted): segment samples every `sampleSpacing` px
    /// (at least one per touching segment), one per touched marker, one per `areaPerSample`
    /// px² of box overlap (at least one per touched box).
    func coverage(of rect: Rect) -> Int {
        var count = 0
        for (a, b) in segments {
            guard let (p, q) = Clipping.clipSegment(a, b, to: rect) else { continue }
            let length = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot()
            count += 1 + Int(length / Obstacles.sampleSpacing)
        }
        count += markers.filter { $0.intersects(rect) }.count
        for box in boxes where box.intersects(rect) {
            let width = min(box.maxX, rect.maxX) - max(box.minX, rect.minX)
            let height = min(box.maxY, rect.maxY) - max(box.minY, rect.minY)
            count += 1 + Int(max(0, width) * max(0, height) / Obstacles.areaPerSample)
        }
        return count
    }

    mutating func add(polylines: [[Point]]) {
        for line in polylines {
            for i in line.indices.dropFirst() { segments.append((line[i - 1], line[i])) }
        }
    }
}

enum SeriesGeometry {
    /// All series of a panel, with automatic styles assigned in order: data series take
    /// `SeriesStyle.cycled(0), (1), …`; reference lines take `SeriesStyle.referenceLine(0), (1), …`.
    static func build(_ layout: PanelLayout) -> [DrawnSeries] {
        var dataIndex = 0, referenceIndex = 0
        return layout.axes.series.map { series in
            let style: SeriesStyle
            if let explicit = series.style {
                style = explicit
            } else if series.isReferenceLine {
                style = .referenceLine(referenceIndex)
                referenceIndex += 1
            } else {
                style = .cycled(dataIndex)
                dataIndex += 1
            }
            var drawn = build(series, style: style, layout: layout)
            drawn.dropped = drawn.dropped + series.droppedBeforeDrawing
            return drawn
        }
    }

    private static func build(_ series: Series, style: SeriesStyle, layout: PanelLayout) -> DrawnSeries {
        let plot = layout.plot
        var drawn = DrawnSeries(shape: .polylines([]), style: style, label: series.label, layer: 2,
                                dropped: DroppedPoints(), obstacles: Obstacles())
        switch series.content {
        case let .line(x, y):
            let (runs, dropped) = project(x, y, layout)
            let lines = runs.flatMap { Clipping.clipPolyline($0, to: plot) }.map { PolylineSimplifier.simplify($0) }
            drawn.shape = .polylines(lines)
            drawn.dropped = dropped
            drawn.obstacles.add(polylines: lines)
        case let .step(x, y, placement):
            let (runs, dropped) = project(x, y, layout)
            let lines = runs.map { steps($0, placement) }
                .flatMap { Clipping.clipPolyline($0, to: plot) }.map { PolylineSimplifier.simplify($0) }
            drawn.shape = .polylines(lines)
            drawn.dropped = dropped
            drawn.obstacles.add(polylines: lines)
        case let .scatter(x, y):
            let (runs, dropped) = project(x, y, layout)
            let visible = plot.expanded(by: 0.5)
            let points = runs.joined().filter { visible.contains($0) }
                .map { Point(x: ($0.x * 100).rounded() / 100, y: ($0.y * 100).rounded() / 100) }
            drawn.shape = .markers(points)
            drawn.layer = 3
            drawn.dropped = dropped
            let r = style.markerRadius
            drawn.obstacles.markers = points.map { Rect(minX: $0.x - r, minY: $0.y - r, width: 2 * r, height: 2 * r) }
        case let .histogram(histogram):
            drawn = histogramShape(histogram, drawn, layout)
        case let .errorBars(x, y, lower, upper):
            drawn = errorBarShape(x, y, lower, upper, drawn, layout)
        case let .band(x, lower, upper):
            drawn = bandShape(x, lower, upper, drawn, layout)
        case let .horizontalLine(y):
            drawn.layer = 1
            drawn.obstacles.weight = 1
            drawn.dropped = droppedIfUnshowable(y, layout.y.scale)
            if layout.y.contains(y) {
                let py = layout.y.pixel(y)
                let line = [Point(x: plot.minX, y: py), Point(x: plot.maxX, y: py)]
                drawn.shape = .polylines([line])
                drawn.obstacles.add(polylines: [line])
            }
        case let .verticalLine(x):
            drawn.layer = 1
            drawn.obstacles.weight = 1
            drawn.dropped = droppedIfUnshowable(x, layout.x.scale)
            if layout.x.contains(x) {
                let px = layout.x.pixel(x)
                let line = [Point(x: px, y: plot.minY), Point(x: px, y: plot.maxY)]
                drawn.shape = .polylines([line])
                drawn.obstacles.add(polylines: [line])
            }
        }
        return drawn
    }

    /// Pixel positions of paired coordinates, in runs broken wherever a point cannot be drawn.
    private static func project(_ xs: [Double], _ ys: [Double],
                                _ layout: PanelLayout) -> (runs: [[Point]], dropped: DroppedPoints) {
        var runs: [[Point]] = [], run: [Point] = [], dropped = DroppedPoints()
        for i in 0..<min(xs.count, ys.count) {
            let x = xs[i], y = ys[i]
            if !x.isFinite || !y.isFinite {
                dropped.nonFinite += 1
            } else if !layout.x.scale.canShow(x) || !layout.y.scale.canShow(y) {
                dropped.nonPositiveOnLogAxis += 1
            } else {
                run.append(Point(x: clampedPixel(layout.x.pixel(x)), y: clampedPixel(layout.y.pixel(y))))
                continue
            }
            if !run.isEmpty { runs.append(run); run = [] }
        }
        if !run.isEmpty { runs.append(run) }
        return (runs, dropped)
    }

    /// Keeps far-away points finite so clipping arithmetic stays exact enough; ten million
    /// pixels is thousands of figure widths away, where the clamp cannot change what is visible.
    private static func clampedPixel(_ value: Double) -> Double {
        min(1e7, max(-1e7, value))
    }

    private static func droppedIfUnshowable(_ value: Double, _ scale: Scale) -> DroppedPoints {
        if !value.isFinite { return DroppedPoints(nonFinite: 1) }
        return scale.canShow(value) ? DroppedPoints() : DroppedPoints(nonPositiveOnLogAxis: 1)
    }

    /// Corner points of a step curve through `points`.
    private static func steps(_ points: [Point], _ placement: Series.StepPlacement) -> [Point] {
        guard var previous = points.first else { return [] }
        var result = [previous]
        for point in points.dropFirst() {
            let corner = placement == .post ? Point(x: point.x, y: previous.y) : Point(x: previous.x, y: point.y)
            result += [corner, point]
            previous = point
        }
        return result
    }

    /// Histogram bars as filled outlines standing on zero (linear or symlog y) or on the bottom edge
    /// (log y). Bins whose edges cannot be shown on a log x-axis are left out, and their
    /// samples counted as dropped.
    private static func histogramShape(_ histogram: Histogram, _ base: DrawnSeries, _ layout: PanelLayout) -> DrawnSeries {
        var drawn = base
        drawn.layer = 0
        drawn.dropped = histogram.dropped
        let values = histogram.values
        let baseline = layout.y.scale.showsZero ? clampedPixel(layout.y.pixel(0)) : layout.plot.maxY
        var outlines: [[Point]] = [], outline: [Point] = []
        func finishOutline() {
            if let last = outline.last { outline.append(Point(x: last.x, y: baseline)); outlines.append(outline) }
            outline = []
        }
        for i in values.indices {
            let left = histogram.edges[i], right = histogram.edges[i + 1]
            guard layout.x.scale.canShow(left), layout.x.scale.canShow(right) else {
                drawn.dropped.nonPositiveOnLogAxis += histogram.counts[i]
                finishOutline()
                continue
            }
            let top = layout.y.scale.canShow(values[i]) ? clampedPixel(layout.y.pixel(values[i])) : baseline
            let x0 = clampedPixel(layout.x.pixel(left)), x1 = clampedPixel(layout.x.pixel(right))
            if outline.isEmpty { outline.append(Point(x: x0, y: baseline)) }
            outline += [Point(x: x0, y: top), Point(x: x1, y: top)]
            let bar = Rect(minX: x0, minY: min(top, baseline), width: x1 - x0, height: abs(baseline - top))
            if top != baseline, bar.intersects(layout.plot) { drawn.obstacles.boxes.append(bar) }
        }
        finishOutline()
        let areas = outlines.map { PolylineSimplifier.simplify(Clipping.clipPolygon($0, to: layout.plot)) }
        drawn.shape = .areas(areas.filter { $0.count >= 3 }, outlined: true)
        if let peak = clippedPeak(histogram, values, layout) {
            drawn.clippedPeak = peak
            drawn.obstacles.boxes.append(peak.box)
        }
        return drawn
    }

    /// The mark of the tallest bar that rises above the upper y limit and lies (at least
    /// partly) within the x limits; `nil` when no bar is cut off at the top. The triangle goes
    /// over that bar, the label beside the neighbouring bars that reach the label's height (a
    /// spike is often several bins wide, not all of them cut, some of them empty).
    private static func clippedPeak(_ histogram: Histogram, _ values: [Double], _ layout: PanelLayout) -> ClippedPeak? {
        let plot = layout.plot
        /// The visible span in pixels of bin `i` when its top is above `level` (a pixel row).
        func span(_ i: Int, above level: Double) -> (left: Double, right: Double)? {
            guard values[i].isFinite, layout.y.scale.canShow(values[i]) else { return nil }
            let left = histogram.edges[i], right = histogram.edges[i + 1]
            guard layout.x.scale.canShow(left), layout.x.scale.canShow(right),
                  layout.y.pixel(values[i]) < level else { return nil }
            let x0 = max(plot.minX, min(layout.x.pixel(left), layout.x.pixel(right)))
            let x1 = min(plot.maxX, max(layout.x.pixel(left), layout.x.pixel(right)))
            return x0 <= x1 ? (x0, x1) : nil
        }
        let cut = plot.minY - 0.01, band = plot.minY + ClippedPeak.bandHeight
        var tallest: Int?
        for i in values.indices where span(i, above: cut) != nil && tallest.map({ values[i] > values[$0] }) ?? true {
            tallest = i
        }
        guard let peak = tallest, let bar = span(peak, above: cut) else { return nil }
        // Bars reaching the label's height, gathered outwards from the peak across gaps too
        // narrow to hold the label (empty bins between the bars of a sparse spike).
        let room = TextMetrics.width(of: ClippedPeak.label(values[peak]), fontSize: ClippedPeak.fontSize) + 2 * ClippedPeak.gap
        let tall = values.indices.compactMap { i in span(i, above: band).map { (i, $0) } }
        var run = bar
        for (i, other) in tall where i > peak {
            guard other.left - run.right < room else { break }
            run.right = max(run.right, other.right)
        }
        for (i, other) in tall.reversed() where i < peak {
            guard run.left - other.right < room else { break }
            run.left = min(run.left, other.left)
        }
        return ClippedPeak(value: values[peak], bar: bar, run: run, plot: plot)
    }

    /// A band as filled polygons between the lower and upper curves, split where a point
    /// cannot be drawn.
    private static func bandShape(_ xs: [Double], _ lower: [Double], _ upper: [Double], _ base: DrawnSeries,
                                  _ layout: PanelLayout) -> DrawnSeries {
        var drawn = base
        drawn.layer = 0
        var pieces: [[(x: Double, low: Double, high: Double)]] = [], piece: [(x: Double, low: Double, high: Double)] = []
        for i in 0..<min(xs.count, lower.count, upper.count) {
            let values = [xs[i], lower[i], upper[i]]
            if values.contains(where: { !$0.isFinite }) {
                drawn.dropped.nonFinite += 1
            } else if !layout.x.scale.canShow(xs[i]) || !layout.y.scale.canShow(lower[i])
                        || !layout.y.scale.canShow(upper[i]) {
                drawn.dropped.nonPositiveOnLogAxis += 1
            } else {
                piece.append((clampedPixel(layout.x.pixel(xs[i])), clampedPixel(layout.y.pixel(lower[i])),
                              clampedPixel(layout.y.pixel(upper[i]))))
                continue
            }
            if piece.count >= 2 { pieces.append(piece) }
            piece = []
        }
        if piece.count >= 2 { pieces.append(piece) }
        var areas: [[Point]] = []
        for piece in pieces {
            let polygon = piece.map { Point(x: $0.x, y: $0.high) } + piece.reversed().map { Point(x: $0.x, y: $0.low) }
            let clipped = PolylineSimplifier.simplify(Clipping.clipPolygon(polygon, to: layout.plot))
            if clipped.count >= 3 { areas.append(clipped) }
            for i in piece.indices.dropFirst() {
                let a = piece[i - 1], b = piece[i]
                let top = min(a.high, b.high, a.low, b.low), bottom = max(a.high, b.high, a.low, b.low)
                let box = Rect(minX: min(a.x, b.x), minY: top, width: abs(b.x - a.x), height: bottom - top)
                if box.intersects(layout.plot) { drawn.obstacles.boxes.append(box) }
            }
        }
        drawn.shape = .areas(areas, outlined: false)
        return drawn
    }

    /// Half the width of an error bar's caps, in pixels.
    static let capHalfWidth = 4.0

    /// Error bars: each interval as a vertical polyline clipped to the plot, a cap at each end
    /// that lies inside it, and a dot at the centre when it is inside.
    private static func errorBarShape(_ xs: [Double], _ ys: [Double], _ lower: [Double], _ upper: [Double],
                                      _ base: DrawnSeries, _ layout: PanelLayout) -> DrawnSeries {
        var drawn = base
        drawn.layer = 3
        let plot = layout.plot, w = capHalfWidth
        var bars: [[Point]] = [], centers: [Point] = []
        for i in 0..<min(xs.count, ys.count, lower.count, upper.count) {
            let values = [ys[i], lower[i], upper[i]]
            if !xs[i].isFinite || values.contains(where: { !$0.isFinite }) {
                drawn.dropped.nonFinite += 1
                continue
            }
            guard layout.x.scale.canShow(xs[i]), values.allSatisfy(layout.y.scale.canShow) else {
                drawn.dropped.nonPositiveOnLogAxis += 1
                continue
            }
            let px = clampedPixel(layout.x.pixel(xs[i]))
            let ends = [lower[i], upper[i]].map { clampedPixel(layout.y.pixel($0)) }
            bars += Clipping.clipPolyline([Point(x: px, y: ends[0]), Point(x: px, y: ends[1])], to: plot)
            for end in ends where plot.contains(Point(x: px, y: end)) {
                bars += Clipping.clipPolyline([Point(x: px - w, y: end), Point(x: px + w, y: end)], to: plot)
            }
            let center = Point(x: px, y: clampedPixel(layout.y.pixel(ys[i])))
            if plot.contains(center) { centers.append(center) }
        }
        let rounded = bars.map { PolylineSimplifier.simplify($0) }
        drawn.shape = .errorBars(bars: rounded, centers: centers)
        drawn.obstacles.add(polylines: rounded)
        let r = drawn.style.markerRadius
        drawn.obstacles.markers = centers.map { Rect(minX: $0.x - r, minY: $0.y - r, width: 2 * r, height: 2 * r) }
        return drawn
    }
}
