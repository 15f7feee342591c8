import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import NoiseScopePlot

/// A rendered SVG read back as a reviewer reads it: the canvas, each panel (its frame, tick
/// marks and tick labels), every text element with the extent its glyphs take, and every
/// coordinate written. Built on XMLDocument, so the tests look at the document the renderer
/// wrote rather than at the renderer's own layout values.
struct SVGStructure {
    /// One `<text>` element: its content (scripts included), anchor point, size, alignment and
    /// rotation, as inherited from the enclosing groups.
    struct Text {
        var content: String
        var x: Double
        var y: Double
        var fontSize: Double
        var anchor: String
        var bold: Bool
        /// Degrees from a `rotate(…)` transform (−90 for a y-axis label), 0 otherwise.
        var rotation: Double
        /// The estimated width of the glyphs (TextMetrics, scripts at their own size).
        var width: Double

        /// Horizontal extent on the canvas: the run of glyphs for unrotated text, the height
        /// of the line (ascent above the baseline, descent below) for text turned on its side.
        var horizontalExtent: ClosedRange<Double> {
            if rotation != 0 {
                return (x - fontSize * Theme.ascent)...(x + fontSize * Theme.descent)
            }
            switch anchor {
            case "middle": return (x - width / 2)...(x + width / 2)
            case "end": return (x - width)...x
            default: return x...(x + width)
            }
        }

        /// Vertical extent on the canvas (the run of glyphs for rotated text).
        var verticalExtent: ClosedRange<Double> {
            if rotation != 0 {
                switch anchor {
                case "middle": return (y - width / 2)...(y + width / 2)
                case "end": return y...(y + width)
                default: return (y - width)...y
                }
            }
            return (y - fontSize * Theme.ascent)...(y + fontSize * Theme.descent)
        }
    }

    /// One panel: the `<g>` the renderer writes per `Axes`.
    struct Panel {
        /// The plot frame (the `rect` with no fill).
        var frame: (x: Double, y: Double, width: Double, height: Double)
        /// x positions of the major tick marks under the frame, left to right.
        var xTickMarks: [Double]
        /// The tick labels under the frame, left to right (empty on an inner panel).
        var xTickLabels: [String]
        /// The tick labels left of the frame, bottom to top.
        var yTickLabels: [String]
        /// Every text element of the panel.
        var texts: [Text]
    }

    let width: Double
    let height: Double
    let document: XMLDocument
    /// Every text element of the document.
    private(set) var texts: [Text] = []
    private(set) var panels: [Panel] = []

    init(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws {
        document = try XMLDocument(data: Data(svg.utf8), options: [])
        let root = try XCTUnwrap(document.rootElement(), file: file, line: line)
        width = try XCTUnwrap(Double(SVGStructure.attribute(root, "width") ?? ""), file: file, line: line)
        height = try XCTUnwrap(Double(SVGStructure.attribute(root, "height") ?? ""), file: file, line: line)
        texts = SVGStructure.texts(in: root, inherited: [:])
        for group in (root.children ?? []).compactMap({ $0 as? XMLElement }) where group.name == "g" {
            panels.append(SVGStructure.panel(group))
        }
    }

    /// Elements named `name` anywhere in the document (`"*"`: every element), in document order.
    func elements(_ name: String) -> [XMLElement] {
        var found: [XMLElement] = []
        func visit(_ element: XMLElement) {
            if name == "*" || element.name == name { found.append(element) }
            for child in element.children ?? [] { if let child = child as? XMLElement { visit(child) } }
        }
        if let root = document.rootElement() { visit(root) }
        return found
    }

    /// Every number in every coordinate-bearing attribute (x, y, width, height, d, points…),
    /// so a test can check that all of them are finite and inside the canvas.
    func coordinates() -> [(element: String, attribute: String, values: [Double])] {
        let names: Set<String> = ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "d"]
        var result: [(String, String, [Double])] = []
        for element in elements("*") {
            for attribute in element.attributes ?? [] {
                guard let name = attribute.name, names.contains(name), let value = attribute.stringValue else { continue }
                result.append((element.name ?? "", name, SVGStructure.numbers(in: value)))
            }
        }
        return result
    }

    /// The points a path's `d` visits, absolute (relative `l`, `h`, `v` moves applied).
    static func pathPoints(_ d: String) -> [(x: Double, y: Double)] {
        var points: [(x: Double, y: Double)] = []
        var command: Character = "M"
        var pending: [Double] = []
        var current = (x: 0.0, y: 0.0), start = (x: 0.0, y: 0.0)
        func flush() {
            switch command {
            case "M", "L":
                var i = 0
                while i + 1 < pending.count {
                    current = (pending[i], pending[i + 1])
                    if i == 0 && command == "M" { start = current }
                    points.append(current)
                    i += 2
                }
            case "l", "m":
                var i = 0
                while i + 1 < pending.count {
                    current = (current.x + pending[i], current.y + pending[i + 1])
                    points.append(current)
                    i += 2
                }
            case "h":
                for dx in pending { current.x += dx; points.append(current) }
            case "v":
                for dy in pending { current.y += dy; points.append(current) }
            case "H":
                for x in pending { current.x = x; points.append(current) }
            case "V":
                for y in pending { current.y = y; points.append(current) }
            case "Z", "z":
                current = start
            default:
                break
            }
            pending = []
        }
        var token = ""
        func endToken() {
            if let value = Double(token) { pending.append(value) }
            token = ""
        }
        for character in d {
            if character.isLetter {
                endToken()
                flush()
                command = character
                if character == "Z" || character == "z" { flush() }
            } else if character == " " || character == "," {
                endToken()
            } else if character == "-" && !token.isEmpty && token.last != "e" {
                endToken()
                token.append(character)
            } else {
                token.append(character)
            }
        }
        endToken()
        flush()
        return points
    }

    static func numbers(in text: String) -> [Double] {
        let pattern = try! NSRegularExpression(pattern: "-?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?|nan|inf", options: [.caseInsensitive])
        let ns = text as NSString
        return pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)).map {
            Double(ns.substring(with: $0.range)) ?? .nan
        }
    }

    // MARK: - Reading

    /// The value of attribute `name` (looked up by scanning: in a document with a default
    /// namespace, FoundationXML's `attribute(forName:)` finds nothing on Linux).
    static func attribute(_ element: XMLElement, _ name: String) -> String? {
        element.attributes?.first { $0.name == name }?.stringValue
    }

    private static func texts(in element: XMLElement, inherited: [String: String]) -> [Text] {
        var style = inherited
        for name in ["font-size", "text-anchor", "font-weight"] {
            if let value = attribute(element, name) { style[name] = value }
        }
        if element.name == "text" { return [text(element, style: style)] }
        return (element.children ?? []).compactMap { $0 as? XMLElement }.flatMap { texts(in: $0, inherited: style) }
    }

    private static func text(_ element: XMLElement, style: [String: String]) -> Text {
        let fontSize = Double(style["font-size"] ?? "") ?? 16
        let bold = style["font-weight"] == "bold"
        var width = 0.0
        for child in element.children ?? [] {
            if let span = child as? XMLElement {
                let size = Double(attribute(span, "font-size") ?? "") ?? fontSize
                width += TextMetrics.width(of: FigureText.literal(span.stringValue ?? ""), fontSize: size, bold: bold)
            } else {
                width += TextMetrics.width(of: FigureText.literal(child.stringValue ?? ""), fontSize: fontSize, bold: bold)
            }
        }
        var rotation = 0.0
        if let transform = attribute(element, "transform"), transform.hasPrefix("rotate(") {
            rotation = numbers(in: transform).first ?? 0
        }
        return Text(content: element.stringValue ?? "", x: Double(attribute(element, "x") ?? "") ?? 0,
                    y: Double(attribute(element, "y") ?? "") ?? 0, fontSize: fontSize,
                    anchor: style["text-anchor"] ?? "start", bold: bold, rotation: rotation, width: width)
    }

    /// A panel group: the frame is its unfilled `rect`; the tick marks are the first path
    /// after it (major ticks), the tick labels the texts of its `text-anchor="middle"` group
    /// (x) and `text-anchor="end"` group (y).
    private static func panel(_ group: XMLElement) -> Panel {
        let children = (group.children ?? []).compactMap { $0 as? XMLElement }
        var frame = (x: 0.0, y: 0.0, width: 0.0, height: 0.0)
        var marks: [Double] = []
        if let index = children.firstIndex(where: { $0.name == "rect" && attribute($0, "fill") == "none" }) {
            let rect = children[index]
            frame = (Double(attribute(rect, "x") ?? "") ?? 0, Double(attribute(rect, "y") ?? "") ?? 0,
                     Double(attribute(rect, "width") ?? "") ?? 0, Double(attribute(rect, "height") ?? "") ?? 0)
            if index + 1 < children.count, children[index + 1].name == "path", let d = attribute(children[index + 1], "d") {
                // Each tick is its own subpath "M x y x y'": the x ticks run down from the bottom edge.
                let bottom = frame.y + frame.height
                for subpath in d.split(separator: "M") {
                    let points = pathPoints("M" + subpath)
                    guard points.count == 2, points[0].x == points[1].x, abs(points[0].y - bottom) < 0.01,
                          points[1].y > points[0].y else { continue }
                    marks.append(points[0].x)
                }
            }
        }
        func labels(anchor: String) -> [String] {
            children.first { $0.name == "g" && attribute($0, "text-anchor") == anchor }
                .map { ($0.children ?? []).compactMap { ($0 as? XMLElement)?.stringValue } } ?? []
        }
        return Panel(frame: frame, xTickMarks: marks, xTickLabels: labels(anchor: "middle"),
                     yTickLabels: labels(anchor: "end"), texts: texts(in: group, inherited: [:]))
    }
}
