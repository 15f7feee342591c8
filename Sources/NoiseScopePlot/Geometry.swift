/// Pixel-space geometry used by the renderer: points, rectangles, clipping and simplification.
///
/// Data are clipped to the plot area analytically (rather than with an SVG `clipPath`), so the
/// file never carries coordinates far outside the picture and stays small when the caller zooms
/// in with explicit limits.

/// A point in SVG pixel coordinates (y grows downwards).
struct Point: Equatable {
    var x: Double
    var y: Double
}

/// An axis-aligned rectangle in pixel coordinates.
struct Rect: Equatable {
    var minX: Double
    var minY: Double
    var width: Double
    var height: Double

    var maxX: Double { minX + width }
    var maxY: Double { minY + height }
    var midX: Double { minX + width / 2 }
    var midY: Double { minY + height / 2 }

    func contains(_ p: Point) -> Bool {
        p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY
    }

    func intersects(_ other: Rect) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    /// The rectangle grown by `amount` on every side (shrunk when negative).
    func expanded(by amount: Double) -> Rect {
        Rect(minX: minX - amount, minY: minY - amount,
             width: max(0, width + 2 * amount), height: max(0, height + 2 * amount))
    }
}

/// Clipping of polylines, segments and polygons to a rectangle.
enum Clipping {
    /// Clips one segment with the Liang–Barsky algorithm; `nil` when it misses the rectangle.
    static func clipSegment(_ a: Point, _ b: Point, to r: Rect) -> (Point, Point)? {
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0
        let tests: [(Double, Double)] = [(-dx, a.x - r.minX), (dx, r.maxX - a.x),
                                         (-dy, a.y - r.minY), (dy, r.maxY - a.y)]
        for (p, q) in tests {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let t = q / p
                if p < 0 { if t > t1 { return nil }; t0 = max(t0, t) }
                else { if t < t0 { return nil }; t1 = min(t1, t) }
            }
        }
        let start = t0 == 0 ? a : Point(x: a.x + t0 * dx, y: a.y + t0 * dy)
        let end = t1 == 1 ? b : Point(x: a.x + t1 * dx, y: a.y + t1 * dy)
        return (start, end)
    }

    /// Whether the segment touches the rectangle anywhere.
    static func segmentIntersects(_ a: Point, _ b: Point, _ r: Rect) -> Bool {
        clipSegment(a, b, to: r) != nil
    }

    /// Clips a polyline and returns the visible runs, each with at least two points.
    static func clipPolyline(_ points: [Point], to r: Rect) -> [[Point]] {
        var runs: [[Point]] = []
        var run: [Point] = []
        func flush() {
            if run.count >= 2 { runs.append(run) }
            run = []
        }
        guard points.count >= 2 else { return [] }
        for i in 1..<points.count {
            let a = points[i - 1], b = points[i]
            guard let (start, end) = clipSegment(a, b, to: r) else { flush(); continue }
            if run.last == start {
                run.append(end)
            } else {
                flush()
                run = [start, end]
            }
            if end != b { flush() }
        }
        flush()
        return runs
    }

    /// Clips a polygon with the Sutherland–Hodgman algorithm (exact for a rectangular window).
    static func clipPolygon(_ polygon: [Point], to r: Rect) -> [Point] {
        var output = polygon
        let edges: [(Point) -> Double] = [
            { $0.x - r.minX }, { r.maxX - $0.x }, { $0.y - r.minY }, { r.maxY - $0.y },
        ]
        for inside in edges {
            guard !output.isEmpty else { break }
            let input = output
            output = []
            var previous = input[input.count - 1]
            for current in input {
                let dc = inside(current), dp = inside(previous)
                if dc >= 0 {
                    if dp < 0 { output.append(interpolate(previous, current, dp, dc)) }
                    output.append(current)
                } else if dp >= 0 {
                    output.append(interpolate(previous, current, dp, dc))
                }
                previous = current
            }
        }
        return output
    }

    private static func interpolate(_ a: Point, _ b: Point, _ da: Double, _ db: Double) -> Point {
        let t = da / (da - db)
        return Point(x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y))
    }
}

/// Removes points that add nothing visible, to keep paths compact.
enum PolylineSimplifier {
    /// Rounds to 0.01 px (the SVG output precision), drops repeated points, then applies the
    /// Douglas–Peucker algorithm: an interior point is dropped when every dropped point stays
    /// within `tolerance` pixels of the simplified path. A tenth of a pixel is invisible even
    /// when the figure is printed at twice its size.
    static func simplify(_ points: [Point], tolerance: Double = 0.1) -> [Point] {
        var unique: [Point] = []
        unique.reserveCapacity(points.count)
        for p in points {
            let rounded = Point(x: (p.x * 100).rounded() / 100, y: (p.y * 100).rounded() / 100)
            if unique.last != rounded { unique.append(rounded) }
        }
        guard unique.count > 2 else { return unique }

        var keep = [Bool](repeating: false, count: unique.count)
        keep[0] = true
        keep[unique.count - 1] = true
        var pending = [(0, unique.count - 1)]
        while let (first, last) = pending.popLast() {
            guard last - first > 1 else { continue }
            var farthest = first, farthestDistance = 0.0
            for i in (first + 1)..<last {
                let d = distance(unique[i], toSegment: unique[first], unique[last])
                if d > farthestDistance { farthest = i; farthestDistance = d }
            }
            if farthestDistance > tolerance {
                keep[farthest] = true
                pending.append((first, farthest))
                pending.append((farthest, last))
            }
        }
        return unique.indices.filter { keep[$0] }.map { unique[$0] }
    }

    /// Distance from `p` to the segment `a`–`b` (not the infinite line, so paths that turn
    /// back on themselves keep their turning points).
    private static func distance(_ p: Point, toSegment a: Point, _ b: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        var t = lengthSquared > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared : 0
        t = min(1, max(0, t))
        let cx = a.x + t * dx - p.x, cy = a.y + t * dy - p.y
        return (cx * cx + cy * cy).squareRoot()
    }
}
