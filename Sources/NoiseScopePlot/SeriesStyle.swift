/// Colours, dash patterns and markers, and the cycle that assigns them to series.
///
/// Colours come from the Okabe–Ito palette, which stays distinguishable under the common forms
/// of colour blindness. Dash patterns and marker shapes cycle alongside the colours, so series
/// can still be told apart when a paper is printed in greyscale.

/// An sRGB colour written as a `#RRGGBB` string.
package struct Color: Sendable, Equatable {
    /// The colour as `#RRGGBB`.
    package let hex: String

    /// Creates a colour from a `#RRGGBB` string; anything else falls back to black so that a
    /// typo can never produce an invalid SVG attribute.
    package init(hex: String) {
        let digits = hex.dropFirst()
        let valid = hex.first == "#" && digits.count == 6 && digits.allSatisfy(\.isHexDigit)
        self.hex = valid ? hex.uppercased() : "#000000"
    }

    // The eight Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design").
    package static let black = Color(hex: "#000000")
    package static let orange = Color(hex: "#E69F00")
    package static let skyBlue = Color(hex: "#56B4E9")
    package static let bluishGreen = Color(hex: "#009E73")
    package static let yellow = Color(hex: "#F0E442")
    package static let blue = Color(hex: "#0072B2")
    package static let vermillion = Color(hex: "#D55E00")
    package static let reddishPurple = Color(hex: "#CC79A7")

    /// The Okabe–Ito palette in cycling order: the darker, higher-contrast colours first and
    /// yellow (hard to see on white) last.
    package static let okabeIto: [Color] = [
        .blue, .vermillion, .bluishGreen, .orange, .reddishPurple, .skyBlue, .black, .yellow,
    ]
}

/// The stroke pattern of a line.
package enum LineDash: Sendable, Equatable, CaseIterable {
    case solid, dashed, dotted, dashDotted

    /// The SVG `stroke-dasharray` for a line of width `lineWidth`, or `nil` for solid lines.
    func dashArray(lineWidth: Double) -> String? {
        let unit = max(1, lineWidth)
        let pattern: [Double]
        switch self {
        case .solid: return nil
        case .dashed: pattern = [4, 2.5]
        case .dotted: pattern = [1, 1.6]
        case .dashDotted: pattern = [4, 1.6, 1, 1.6]
        }
        return pattern.map { svgNumber($0 * unit) }.joined(separator: " ")
    }
}

/// The symbol drawn at each point of a scatter series.
package enum MarkerShape: Sendable, Equatable, CaseIterable {
    case circle, square, triangle, diamond, cross
}

/// How a series is drawn. Series without an explicit style get the next one from `cycled(_:)`.
package struct SeriesStyle: Sendable, Equatable {
    package var color: Color
    package var dash: LineDash
    package var marker: MarkerShape
    /// Stroke width of lines and outlines, in pixels.
    package var lineWidth: Double
    /// Marker radius, in pixels.
    package var markerRadius: Double
    /// Opacity of filled areas (histogram bars, bands), from 0 to 1.
    package var fillOpacity: Double

    /// A style; only the colour is required, the rest defaults to a solid 1.75 px line with
    /// circle markers of radius 3 and fills at 35 % opacity.
    package init(color: Color, dash: LineDash = .solid, marker: MarkerShape = .circle,
                lineWidth: Double = 1.75, markerRadius: Double = 3, fillOpacity: Double = 0.35) {
        self.color = color
        self.dash = dash
        self.marker = marker
        self.lineWidth = lineWidth
        self.markerRadius = markerRadius
        self.fillOpacity = min(1, max(0, fillOpacity))
    }

    /// The `index`-th automatic style: colours, dashes and markers each cycle independently
    /// (8 colours, 4 dashes, 5 markers), so neighbouring series differ in all three.
    package static func cycled(_ index: Int) -> SeriesStyle {
        let i = max(0, index)
        return SeriesStyle(color: Color.okabeIto[i % Color.okabeIto.count],
                           dash: LineDash.allCases[i % LineDash.allCases.count],
                           marker: MarkerShape.allCases[i % MarkerShape.allCases.count])
    }

    /// The `index`-th automatic style of a reference line: black, thinner, and dashed, dotted,
    /// then dash-dotted, so reference lines read as guides rather than data.
    package static func referenceLine(_ index: Int) -> SeriesStyle {
        let dashes: [LineDash] = [.dashed, .dotted, .dashDotted]
        return SeriesStyle(color: .black, dash: dashes[max(0, index) % dashes.count], lineWidth: 1.25)
    }
}
