import NoiseScopeCore
import Foundation
import NoiseScopeStatistics
import XCTest

/// `noisescope report`: a self-contained page that parses strictly, loads in
/// headless Chromium without a console error, and carries the run's numbers.
final class ReportCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // A browser that hangs must fail the test, not the CI run.
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { process.terminate() } }
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self), String(decoding: stdout, as: UTF8.self))
    }

    func testReportOfAMeasureRunLoadsCleanlyInChromium() throws {
        let runDirectory = directory.appendingPathComponent("run").path
        XCTAssertEqual(try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "80", "--out", runDirectory,
                                                   "--bootstrap", "0", "--quiet", "--blas-kernels", "library"]).status, 0)
        let result = try CommandLineHarness.run(["report", runDirectory])
        XCTAssertEqual(result.status, 0, result.stderr)
        let page = runDirectory + "/report.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        // Self-contained: no scripts, no links to anything outside the page.
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src=\"http") || html.contains("href=\"http"))
        // Figures are images drawn by the report itself: never inline SVG that could run.
        XCTAssertEqual(html.components(separatedBy: "<img alt=").count - 1, 2)
        XCTAssertFalse(html.contains("<svg"))
        // The numbers of summary.json are on the page.
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runDirectory + "/summary.json"))) as? [String: Any])
        XCTAssertTrue(html.contains("<strong>\(summary["verdict"] as! String)</strong>"))
        XCTAssertTrue(html.contains("650 parameters"))
        // Well-formed (XHTML syntax).
        XCTAssertEqual(try run("/usr/bin/xmllint", ["--noout", page]).status, 0)

        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            return XCTFail("chromium is missing: run scripts/install-dependencies (Debian package chromium)")
        }
        let screenshot = directory.appendingPathComponent("report.png").path
        let browser = try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                                         "--window-size=1200,2000", "--screenshot=\(screenshot)", "file://\(page)"])
        XCTAssertEqual(browser.status, 0, browser.stderr)
        let consoleLines = browser.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        XCTAssertEqual(consoleLines, [], "console messages from the page")
        let png = try XCTUnwrap(FileManager.default.contents(atPath: screenshot))
        XCTAssertGreaterThan(png.count, 20_000, "the rendered page is not blank")
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    /// A log directory of the PyTorch companion (schema noisescope-log/1): the
    /// check runs on its noise_norms.npy; another schema version is refused.
    func testReportOfATorchLog() throws {
        let log = directory.appendingPathComponent("torchlog")
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        let norms = SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: 10_000, seed: 1)
        try NumpyArrayWriter.data(norms).write(to: log.appendingPathComponent("noise_norms.npy"))
        func manifest(schema: String) throws {
            let object: [String: Any] = ["schema": schema, "mode": "train", "model_class": "TinyTransformer", "parameter_count": 120576,
                                         "world_size": 2, "batch_size_small": 8, "batch_size_big": 16, "complete": true]
            try JSONSerialization.data(withJSONObject: object).write(to: log.appendingPathComponent("manifest.json"))
        }
        try manifest(schema: "noisescope-log/1")
        try "{\"step\": 10, \"b_simple_ema\": 42.5}\n".write(to: log.appendingPathComponent("steps.jsonl"), atomically: true, encoding: .utf8)
        let result = try CommandLineHarness.run(["report", log.path, "--bootstrap", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOf: log.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("TinyTransformer (120576 parameters)"))
        XCTAssertTrue(html.contains("<strong>heavy</strong>"))
        XCTAssertTrue(html.contains("= 42.5"))
        try manifest(schema: "noisescope-log/2")
        let refused = try CommandLineHarness.run(["report", log.path, "-o", log.appendingPathComponent("other.html").path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("not noisescope-log/1"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: log.appendingPathComponent("other.html").path))
    }

    /// A run directory planted with hostile files: figures carrying scripts and
    /// event handlers, a figure linked to /etc/passwd. The page loads in headless
    /// Chromium without running anything and shows nothing from outside; a
    /// symbolic link for a data file is refused.
    func testAHostileRunDirectoryRunsNothingAndLeaksNothing() throws {
        let runDirectory = directory.appendingPathComponent("run").path
        XCTAssertEqual(try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "80", "--out", runDirectory,
                                                   "--bootstrap", "0", "--quiet", "--blas-kernels", "library"]).status, 0)
        let payload = """
            <svg xmlns="http://www.w3.org/2000/svg" onload="document.title='PWNED-onload'">
            <script>document.title='PWNED-script'; document.body.setAttribute('data-pwned', '1')</script>
            <a href="javascript:document.title='PWNED-link'"><text y="20">click</text></a></svg>
            """
        try payload.write(toFile: runDirectory + "/summary.svg", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: runDirectory + "/measurement.svg")
        try FileManager.default.createSymbolicLink(atPath: runDirectory + "/measurement.svg", withDestinationPath: "/etc/passwd")
        let result = try CommandLineHarness.run(["report", runDirectory])
        XCTAssertEqual(result.status, 0, result.stderr)
        let page = runDirectory + "/report.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertFalse(html.contains("PWNED"))
        XCTAssertFalse(html.contains("root:"), "no outside file on the page")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertTrue(html.contains("Content-Security-Policy"))
        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            return XCTFail("chromium is missing: run scripts/install-dependencies (Debian package chromium)")
        }
        let dom = try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(page)"])
        XCTAssertEqual(dom.status, 0, dom.stderr)
        XCTAssertTrue(dom.stdout.contains("<title>Gradient noise of logreg"), "the page loaded")
        XCTAssertFalse(dom.stdout.contains("PWNED") || dom.stdout.contains("data-pwned"), "a script ran")
        // A page written from a directory whose summary.svg is itself a script still runs nothing:
        // the figures on the page are drawn by the report from the numbers, as images.
        XCTAssertEqual(html.components(separatedBy: "<img alt=").count - 1, 2)

        try FileManager.default.moveItem(atPath: runDirectory + "/summary.json", toPath: runDirectory + "/real.json")
        try FileManager.default.createSymbolicLink(atPath: runDirectory + "/summary.json", withDestinationPath: runDirectory + "/real.json")
        let linked = try CommandLineHarness.run(["report", runDirectory, "-o", directory.appendingPathComponent("linked.html").path])
        XCTAssertEqual(linked.status, 1)
        XCTAssertTrue(linked.stderr.contains("is a symbolic link; a report reads only regular files"), linked.stderr)
        // -o naming a directory is refused without a temporary file in its parent.
        let intoDirectory = try CommandLineHarness.run(["report", directory.appendingPathComponent("missing").path, "-o", "/tmp"])
        XCTAssertEqual(intoDirectory.status, 1)
    }

    /// A per-layer torch log: the page has the per-group table and the
    /// windows over training; `check DIR --group NAME` reads that group's column.
    func testTorchLogPerGroupAndOverTraining() throws {
        let log = directory.appendingPathComponent("grouped")
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        let whole = SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: 3000, seed: 2).map { $0 + 1 }
        let attention = whole.map { $0 * 0.8 }, embeddings = whole.map { $0 * 0.6 }
        try NumpyArrayWriter.data(whole).write(to: log.appendingPathComponent("noise_norms.npy"))
        // A 2-D float64 array, rows = samples, columns = groups (C order).
        var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (3000, 2), }".utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(32) }
        header.append(10)
        var npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header)
        for (e, a) in zip(embeddings, attention) { for x in [e, a] { var bits = x.bitPattern.littleEndian; npy.append(Data(bytes: &bits, count: 8)) } }
        try npy.write(to: log.appendingPathComponent("noise_norms_by_group.npy"))
        let manifest: [String: Any] = ["schema": "noisescope-log/1", "model_class": "Tiny", "groups": ["embeddings", "attention"], "complete": true]
        try JSONSerialization.data(withJSONObject: manifest).write(to: log.appendingPathComponent("manifest.json"))
        let steps = (0..<3000).map { "{\"step\": \($0 * 10), \"noise_norms\": [\(whole[$0])], \"b_simple\": 4.0, \"b_simple_ema\": 4.5, \"g_big_sq\": \(Double($0 % 100 + 1))}" }
        try (steps.joined(separator: "\n") + "\n").write(to: log.appendingPathComponent("steps.jsonl"), atomically: true, encoding: .utf8)

        let result = try CommandLineHarness.run(["report", log.path, "--bootstrap", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOf: log.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Per layer group") && html.contains("<td>attention</td>"))
        XCTAssertTrue(html.contains("Over training") && html.contains("stationary?"))
        XCTAssertTrue(html.contains("yes: no drift beyond sampling error"), "a stationary sample is not flagged")
        XCTAssertTrue(html.contains("moving-block bootstrap"), "a torch log is checked as a trajectory")
        // ‖g‖ = √(1…100), 30 times each: sorted, the type-7 quantiles interpolate at positions
        // 0.5·2999 = 1499.5 (between √50 and √51) and 0.9·2999 = 2699.1 (between √90 and √91).
        XCTAssertTrue(html.contains(String(format: "gradient norm ‖g‖ over 3000 recording steps: median %.4g, 0.9 quantile %.4g",
                                                (50.0.squareRoot() + 51.0.squareRoot()) / 2, 90.0.squareRoot() + 0.1 * (91.0.squareRoot() - 90.0.squareRoot()))), "the clipping threshold's evidence")
        XCTAssertTrue(html.contains("<h2>What to do</h2>"))

        func median(_ arguments: [String]) throws -> Double {
            let run = try CommandLineHarness.run(["check"] + arguments + ["--json", "--bootstrap", "0"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            return try XCTUnwrap((json["summary"] as? [String: Any])?["median"] as? Double)
        }
        let sorted = whole.sorted()
        XCTAssertEqual(try median([log.path]), 0.5 * sorted[1499] + 0.5 * sorted[1500], accuracy: 1e-12)
        XCTAssertEqual(try median([log.path, "--group", "attention"]), 0.8 * (0.5 * sorted[1499] + 0.5 * sorted[1500]), accuracy: 1e-9)
        let missing = try CommandLineHarness.run(["check", log.path, "--group", "mlp"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("has no group 'mlp'; its groups are embeddings, attention"), missing.stderr)
    }

    /// A directory of `noisescope train`: loss curves and the snapshots over training.
    func testReportOfATrainingRun() throws {
        let out = directory.appendingPathComponent("train").path
        XCTAssertEqual(try CommandLineHarness.run(["train", "--model", "logreg", "--optimizer", "adam", "--batch", "16", "--steps", "40",
                                                   "--eval-every", "10", "--noise-every", "20", "--noise-samples", "40", "--out", out,
                                                   "--quiet", "--blas-kernels", "library"]).status, 0)
        let result = try CommandLineHarness.run(["report", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("Noise snapshots (the check on each)"))
        XCTAssertTrue(html.contains("step 20 (n = 40)"))
        XCTAssertTrue(html.contains("Over training"))
        XCTAssertTrue(html.contains("4 loss rows, last at step 40"))
        XCTAssertTrue(html.contains("<h2>What to do</h2>"), "the page ends with advice tied to the verdict")
    }

    /// A run written by an earlier version (no evidence, the one-minibatch stable
    /// index, none of the newer fields) still gets its page.
    func testReportOfAnOlderMeasureRun() throws {
        let runDirectory = directory.appendingPathComponent("old").path
        XCTAssertEqual(try CommandLineHarness.run(["measure", "--model", "logreg", "--batch", "16", "--samples", "80", "--out", runDirectory,
                                                   "--bootstrap", "0", "--quiet", "--blas-kernels", "library"]).status, 0)
        let url = URL(fileURLWithPath: runDirectory + "/summary.json")
        var summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var check = try XCTUnwrap(summary["check"] as? [String: Any])
        check.removeValue(forKey: "evidence")
        summary["check"] = check
        summary["coordinate_stable_index"] = ["alpha": 2.38, "block_size": 25, "block_count": 26, "zeros_dropped": 0]
        for key in ["coordinate_stable_index_per_tensor", "matched_reference_comparison", "effective_dimension", "noise_by_group"] {
            summary.removeValue(forKey: key)
        }
        try JSONSerialization.data(withJSONObject: summary).write(to: url)
        let result = try CommandLineHarness.run(["report", runDirectory])
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOfFile: runDirectory + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("not α-stable (estimate 2.38 outside (0, 2])"), "an old index above 2 is not shown as one")
    }

    func testRefusesADirectoryThatIsNoRun() throws {
        let result = try CommandLineHarness.run(["report", directory.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("holds neither summary.json"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("report.html").path))
    }
}

/// Per-rank logs checked together: streamed and merged shard by shard, the
/// answer equals that on the concatenated file for every top-K quantity.
final class ShardedCheckTests: XCTestCase {
    func testShardsGiveTheConcatenationsAnswer() throws {
        let directory = try CommandLineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let values = SyntheticDistribution.absoluteStudentT(nu: 2).sample(count: 30_000, seed: 11)
        let whole = directory.appendingPathComponent("all.npy").path, a = directory.appendingPathComponent("rank0.npy").path,
            b = directory.appendingPathComponent("rank1.npy").path
        try NumpyArrayWriter.data(values).write(to: URL(fileURLWithPath: whole))
        try NumpyArrayWriter.data(Array(values[..<12_000])).write(to: URL(fileURLWithPath: a))
        try NumpyArrayWriter.data(Array(values[12_000...])).write(to: URL(fileURLWithPath: b))
        func report(_ files: [String]) throws -> [String: Any] {
            let result = try CommandLineHarness.run(["check", "--stream", "--top", "5000", "--k", "800", "--json", "--xmin-search", "exact"] + files)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let sharded = try report([a, b]), concatenated = try report([whole])
        XCTAssertEqual(sharded["n"] as? Int, 30_000)
        for key in ["hill", "moments", "pickands", "powerlaw"] {
            XCTAssertEqual(sharded[key] as? NSDictionary, concatenated[key] as? NSDictionary, key)
        }
        XCTAssertEqual(sharded["verdict"] as? String, concatenated["verdict"] as? String)
    }
}
