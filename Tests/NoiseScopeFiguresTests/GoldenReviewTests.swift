// The golden files are written by the code they test (NOISESCOPE_UPDATE_GOLDEN=1), so a
// byte comparison alone only says that nothing changed since someone last regenerated them.
// These tests hold them to two things that regeneration cannot produce by itself:
//
// - a reviewed checksum: Golden/CHECKSUMS lists the SHA-256 of every golden SVG with a note of
//   what a person checked in its rendering (rsvg-convert -w 1200 Golden/NAME.svg -o NAME.png).
//   Regenerating a golden leaves CHECKSUMS alone, so the test fails until someone looks at the
//   new rendering and replaces the line by hand (the failure prints the new checksum);
// - a structure: per golden, the panels, element counts and text labels it must have, every
//   coordinate finite and on the canvas, every text inside it.

import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

final class GoldenReviewTests: XCTestCase {
    /// One line of Golden/CHECKSUMS: `<sha256>  <file>  <what the reviewer checked>`.
    struct ReviewedChecksum {
        var sha256: String
        var file: String
        var note: String
    }

    /// The Golden directories to check: the copy in the test bundle (what the byte comparison
    /// reads) and, where the sources are present, the one in the source tree (what is committed
    /// and what NOISESCOPE_UPDATE_GOLDEN rewrites).
    private func goldenDirectories() throws -> [URL] {
        var directories: [URL] = []
        if let bundled = Bundle.module.resourceURL?.appendingPathComponent("Golden"),
           FileManager.default.fileExists(atPath: bundled.appendingPathComponent("CHECKSUMS").path) {
            directories.append(bundled)
        }
        let source = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Golden")
        if FileManager.default.fileExists(atPath: source.appendingPathComponent("CHECKSUMS").path) {
            directories.append(source)
        }
        XCTAssertFalse(directories.isEmpty, "no Golden/CHECKSUMS found")
        return directories
    }

    static func readChecksums(_ text: String) throws -> [ReviewedChecksum] {
        try text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { line -> ReviewedChecksum? in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.components(separatedBy: "  ")
            guard fields.count >= 3 else {
                throw NSError(domain: "CHECKSUMS", code: 1, userInfo: [NSLocalizedDescriptionKey: "malformed line: \(line)"])
            }
            return ReviewedChecksum(sha256: fields[0], file: fields[1],
                                    note: fields[2...].joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }

    func testSHA256MatchesTheStandardsTestVectors() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every golden SVG has a reviewed line in CHECKSUMS, with a note, and its bytes are the
    /// reviewed ones; every line names a golden file that exists.
    func testGoldenFilesMatchTheirReviewedChecksums() throws {
        for directory in try goldenDirectories() {
            let text = try String(contentsOf: directory.appendingPathComponent("CHECKSUMS"), encoding: .utf8)
            let reviewed = try Self.readChecksums(text)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".svg") }.sorted()
            XCTAssertFalse(files.isEmpty)
            XCTAssertEqual(Set(reviewed.map(\.file)).count, reviewed.count, "a file listed twice in CHECKSUMS")
            for entry in reviewed {
                XCTAssertTrue(files.contains(entry.file), "CHECKSUMS lists \(entry.file), which is not in \(directory.path)")
                XCTAssertGreaterThanOrEqual(entry.note.count, 40, "\(entry.file): say what was checked in the rendering")
                XCTAssertEqual(entry.sha256.count, 64, "\(entry.file): not a SHA-256")
            }
            for file in files {
                let actual = SHA256.hex(try Data(contentsOf: directory.appendingPathComponent(file)))
                guard let entry = reviewed.first(where: { $0.file == file }) else {
                    XCTFail("\(file) has no reviewed checksum in Golden/CHECKSUMS: render it "
                            + "(rsvg-convert -w 1200 \(file) -o /tmp/\(file).png), look at it, then add the line "
                            + "\"\(actual)  \(file)  <what you checked>\"")
                    continue
                }
                XCTAssertEqual(actual, entry.sha256,
                               "\(directory.lastPathComponent)/\(file) is not the reviewed file (it was regenerated?). "
                               + "Render it (rsvg-convert -w 1200 \(file) -o /tmp/\(file).png), look at it, and only then "
                               + "replace its line in Golden/CHECKSUMS with \"\(actual)  \(file)  <what you checked>\"")
            }
        }
    }

    // MARK: - Structure

    func testGoldenHistogramStructure() throws {
        let svg = try golden("histogram")
        XCTAssertEqual([svg.width, svg.height], [640, 480])
        // Background and frame; grid, bars, major and minor ticks; ticks, axis labels, title.
        assertCounts(svg, panels: 1, paths: 4, texts: 13, rects: 2, "histogram")
        assertOnCanvas(svg, "histogram")
        let panel = svg.panels[0]
        XCTAssertEqual(panel.xTickLabels, ["10⁰", "10¹", "10²"])
        XCTAssertEqual(panel.yTickLabels, ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
        assertContains(svg, ["Distribution of noise norms", "Noise norm", "Density per decade"], "histogram")
        XCTAssertFalse(svg.texts.contains { $0.content.hasPrefix("peak ") }, "nothing clipped at the top")
    }

    func testGoldenComplementaryCDFStructure() throws {
        let svg = try golden("ccdf-power-law")
        XCTAssertEqual([svg.width, svg.height], [640, 480])
        // Background, frame, legend box; five series and five legend glyphs, grid, two tick paths.
        assertCounts(svg, panels: 1, paths: 13, texts: 15, rects: 3, "ccdf-power-law")
        assertOnCanvas(svg, "ccdf-power-law")
        let panel = svg.panels[0]
        XCTAssertEqual(panel.xTickLabels, ["10⁰", "10¹", "10²"])
        XCTAssertEqual(panel.yTickLabels, ["10⁻³", "10⁻²", "10⁻¹", "10⁰"])
        assertContains(svg, ["Tail of the distribution (log–log)", "Noise norm x", "P(X ≥ x)", "Empirical, n = 3000",
                             "Power law, α = 1.5", "Lognormal fit degenerate (≈ power law)", "Exponential, λ = 0.58",
                             "xmin = 1"], "ccdf-power-law")
        // The legend is inside the plot, which keeps the width of its cell.
        let legend = try XCTUnwrap(svg.elements("rect").first { SVGStructure.attribute($0, "rx") != nil })
        let x = Double(SVGStructure.attribute(legend, "x") ?? "") ?? 0, width = Double(SVGStructure.attribute(legend, "width") ?? "") ?? 0
        XCTAssertLessThanOrEqual(x + width, panel.frame.x + panel.frame.width)
        XCTAssertGreaterThan(panel.frame.width, 500)
    }

    func testGoldenSummaryStructure() throws {
        let svg = try golden("summary")
        XCTAssertEqual([svg.width, svg.height], [1500, 500])
        assertCounts(svg, panels: 3, paths: 29, texts: 45, rects: 6, "summary")
        assertOnCanvas(svg, "summary")
        XCTAssertEqual(svg.panels.map(\.xTickLabels), [["10⁰", "10¹", "10²"], ["10⁰", "10¹", "10²"], ["10¹", "10²", "10³"]])
        assertContains(svg, ["Is the gradient noise heavy-tailed?", "Distribution", "Tail (log–log)", "Hill plot",
                             "Lognormal fit degenerate (≈ power law)", "Hill estimate α̂", "α = 2 (infinite variance below)",
                             "Chosen k = 349, α̂ = 1.54", "Number of upper order statistics k", "Tail index α̂ (Hill)"], "summary")
        // Three plots of one width: no legend squeezes its panel, and every title is at full size.
        for panel in svg.panels { XCTAssertEqual(panel.frame.width, svg.panels[0].frame.width, accuracy: 15) }
        for title in svg.texts where title.bold { XCTAssertGreaterThanOrEqual(title.fontSize, 15, title.content) }
    }

    private func golden(_ name: String) throws -> SVGStructure {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "svg", subdirectory: "Golden"))
        return try SVGStructure(String(contentsOf: url, encoding: .utf8))
    }

    /// Every coordinate finite and on the canvas (half a pixel of slack for stroke ends), and
    /// every text's estimated extent on it.
    private func assertOnCanvas(_ svg: SVGStructure, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let slack = 0.5
        for (element, attribute, values) in svg.coordinates() {
            for value in values {
                XCTAssertTrue(value.isFinite, "\(name): \(element) \(attribute) = \(value)", file: file, line: line)
            }
            switch attribute {
            case "x", "width":
                for value in values { XCTAssertTrue((-slack...(svg.width + slack)).contains(value), "\(name): \(element) \(attribute) = \(value)", file: file, line: line) }
            case "y", "height":
                for value in values { XCTAssertTrue((-slack...(svg.height + slack)).contains(value), "\(name): \(element) \(attribute) = \(value)", file: file, line: line) }
            default:
                break
            }
        }
        for path in svg.elements("path") {
            for point in SVGStructure.pathPoints(SVGStructure.attribute(path, "d") ?? "") {
                XCTAssertTrue(point.x.isFinite && point.y.isFinite, "\(name): path point not finite", file: file, line: line)
                XCTAssertTrue((-slack...(svg.width + slack)).contains(point.x) && (-slack...(svg.height + slack)).contains(point.y),
                              "\(name): path point (\(point.x), \(point.y)) off the \(svg.width) × \(svg.height) canvas", file: file, line: line)
            }
        }
        for text in svg.texts {
            XCTAssertTrue(text.x.isFinite && text.y.isFinite, "\(name): text \(text.content)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(text.horizontalExtent.lowerBound, -slack, "\(name): \(text.content)", file: file, line: line)
            XCTAssertLessThanOrEqual(text.horizontalExtent.upperBound, svg.width + slack, "\(name): \(text.content)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(text.verticalExtent.lowerBound, -slack, "\(name): \(text.content)", file: file, line: line)
            XCTAssertLessThanOrEqual(text.verticalExtent.upperBound, svg.height + slack, "\(name): \(text.content)", file: file, line: line)
        }
    }

    /// Element counts of a golden: panels, paths, texts, rects.
    private func assertCounts(_ svg: SVGStructure, panels: Int, paths: Int, texts: Int, rects: Int, _ name: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(svg.panels.count, panels, "\(name): panels", file: file, line: line)
        XCTAssertEqual(svg.elements("path").count, paths, "\(name): paths", file: file, line: line)
        XCTAssertEqual(svg.texts.count, texts, "\(name): texts", file: file, line: line)
        XCTAssertEqual(svg.elements("rect").count, rects, "\(name): rects", file: file, line: line)
    }

    private func assertContains(_ svg: SVGStructure, _ labels: [String], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let texts = Set(svg.texts.map(\.content))
        for label in labels { XCTAssertTrue(texts.contains(label), "\(name): no text \"\(label)\"", file: file, line: line) }
    }
}
