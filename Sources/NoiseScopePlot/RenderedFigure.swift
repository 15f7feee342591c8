import NoiseScopeCore
import Foundation

/// Counts of data points that could not be drawn, so the caller can tell the user.
package struct DroppedPoints: Sendable, Equatable {
    /// Points with a NaN or ±∞ coordinate.
    package var nonFinite: Int
    /// Points with a zero or negative coordinate on a log axis.
    package var nonPositiveOnLogAxis: Int

    /// Counts of left-out points (zero by default).
    package init(nonFinite: Int = 0, nonPositiveOnLogAxis: Int = 0) {
        self.nonFinite = nonFinite
        self.nonPositiveOnLogAxis = nonPositiveOnLogAxis
    }

    /// All points left out.
    package var total: Int { nonFinite + nonPositiveOnLogAxis }

    static func + (a: DroppedPoints, b: DroppedPoints) -> DroppedPoints {
        DroppedPoints(nonFinite: a.nonFinite + b.nonFinite,
                      nonPositiveOnLogAxis: a.nonPositiveOnLogAxis + b.nonPositiveOnLogAxis)
    }
}

/// The result of rendering a `Figure`: the SVG text and what was left out of it.
package struct RenderedFigure: Sendable {
    /// A standalone SVG 1.1 document (UTF-8 when written).
    package let svg: String
    /// Points that were not drawn, summed over all panels and series.
    package let droppedPoints: DroppedPoints
    /// One-line, human-readable notices about anything left out or replaced (dropped points,
    /// unusable limits), ready to print; empty when everything was drawn as asked.
    package let notices: [String]

    /// Total number of points not drawn.
    package var droppedPointCount: Int { droppedPoints.total }

    /// Writes the SVG to `url` atomically: a reader sees the old file or the complete new one,
    /// never a partial file.
    package func write(to url: URL) throws {
        try AtomicFile.write(Data(svg.utf8), to: url)
    }

    /// Notices describing `dropped`, in the words printed by `check --plot`.
    static func notices(for dropped: DroppedPoints) -> [String] {
        var notices: [String] = []
        if dropped.nonFinite > 0 {
            notices.append("\(dropped.nonFinite) point\(dropped.nonFinite == 1 ? "" : "s") with NaN or infinite values not drawn")
        }
        if dropped.nonPositiveOnLogAxis > 0 {
            let n = dropped.nonPositiveOnLogAxis
            notices.append("\(n) point\(n == 1 ? "" : "s") ≤ 0 not drawn on a log axis")
        }
        return notices
    }
}
