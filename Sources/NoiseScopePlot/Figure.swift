/// A whole picture: its size in pixels, an optional overall title and a grid of panels.
///
/// Panels fill the grid row by row. If there are more panels than `rows × columns` cells,
/// rows are added so that every panel is shown. Panels in the same row share their top and
/// bottom margins and panels in the same column share left and right margins, so plot areas
/// line up.
package struct Figure: Sendable {
    /// Shown in bold above all panels; empty for none.
    package var title: String
    /// Width in SVG pixels (CSS px, 96 per inch).
    package var width: Double
    /// Height in SVG pixels.
    package var height: Double
    package var rows: Int
    package var columns: Int
    package var panels: [Axes]
    /// Which panels show the same x range (matplotlib's `sharex`); see `AxisSharing`.
    package var sharex: AxisSharing
    /// Which panels show the same y range (matplotlib's `sharey`).
    package var sharey: AxisSharing

    /// A `rows × columns` grid of `panels` under an optional overall `title`.
    package init(title: String = "", width: Double = 640, height: Double = 480,
                rows: Int = 1, columns: Int = 1, panels: [Axes],
                sharex: AxisSharing = .none, sharey: AxisSharing = .none) {
        self.title = title
        self.width = width
        self.height = height
        self.rows = rows
        self.columns = columns
        self.panels = panels
        self.sharex = sharex
        self.sharey = sharey
    }

    /// A figure with a single panel.
    package init(_ axes: Axes, width: Double = 640, height: Double = 480) {
        self.init(width: width, height: height, panels: [axes])
    }

    /// Renders the figure as a standalone SVG document.
    package func render() -> RenderedFigure {
        SVGRenderer().render(self)
    }
}

/// Panels whose axis shows one common range, so that panels comparing the same quantity
/// compare by eye.
///
/// Panels in a group get the union of their data ranges, padded as `Scale.automaticLimits`
/// pads one panel's data; if any panel of the group has explicit limits, the group gets the
/// union of those explicit limits and the other panels' automatic limits instead. Only panels
/// with the same scale as the group's first panel join it.
package enum AxisSharing: Sendable, Equatable {
    /// Every panel has its own range.
    case none
    /// All panels share.
    case all
    /// Panels in the same row share.
    case rows
    /// Panels in the same column share.
    case columns
    /// The listed panel indices (in `Figure.panels`) share; the others keep their own.
    case panels([Int])

    /// The groups of panel indices that share, for `count` panels in `columns` columns.
    func groups(count: Int, columns: Int) -> [[Int]] {
        let columns = max(1, columns)
        let all = Array(0..<count)
        switch self {
        case .none: return []
        case .all: return [all]
        case .rows: return Dictionary(grouping: all) { $0 / columns }.sorted { $0.key < $1.key }.map(\.value)
        case .columns: return Dictionary(grouping: all) { $0 % columns }.sorted { $0.key < $1.key }.map(\.value)
        case let .panels(indices): return [Array(Set(indices.filter { $0 >= 0 && $0 < count })).sorted()]
        }
    }
}
