import Foundation
import NoiseScopeCore
import NoiseScopeStatistics
import XCTest

/// `check DIR` on a noisescope_torch log with per-example noise: it reads
/// noise_per_example.npy (not the fewer micro-batch norms), says so, and
/// resamples whole recording steps (noise_per_example_steps.npy); the file
/// named directly reads the same; a steps file too short falls back to samples.
final class PerExampleLogTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func makeLog(stepsCount: Int) throws -> URL {
        let log = directory.appendingPathComponent("log")
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        let perExample = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 1200, seed: 4)
        try NumpyArrayWriter.data(perExample).write(to: log.appendingPathComponent("noise_per_example.npy"))
        try NumpyArrayWriter.data((0..<stepsCount).map { Double($0 / 24) }).write(to: log.appendingPathComponent("noise_per_example_steps.npy"))
        try NumpyArrayWriter.data(Array(perExample.prefix(50))).write(to: log.appendingPathComponent("noise_norms.npy"))
        let manifest: [String: Any] = ["schema": "noisescope-log/1", "complete": true]
        try JSONSerialization.data(withJSONObject: manifest).write(to: log.appendingPathComponent("manifest.json"))
        return log
    }

    func check(_ path: String) throws -> (json: [String: Any], stderr: String) {
        let result = try CommandLineHarness.run(["check", path, "--json", "--bootstrap", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return (try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]), result.stderr)
    }

    func testPerExampleNoiseIsReadAndResampledByWholeSteps() throws {
        let log = try makeLog(stepsCount: 1200)
        let (json, stderr) = try check(log.path)
        XCTAssertEqual(json["n"] as? Int, 1200, "the per-example file, not the 50 norms")
        XCTAssertTrue(stderr.contains("read 1200 per-example noise samples from") && stderr.contains("(50 recording steps, resampled a whole step at a time)"), stderr)
        let spread = try XCTUnwrap((json["evidence"] as? [String: Any])?["block_bootstrap"] as? [String: Any])
        XCTAssertEqual(spread["block_unit"] as? String, "steps")
        XCTAssertEqual(spread["block_length"] as? Int, 4, "⌈50^(1/3)⌉ steps")
        let direct = try check(log.appendingPathComponent("noise_per_example.npy").path)
        XCTAssertEqual(direct.json as NSDictionary, json as NSDictionary)
        // The report reads the same samples, the same way, and says how many each verdict needs.
        let report = try CommandLineHarness.run(["report", log.path, "--bootstrap", "0"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let page = try String(contentsOf: log.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("n = 1200 per-example noise ‖g_i − ḡ_B‖ (noise_per_example.npy) from 50 recording steps; the verdict commits from n = 500, can say light from n = 5000, heavy from n = 10000 and infinite-variance from n = 10000"), "the sample-size fact")
        XCTAssertTrue(page.contains("blocks of 4 whole steps"), "the report's interval resamples whole steps")
    }

    func testSeveralLogsKeepTheirStepsAndAFileNamedWithoutAFolderReads() throws {
        let log = try makeLog(stepsCount: 1200)
        let second = directory.appendingPathComponent("second")
        try FileManager.default.copyItem(at: log, to: second)
        let result = try CommandLineHarness.run(["check", log.path, second.path, "--json", "--bootstrap", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["n"] as? Int, 2400)
        let spread = try XCTUnwrap((json["evidence"] as? [String: Any])?["block_bootstrap"] as? [String: Any])
        XCTAssertEqual(spread["block_unit"] as? String, "steps")
        XCTAssertEqual(spread["block_length"] as? Int, 5, "⌈100^(1/3)⌉ steps of the two logs")
        XCTAssertEqual(result.stderr.components(separatedBy: "(50 recording steps, resampled a whole step at a time)").count - 1, 2, result.stderr)
        // From inside the log: `check noise_per_example.npy` once failed on the empty folder name.
        let process = Process()
        process.executableURL = CommandLineHarness.binary
        process.arguments = ["check", "noise_per_example.npy", "--json", "--bootstrap", "0"]
        process.currentDirectoryURL = log
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let inside = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(((inside["evidence"] as? [String: Any])?["block_bootstrap"] as? [String: Any])?["block_unit"] as? String, "steps")
    }

    func testAShortStepsFileFallsBackToSamples() throws {
        let log = try makeLog(stepsCount: 1000)
        let (json, stderr) = try check(log.path)
        XCTAssertEqual(json["n"] as? Int, 1200)
        XCTAssertTrue(stderr.contains("their steps file is shorter, so resampled sample by sample"), stderr)
        let spread = try XCTUnwrap((json["evidence"] as? [String: Any])?["block_bootstrap"] as? [String: Any])
        XCTAssertNil(spread["block_unit"])
        XCTAssertEqual(spread["block_length"] as? Int, 11, "⌈1200^(1/3)⌉ samples")
    }
}
