import Foundation
import NoiseScopeCore
import NoiseScopeStatistics
import XCTest

/// `report A B …`: one page that compares runs: each run's verdict as its own
/// check gives it, the tails on shared axes, α̂ and B_simple over training for
/// the logs that have them; and the refusals (one directory too many, a run
/// kind it does not compare).
final class ReportComparisonTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A torch log of 1200 per-example samples over 50 steps, and a steps.jsonl
    /// of 300 steps with 8 micro-batch norms each (windows of 600, enough for α̂).
    func makeLog(_ name: String, alpha: Double) throws -> URL {
        let log = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        let samples = SyntheticDistribution.pareto(alpha: alpha, xmin: 1).sample(count: 1200, seed: 5)
        try NumpyArrayWriter.data(samples).write(to: log.appendingPathComponent("noise_per_example.npy"))
        try NumpyArrayWriter.data((0..<1200).map { Double($0 / 24) }).write(to: log.appendingPathComponent("noise_per_example_steps.npy"))
        try NumpyArrayWriter.data(Array(samples.prefix(600))).write(to: log.appendingPathComponent("noise_norms.npy"))
        try JSONSerialization.data(withJSONObject: ["schema": "noisescope-log/1", "complete": true] as [String: Any])
            .write(to: log.appendingPathComponent("manifest.json"))
        let norms = SyntheticDistribution.pareto(alpha: alpha, xmin: 1).sample(count: 2400, seed: 6)
        let steps = (0..<300).map { s in
            "{\"step\": \(s), \"noise_norms\": [\(norms[(8 * s)..<(8 * s + 8)].map { "\($0)" }.joined(separator: ", "))], \"b_simple\": \(s % 7 == 0 ? -3.0 : 5.0), \"b_simple_ema\": 4.5}"
        }
        try (steps.joined(separator: "\n") + "\n").write(to: log.appendingPathComponent("steps.jsonl"), atomically: true, encoding: .utf8)
        return log
    }

    func verdict(of path: String) throws -> String {
        let result = try CommandLineHarness.run(["check", path, "--json", "--bootstrap", "0"])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(json["verdict"] as? String)
    }

    func testSeveralRunsOnOnePage() throws {
        let heavy = try makeLog("heavy", alpha: 1.3), lighter = try makeLog("lighter", alpha: 3.5)
        let measured = directory.appendingPathComponent("measured")
        XCTAssertEqual(try CommandLineHarness.run(["measure", "--model", "logreg", "--samples", "200", "--quiet", "--out", measured.path]).status, 0)
        let page = directory.appendingPathComponent("compare.html")
        let result = try CommandLineHarness.run(["report", heavy.path, lighter.path, measured.path, "--bootstrap", "0", "-o", page.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertTrue(html.contains("<h1>Gradient noise of 3 runs side by side</h1>"))
        // Each row gives the verdict the run's own check gives.
        for (name, path) in [("heavy", heavy.path), ("lighter", lighter.path)] {
            XCTAssertTrue(html.contains("<tr><td>\(name)</td><td>\(try verdict(of: path)); n = 1200;"), name)
        }
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: measured.appendingPathComponent("summary.json"))) as? [String: Any])
        XCTAssertTrue(html.contains("<tr><td>measured</td><td>\(try XCTUnwrap(summary["verdict"] as? String)); n = 200;"))
        // The tails; α̂ over training (the logs' steps.jsonl); B_simple as EMA and, changing sign, raw on symlog.
        XCTAssertEqual(html.components(separatedBy: "<figure>").count - 1, 4, "tails, α̂, B_simple EMA, B_simple raw")
        XCTAssertTrue(html.contains("symmetric-log axis"))
        XCTAssertFalse(html.contains("<script"))
    }

    func testRefusals() throws {
        let log = try makeLog("one", alpha: 1.5)
        let nine = try CommandLineHarness.run(["report"] + Array(repeating: log.path, count: 9))
        XCTAssertEqual(nine.status, 1)
        XCTAssertTrue(nine.stderr.contains("the number of directories must be between 1 and 8, got 9"), nine.stderr)
        let train = directory.appendingPathComponent("train")
        XCTAssertEqual(try CommandLineHarness.run(["train", "--model", "logreg", "--steps", "10", "--quiet", "--out", train.path]).status, 0)
        let mixed = try CommandLineHarness.run(["report", log.path, train.path, "-o", directory.appendingPathComponent("x.html").path])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertTrue(mixed.stderr.contains("is neither a measure run (summary.json) nor a noisescope_torch log"), mixed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.html").path))
    }
}
