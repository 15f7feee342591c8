/// Sizes and colours of the non-data parts of a figure, in one place.
///
/// Font sizes follow matplotlib's defaults at 100 dpi (10 pt text ≈ 13–14 px), so a 640 × 480
/// figure looks like the figures researchers are used to.
enum Theme {
    static let fontFamily = "sans-serif"
    static let tickFontSize = 12.5
    static let axisLabelFontSize = 14.0
    static let titleFontSize = 15.0
    static let figureTitleFontSize = 17.0
    static let legendFontSize = 12.0

    static let textColor = "#1A1A1A"
    static let frameColor = "#333333"
    static let gridColor = "#E3E3E3"
    static let background = "#FFFFFF"

    static let frameWidth = 1.0
    static let gridWidth = 0.8
    static let majorTickLength = 5.0
    static let minorTickLength = 2.8
    /// Gap between a tick and its label.
    static let tickLabelGap = 3.5
    /// Gap between tick labels and the axis label.
    static let axisLabelGap = 7.0
    /// Gap between the plot area and its title.
    static let titleGap = 9.0
    /// Empty border around each panel.
    static let outerPadding = 8.0
    /// Smallest horizontal gap allowed between neighbouring x tick labels.
    static let minimumLabelGap = 10.0

    /// Ascent of digits and capitals relative to the font size (DejaVu Sans: 0.73 em).
    static let ascent = 0.74
    /// Descent below the baseline relative to the font size.
    static let descent = 0.24
}
