/// A whole picture: its size in pixels, an optional overall title and a grid of panels.
///
/// Panels fill the grid row by row. If there are more panels than `rows × columns` cells,
/// rows are added so that every panel is shown. Panels in the same row share their top and
/// bottom margins and panels in the same column share left and right margins, so plot areas
/// line up.
public struct Figure: Sendable {
    /// Shown in bold above all panels; empty for none.
    public var title: String
    /// Width in SVG pixels (CSS px, 96 per inch).
    public var width: Double
    /// Height in SVG pixels.
    public var height: Double
    public var rows: Int
    public var columns: Int
    public var panels: [Axes]

    /// A `rows × columns` grid of `panels` under an optional overall `title`.
    public init(title: String = "", width: Double = 640, height: Double = 480,
                rows: Int = 1, columns: Int = 1, panels: [Axes]) {
        self.title = title
        self.width = width
        self.height = height
        self.rows = rows
        self.columns = columns
        self.panels = panels
    }

    /// A figure with a single panel.
    public init(_ axes: Axes, width: Double = 640, height: Double = 480) {
        self.init(width: width, height: height, panels: [axes])
    }

    /// Renders the figure as a standalone SVG document.
    public func render() -> RenderedFigure {
        SVGRenderer().render(self)
    }
}
