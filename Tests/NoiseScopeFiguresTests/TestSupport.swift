import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Deterministic pseudo-random numbers for test data: a 64-bit linear congruential generator
/// (Knuth's MMIX constants), so every run and every machine sees the same samples.
struct LinearCongruentialGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// Uniform on the open interval (0, 1), from the top 53 bits of the state.
    mutating func nextUniform() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992.0
    }

    /// A Pareto sample by inverse CDF: P(X ≥ x) = (x / xmin)^(−alpha) for x ≥ xmin.
    mutating func nextPareto(alpha: Double, xmin: Double) -> Double {
        xmin * pow(nextUniform(), -1 / alpha)
    }
}

/// Synthetic data shared by the tests.
enum Fixtures {
    /// `count` Pareto samples with tail index `alpha` and scale `xmin`.
    static func pareto(count: Int, alpha: Double = 1.5, xmin: Double = 1, seed: UInt64 = 42) -> [Double] {
        var generator = LinearCongruentialGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextPareto(alpha: alpha, xmin: xmin) }
    }

    /// Hill estimates of the tail index for geometrically spaced k, with a ±1.96·α̂/√k band.
    static func hill(_ samples: [Double], points: Int = 60) -> (k: [Int], alpha: [Double], lower: [Double], upper: [Double]) {
        let descending = samples.filter { $0 > 0 }.sorted(by: >)
        let logs = descending.map { log($0) }
        var prefix = [0.0]
        for value in logs { prefix.append(prefix.last! + value) }
        let largestK = descending.count / 2
        var ks: [Int] = []
        for i in 0..<points {
            let k = Int((2 * pow(Double(largestK) / 2, Double(i) / Double(points - 1))).rounded())
            if ks.last != k { ks.append(k) }
        }
        let alpha = ks.map { k in Double(k) / (prefix[k] - Double(k) * logs[k]) }
        let lower = zip(ks, alpha).map { $1 - 1.96 * $1 / Double($0).squareRoot() }
        let upper = zip(ks, alpha).map { $1 + 1.96 * $1 / Double($0).squareRoot() }
        return (ks, alpha, lower, upper)
    }
}

/// Checks that every SVG a test produces is well-formed XML and renders with rsvg-convert.
enum SVGValidation {
    /// Where tests write their SVG (and PNG) files; kept after the run for inspection.
    static let outputDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("noisescope-figures-tests")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `svg` to `<outputDirectory>/<name>.svg`, parses it with XMLParser and renders it to
    /// PNG with rsvg-convert; records a test failure for any problem.
    @discardableResult
    static func assertValid(_ svg: String, name: String, file: StaticString = #filePath, line: UInt = #line) -> URL {
        let url = outputDirectory.appendingPathComponent(name + ".svg")
        XCTAssertNoThrow(try Data(svg.utf8).write(to: url), file: file, line: line)
        assertParsesAsXML(svg, file: file, line: line)
        assertRendersWithRsvg(url, file: file, line: line)
        return url
    }

    /// XMLParser must accept the document, and its root must be an SVG 1.1 `<svg>` element.
    static func assertParsesAsXML(_ svg: String, file: StaticString = #filePath, line: UInt = #line) {
        let parser = XMLParser(data: Data(svg.utf8))
        let recorder = RootRecorder()
        parser.delegate = recorder
        let parsed = parser.parse()
        XCTAssertTrue(parsed, "SVG is not well-formed XML: \(String(describing: parser.parserError))",
                      file: file, line: line)
        XCTAssertEqual(recorder.rootName, "svg", file: file, line: line)
        XCTAssertEqual(recorder.rootAttributes["xmlns"], "http://www.w3.org/2000/svg", file: file, line: line)
        XCTAssertEqual(recorder.rootAttributes["version"], "1.1", file: file, line: line)
        XCTAssertNotNil(recorder.rootAttributes["viewBox"], file: file, line: line)
    }

    /// rsvg-convert must exit with status 0 on the file. A missing rsvg-convert is a failure,
    /// not a skip: the rendering check is part of what the tests promise.
    static func assertRendersWithRsvg(_ svgFile: URL, file: StaticString = #filePath, line: UInt = #line) {
        guard let tool = rsvgConvert else {
            XCTFail("rsvg-convert not found on PATH; install it with `apt-get install librsvg2-bin`",
                    file: file, line: line)
            return
        }
        let process = Process()
        process.executableURL = tool
        let png = svgFile.deletingPathExtension().appendingPathExtension("png")
        process.arguments = ["-w", "1200", svgFile.path, "-o", png.path]
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "rsvg-convert failed on \(svgFile.path): \(message)",
                           file: file, line: line)
        } catch {
            XCTFail("cannot run rsvg-convert: \(error)", file: file, line: line)
        }
    }

    private static let rsvgConvert: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("rsvg-convert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// Every number inside an attribute value, for checks on number formatting.
    static func attributeNumbers(_ svg: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "=\"([^\"]*)\"")
        let numberPattern = try! NSRegularExpression(pattern: "-?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?")
        var numbers: [String] = []
        let text = svg as NSString
        for match in pattern.matches(in: svg, range: NSRange(location: 0, length: text.length)) {
            let value = text.substring(with: match.range(at: 1))
            guard !value.hasPrefix("#"), !value.hasPrefix("http") else { continue }
            let inner = value as NSString
            for number in numberPattern.matches(in: value, range: NSRange(location: 0, length: inner.length)) {
                numbers.append(inner.substring(with: number.range))
            }
        }
        return numbers
    }
}

/// Records the root element of a parsed document.
private final class RootRecorder: NSObject, XMLParserDelegate {
    var rootName: String?
    var rootAttributes: [String: String] = [:]

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if rootName == nil {
            rootName = elementName
            rootAttributes = attributeDict
        }
    }
}

extension XCTestCase {
    /// The final layouts of a one-panel figure, its drawn series and its legend rectangle.
    func legendAndData(_ figure: Figure, panel: Int = 0) throws
        -> (layout: PanelLayout, drawn: [DrawnSeries], legend: Rect, placement: LegendPlacement) {
        let layout = SVGRenderer.layouts(of: figure)[panel]
        let drawn = SeriesGeometry.build(layout)
        let plan = try XCTUnwrap(AxesRenderer.legendPlan(layout, drawn: drawn))
        return (layout, drawn, plan.frame, plan.placement)
    }
}
