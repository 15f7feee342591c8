import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Number formatting for attributes and labels, and XML escaping.
final class TextFormattingTests: XCTestCase {
    func testSVGNumbersHaveAtMostTwoDecimalsAndNoExponent() {
        XCTAssertEqual(svgNumber(3.0), "3")
        XCTAssertEqual(svgNumber(12.3456), "12.35")
        XCTAssertEqual(svgNumber(12.5), "12.5")
        XCTAssertEqual(svgNumber(0.1), "0.1")
        XCTAssertEqual(svgNumber(-2.5), "-2.5")
        XCTAssertEqual(svgNumber(-0.004), "0")
        XCTAssertEqual(svgNumber(1e-5), "0")
        XCTAssertEqual(svgNumber(0.05), "0.05")
        XCTAssertEqual(svgNumber(1_234_567.891), "1234567.89")
        XCTAssertEqual(svgNumber(1e300), "1000000000")
        XCTAssertEqual(svgNumber(.nan), "0")
        XCTAssertEqual(svgNumber(0.35, decimals: 3), "0.35")
    }

    func testNumberLabels() {
        XCTAssertEqual(NumberLabels.superscript(-12), "⁻¹²")
        XCTAssertEqual(NumberLabels.powerOfTen(3), "10³")
        XCTAssertEqual(NumberLabels.decimal(mantissa: 25, exponent: -1), "2.5")
        XCTAssertEqual(NumberLabels.decimal(mantissa: -3, exponent: 2), "−300")
        XCTAssertEqual(NumberLabels.decimal(mantissa: 5, exponent: -3), "0.005")
        XCTAssertEqual(NumberLabels.decimal(mantissa: 0, exponent: -1), "0.0")
        XCTAssertEqual(NumberLabels.quoted(1.5), "1.5")
        XCTAssertEqual(NumberLabels.quoted(1.5234), "1.52")
        XCTAssertEqual(NumberLabels.quoted(9.996), "10")
        XCTAssertEqual(NumberLabels.quoted(2500), "2500")
        XCTAssertEqual(NumberLabels.quoted(0.000123), "1.23×10⁻⁴")
        XCTAssertEqual(NumberLabels.quoted(-1_234_567), "−1.23×10⁶")
        XCTAssertEqual(NumberLabels.quoted(.infinity), "∞")
        XCTAssertEqual(1000.0.log10Floor, 3)
        XCTAssertEqual(999.999.log10Floor, 2)
        XCTAssertEqual(1e-3.log10Floor, -3)
    }

    func testXMLEscapingOfTheFiveSpecialCharacters() {
        XCTAssertEqual(xmlEscaped("a<b & \"c\" > 'd'"), "a&lt;b &amp; &quot;c&quot; &gt; &apos;d&apos;")
        XCTAssertEqual(xmlEscaped("bell\u{7}tab\t"), "belltab\t")
        XCTAssertEqual(xmlEscaped("α̂ ≥ 2"), "α̂ ≥ 2")
    }

    func testEscapedTitlesAndLabelsSurviveARoundTripThroughAnXMLParser() throws {
        let nasty = "Loss <train & \"val\"> 'smoothed'"
        var axes = Axes(title: nasty, xLabel: "x < 1 & y > 2", yLabel: "it's \"P\"")
        axes.add(.line(x: [0, 1], y: [0, 1], label: "a&b"))
        axes.annotate("<note>", x: 0.5, y: 0.5)
        let svg = Figure(title: "Fig & \"quotes\"", panels: [axes]).render().svg
        XCTAssertTrue(svg.contains("Loss &lt;train &amp; &quot;val&quot;&gt; &apos;smoothed&apos;"))
        XCTAssertTrue(svg.contains("x &lt; 1 &amp; y &gt; 2"))
        XCTAssertTrue(svg.contains(">a&amp;b<"))
        XCTAssertTrue(svg.contains(">&lt;note&gt;<"))
        XCTAssertFalse(svg.contains("<note>"))
        let texts = try TextCollector.texts(in: svg)
        XCTAssertTrue(texts.contains(nasty))
        XCTAssertTrue(texts.contains("it's \"P\""))
        XCTAssertTrue(texts.contains("Fig & \"quotes\""))
        SVGValidation.assertValid(svg, name: "escaping")
    }
}

/// Collects the character data of every `<text>` element, as a parser decodes it.
private final class TextCollector: NSObject, XMLParserDelegate {
    private var current: String?
    private var collected: [String] = []

    static func texts(in svg: String) throws -> [String] {
        let collector = TextCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        XCTAssertTrue(parser.parse())
        return collector.collected
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if elementName == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        if elementName == "text", let text = current { collected.append(text); current = nil }
    }
}
