import Foundation
import XCTest

/// `noisescope measure` end to end on logreg (fast enough for a debug build):
/// every promised file with consistent numbers, bad input, and Ctrl-C.
final class MeasureCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testWritesEveryOutputConsistently() throws {
        let out = directory.appendingPathComponent("run").path
        let result = try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "60",
                                                 "--out", out, "--json", "--bootstrap", "0", "--blas-kernels", "library"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(files, [".noisescope-run", "attribution.csv", "coordinates.csv", "hill_plot.svg", "histogram.svg", "measurement.svg", "noise_norms.csv",
                               "noise_norms.npy", "noise_norms_by_group.csv", "summary.json", "summary.svg", "tail_ccdf.svg", "threshold_stability.svg", "variance.csv"])
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any])
        XCTAssertEqual(summary["model"] as? String, "logreg")
        XCTAssertEqual(summary["parameter_count"] as? Int, 650)
        XCTAssertEqual(summary["samples"] as? Int, 60)
        XCTAssertNotNil(summary["verdict"] as? String)
        XCTAssertGreaterThan(summary["grads_per_second"] as? Double ?? 0, 0)
        XCTAssertEqual((summary["full_gradient"] as? [String: Any])?["examples"] as? Int, 1797)
        // stdout is the same summary.
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? NSDictionary, summary as NSDictionary)

        let norms = try String(contentsOfFile: out + "/noise_norms.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(norms.first, "noise_norm")
        XCTAssertEqual(norms.count, 61)
        // The check inside summary.json saw exactly these norms: same median.
        let values = norms.dropFirst().compactMap { Double($0) }.sorted()
        let median = (values[29] + values[30]) / 2
        let check = try XCTUnwrap(summary["check"] as? [String: Any])
        XCTAssertEqual((check["summary"] as? [String: Any])?["median"] as? Double ?? .nan, median, accuracy: 1e-12 * median)
        // Variance checkpoints end at n = N; coordinates hold one value per parameter.
        let variance = try String(contentsOfFile: out + "/variance.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(variance.first, "samples,variance")
        XCTAssertTrue(variance.last!.hasPrefix("60,"))
        XCTAssertEqual(try String(contentsOfFile: out + "/coordinates.csv", encoding: .utf8).split(separator: "\n").count, 651)
        // Same seed, same bytes.
        let again = directory.appendingPathComponent("again").path
        XCTAssertEqual(try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "60", "--out", again,
                                                   "--bootstrap", "0", "--quiet", "--blas-kernels", "library"]).status, 0)
        for name in ["noise_norms.csv", "variance.csv", "coordinates.csv", "noise_norms.npy"] {
            XCTAssertEqual(FileManager.default.contents(atPath: out + "/" + name), FileManager.default.contents(atPath: again + "/" + name), name)
        }
    }

    func testBadInputsGiveOneLineErrorsAndWriteNothing() throws {
        let short = directory.appendingPathComponent("short.txt").path
        try "only a few bytes".write(toFile: short, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("never").path
        let cases: [([String], String)] = [
            (["measure", "--model", "gpt5"], "The value 'gpt5' is invalid for '--model <model>'. Choose one of tinygpt, tinygpt-noattn,"),
            (["measure", "--model", "tinygpt", "--data", "digits"], "tinygpt reads text"),
            (["measure", "--model", "resmlp", "--data", "text"], "--data: resmlp reads digits, not text"),
            (["measure", "--data", directory.appendingPathComponent("missing.txt").path], "no such file"),
            (["measure", "--data", short], "short.txt"),
            (["measure", "--model", "logreg", "--samples", "1"], "--samples must be between 2 and"),
            (["measure", "--width", "30", "--heads", "4"], "not divisible"),
        ]
        for (arguments, expected) in cases {
            let result = try CommandLineHarness.run(arguments + ["--out", out, "--quiet"])
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(expected), "stderr was: \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// Ctrl-C in the middle of sampling: exit non-zero, nothing written.
    func testInterruptLeavesNoOutput() throws {
        let out = directory.appendingPathComponent("interrupted").path
        let process = Process()
        process.executableURL = CommandLineHarness.binary
        process.arguments = ["measure", "--model", "logreg", "--batch", "16", "--samples", "100000000", "--out", out, "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        process.interrupt()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(stderr.contains("stopped; nothing was written"), stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
