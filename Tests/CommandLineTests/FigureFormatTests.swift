import Foundation
import XCTest

/// `--figure-format svg,pdf,png` on the commands that write run directories
/// (measure, simulate, figure): every SVG figure also as PDF and PNG, written
/// with the directory in one step; an unknown format refused before any work.
final class FigureFormatTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert"), "needs rsvg-convert (librsvg2-bin)")
        directory = try CommandLineHarness.temporaryDirectory()
    }
    override func tearDownWithError() throws { if let directory { try? FileManager.default.removeItem(at: directory) } }

    /// Asserts that every .svg in `path` has a .pdf and a .png beside it, by their magic numbers.
    func assertEveryFigureInAllFormats(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        let figures = names.filter { $0.hasSuffix(".svg") }.map { String($0.dropLast(4)) }
        XCTAssertFalse(figures.isEmpty, "no figure in \(path)", file: file, line: line)
        for figure in figures {
            let pdf = try XCTUnwrap(FileManager.default.contents(atPath: "\(path)/\(figure).pdf"), "\(figure).pdf", file: file, line: line)
            XCTAssertEqual(String(decoding: pdf.prefix(4), as: UTF8.self), "%PDF", figure, file: file, line: line)
            let png = try XCTUnwrap(FileManager.default.contents(atPath: "\(path)/\(figure).png"), "\(figure).png", file: file, line: line)
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], figure, file: file, line: line)
        }
    }

    func testMeasureWritesEveryFigureAsPDFAndPNG() throws {
        let out = directory.appendingPathComponent("measure").path
        let result = try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "80", "--bootstrap", "0",
                                                 "--out", out, "--quiet", "--blas-kernels", "library", "--figure-format", "svg,pdf,png"])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertEveryFigureInAllFormats(out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/summary.svg"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/measurement.pdf"))
        // PDF alone: no SVG written, the report still reads the directory (it draws from the numbers).
        let pdfOnly = directory.appendingPathComponent("pdf-only").path
        XCTAssertEqual(try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "80", "--bootstrap", "0",
                                                   "--out", pdfOnly, "--quiet", "--figure-format", "pdf"]).status, 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: pdfOnly)
        XCTAssertFalse(names.contains { $0.hasSuffix(".svg") || $0.hasSuffix(".png") })
        XCTAssertTrue(names.contains("summary.pdf"))
        XCTAssertEqual(try CommandLineHarness.run(["report", pdfOnly]).status, 0)
    }

    func testSimulateWritesTheFigureInEveryFormatSameBytesEachTime() throws {
        var pdfs: [Data] = []
        for attempt in 0..<2 {
            let out = directory.appendingPathComponent("simulate-\(attempt)").path
            let result = try CommandLineHarness.run(["simulate", "--steps", "50", "--replicates", "300", "--out", out, "--figure-format", "svg,pdf,png"])
            XCTAssertEqual(result.status, 0, result.stderr)
            try assertEveryFigureInAllFormats(out)
            pdfs.append(try Data(contentsOf: URL(fileURLWithPath: out + "/quantiles.pdf")))
            let csv = try String(contentsOfFile: out + "/quantiles.csv", encoding: .utf8)
            XCTAssertTrue(csv.hasPrefix("method,delta,quantile_level,final_error,lower_95,upper_95\n"))
            // 300 replicates: the median has both ends; δ = 0.001 has no upper end (empty cell).
            let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            XCTAssertEqual(rows.count, 6 * 4)
            let median = try XCTUnwrap(rows.first { $0[0] == "sgd" && $0[1] == "0.5" })
            let (value, lower, upper) = (Double(median[3])!, Double(median[4])!, Double(median[5])!)
            XCTAssertTrue(lower < value && value < upper, "\(median)")
            XCTAssertEqual(try XCTUnwrap(rows.first { $0[0] == "sgd" && $0[1] == "0.001" })[5], "")
            let json = try String(contentsOfFile: out + "/simulation.json", encoding: .utf8)
            XCTAssertTrue(json.contains("\"lower95\"") && json.contains("\"upper95\""))
        }
        XCTAssertEqual(pdfs[0], pdfs[1], "SOURCE_DATE_EPOCH=0: the same figure gives the same PDF")
    }

    func testAnUnknownFormatIsRefusedBeforeAnyWork() throws {
        for command in [["measure", "--model", "logreg"], ["simulate"], ["figure", "fig6"]] {
            let out = directory.appendingPathComponent(command[0]).path
            let result = try CommandLineHarness.run(command + ["--out", out, "--figure-format", "svg,gif"])
            XCTAssertEqual(result.status, 1, command.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains("--figure-format: unknown figure format 'gif'; choose from svg, pdf, png"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written for \(command[0])")
        }
    }
}
