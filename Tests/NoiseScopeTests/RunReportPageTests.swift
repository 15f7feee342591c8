import Foundation
import NoiseScope
import XCTest
import NoiseScopePlot
import NoiseScopeStatistics

/// The page of `noisescope report` read as a person reads it: the verdict
/// section carries the intervals the console prints, with the same digits;
/// the page prints on A4; wide tables span the page; nothing on it runs.
final class RunReportPageTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("report-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// A small logreg run with a goodness-of-fit p, so every interval is there.
    func measureRun() throws -> (run: MeasurementRun, directory: String) {
        var request = MeasureRequest()
        request.model = .logreg
        request.batchSize = 8
        request.samples = 600
        request.bootstrap = 20
        request.seed = 0
        let run = try MeasurementRun.measure(request)
        let directory = try temporaryDirectory() + "/run"
        try run.write(to: directory)
        return (run, directory)
    }

    func testVerdictSectionShowsTheConsoleIntervals() throws {
        let (run, directory) = try measureRun()
        let html = try RunReportBuilder().report(of: RunDirectory(path: directory)).html()
        let start = try XCTUnwrap(html.range(of: "<section class=\"verdict-section\">"))
        let end = try XCTUnwrap(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        let verdictSection = String(html[start.upperBound..<end.lowerBound])
        let check = run.summary.check
        func g(_ x: Double?) -> String { String(format: "%.4g", try! XCTUnwrap(x)) }

        let hill = "\(g(check.hill.alpha)), 95 % CI [\(g(check.hill.alphaInterval95.lower)), \(g(check.hill.alphaInterval95.upper))]"
        XCTAssertTrue(verdictSection.contains(hill), "Hill α̂ with its interval: \(hill)\n\(verdictSection)")
        let gpd = try XCTUnwrap(check.evidence.gpd, "this run has a GPD fit")
        let xi = "\(g(gpd.xi)), nominal 95 % CI [\(g(gpd.xiInterval95?.lower)), \(g(gpd.xiInterval95?.upper))]"
        XCTAssertTrue(verdictSection.contains(xi), "GPD ξ̂ with its interval: \(xi)")
        let power = try XCTUnwrap(check.powerLaw)
        // Sequential goodness of fit: at most the 20 replicates asked, fewer once 2 reach the observed distance.
        XCTAssertTrue((2...20).contains(power.goodnessOfFitReplicates))
        XCTAssertEqual(PowerLawFit.replicatesText(power), power.goodnessOfFitReplicates < 20
                       ? "\(power.goodnessOfFitReplicates) of at most 20 bootstrap replicates, sequential" : "20 bootstrap replicates")
        let csn = "\(g(power.alpha)) ± \(g(power.sigma)), goodness of fit p = \(g(power.goodnessOfFitP)) (\(PowerLawFit.replicatesText(power)))"
        XCTAssertTrue(verdictSection.contains(csn), "CSN α̂ with its p-value: \(csn)")
        // The same digits as the console's account of the check.
        let console = check.humanReadableSummary(source: "run")
        XCTAssertTrue(console.contains("α = \(g(check.hill.alpha))  95% CI [\(g(check.hill.alphaInterval95.lower)), \(g(check.hill.alphaInterval95.upper))]"))
        XCTAssertTrue(console.contains("GPD ξ = \(g(gpd.xi)) nominal 95% CI [\(g(gpd.xiInterval95?.lower)), \(g(gpd.xiInterval95?.upper))]"))
        XCTAssertTrue(verdictSection.contains("<h2>What to do</h2>"), "the advice sits with the verdict")
        XCTAssertTrue(verdictSection.contains("<p>" + RunReport.advice(for: run.summary.verdict).prefix(60)))

        // Per layer group, across the page.
        XCTAssertTrue(html.contains("<div class=\"wide\"><h2>Per layer group</h2>"))
        XCTAssertTrue(html.contains("<td>head</td><td>100 % of the squared noise"))
    }

    func testPageScalesFiguresPrintsOnA4AndRunsNothing() throws {
        let report = RunReport(title: "t", verdict: .heavy, verdictReason: "r", facts: ["f"], glance: [("Hill α̂", "2.5")],
                               tables: [.init(title: "a", rows: [("x", "1")]), .init(title: "b", rows: [("y", "2")], wide: true)],
                               figures: [("c", Figure(Axes(title: "x")).render().svg)])
        let html = report.html()
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<svg"), "figures are images, never inline SVG")
        XCTAssertTrue(html.contains("<img alt=\"c\" src=\"data:image/svg+xml;base64,"))
        XCTAssertTrue(html.contains("default-src 'none'"), "the Content-Security-Policy stays")
        XCTAssertTrue(html.contains("figure img { display: block; width: 100%; max-width: 100%; height: auto; }"))
        let print = try XCTUnwrap(html.range(of: "@media print {")).upperBound
        let printRules = String(html[print...].prefix(600))
        XCTAssertTrue(printRules.contains("background: none !important"))
        XCTAssertTrue(printRules.contains("figure, ") && printRules.contains("break-inside: avoid"))
        XCTAssertTrue(html.contains("@page { size: A4; margin: 18mm 15mm; }"))
        XCTAssertTrue(html.contains("<div><h2>a</h2>") && html.contains("<div class=\"wide\"><h2>b</h2>"))
        XCTAssertTrue(html.contains("<table class=\"glance\">\n<tr><td>Hill α̂</td><td>2.5</td></tr>"))
    }
}
