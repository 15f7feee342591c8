import Foundation
import NoiseScopeCore
import NoiseScopeStatistics
import XCTest

/// What an attacker's review found still wrong, each end to end: a re-run
/// deleting files it did not write, `--dependent` dropped on standard input,
/// selectors a format has no use for, and a file-size limit (SIGXFSZ).
final class LeftoverInputTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func measure(_ out: URL) throws -> CommandLineHarness.Result {
        try CommandLineHarness.run(["measure", "--model", "logreg", "--samples", "30", "--quiet", "--out", out.path])
    }

    func testARerunNeverDeletesWhatItDidNotWrite() throws {
        let out = directory.appendingPathComponent("run")
        XCTAssertEqual(try measure(out).status, 0)
        let marker = try String(contentsOf: out.appendingPathComponent(".noisescope-run"), encoding: .utf8)
        XCTAssertTrue(marker.hasPrefix("measure\n") && marker.contains("\nsummary.json\n"), marker)
        // report.html of `noisescope report` is ours: the re-run replaces it.
        XCTAssertEqual(try CommandLineHarness.run(["report", out.path]).status, 0)
        XCTAssertEqual(try measure(out).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.html").path))
        // A user's note and folder: refused, named, and left where they were.
        try Data("my notes".utf8).write(to: out.appendingPathComponent("notes.txt"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent("drafts"), withIntermediateDirectories: false)
        let refused = try measure(out)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("holds 2 entries noisescope did not write ('drafts', 'notes.txt')"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8), "my notes")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("drafts").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path))
        // A marker of an older release lists nothing: then only this run's own names are ours.
        try FileManager.default.removeItem(at: out.appendingPathComponent("drafts"))
        try Data("measure\n".utf8).write(to: out.appendingPathComponent(".noisescope-run"))
        try Data("<svg/>".utf8).write(to: out.appendingPathComponent("old_figure.svg"))
        let legacy = try measure(out)
        XCTAssertEqual(legacy.status, 1)
        XCTAssertTrue(legacy.stderr.contains("holds 2 entries noisescope did not write ('notes.txt', 'old_figure.svg')"), legacy.stderr)
        try FileManager.default.removeItem(at: out.appendingPathComponent("notes.txt"))
        try FileManager.default.removeItem(at: out.appendingPathComponent("old_figure.svg"))
        XCTAssertEqual(try measure(out).status, 0)
        // A marker can never make a folder ours, nor can a marker that is itself a folder.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("thesis"), withIntermediateDirectories: false)
        try Data("chapter".utf8).write(to: out.appendingPathComponent("thesis/one.tex"))
        try Data("measure\nthesis\n".utf8).write(to: out.appendingPathComponent(".noisescope-run"))
        XCTAssertEqual(try measure(out).status, 1)
        try FileManager.default.removeItem(at: out.appendingPathComponent(".noisescope-run"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".noisescope-run"), withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: out.appendingPathComponent(".noisescope-run/keep.txt"))
        let folderMarker = try measure(out)
        XCTAssertEqual(folderMarker.status, 1)
        XCTAssertTrue(folderMarker.stderr.contains("'.noisescope-run'") && folderMarker.stderr.contains("'thesis'"), folderMarker.stderr)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("thesis/one.tex"), encoding: .utf8), "chapter")
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent(".noisescope-run/keep.txt"), encoding: .utf8), "keep")
    }

    func testDependentIsKeptOnStandardInput() throws {
        let generated = try CommandLineHarness.run(["generate", "pareto", "--alpha", "1.9", "--count", "2000", "--seed", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let file = directory.appendingPathComponent("x.txt")
        try Data(generated.stdout.utf8).write(to: file)
        func verdict(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
            let result = try CommandLineHarness.run(["check"] + arguments + ["--json", "--seed", "5"], stdin: stdin)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let fromFile = try verdict([file.path, "--dependent"])
        let fromStandardInput = try verdict(["-", "--dependent"], stdin: generated.stdout)
        let independent = try verdict(["-"], stdin: generated.stdout)
        XCTAssertEqual(fromStandardInput as NSDictionary, fromFile as NSDictionary)
        XCTAssertNotEqual(fromStandardInput as NSDictionary, independent as NSDictionary, "--dependent changed nothing on standard input")
    }

    func testSelectorsAFormatCannotUseAreRefused() throws {
        let text = directory.appendingPathComponent("x.txt")
        try Data((1...100).map { "\($0)" }.joined(separator: "\n").utf8).write(to: text)
        let column = try CommandLineHarness.run(["check", text.path, "--column", "2"])
        XCTAssertEqual(column.status, 1)
        XCTAssertTrue(column.stderr.contains("'2' names a column of a CSV, TSV or 2-D .npy, but"), column.stderr)
        let piped = try CommandLineHarness.run(["check", "-", "--column", "noise"], stdin: "1\n2\n3\n")
        XCTAssertEqual(piped.status, 1)
        XCTAssertTrue(piped.stderr.contains("is read as text"), piped.stderr)
        let csv = directory.appendingPathComponent("x.csv")
        try Data("noise\n1\n2\n".utf8).write(to: csv)
        let field = try CommandLineHarness.run(["check", csv.path, "--field", "noise"])
        XCTAssertEqual(field.status, 1)
        XCTAssertTrue(field.stderr.contains("'noise' names a field of JSON lines, but"), field.stderr)
    }

    /// Under `ulimit -f` SIGXFSZ used to kill every writer with no word (exit 153).
    func testAFileSizeLimitIsOneLineAndLeavesNoTemporaryFile() throws {
        let commands = [["generate", "pareto", "--count", "100000", "-o", "g.txt"],
                        ["measure", "--model", "logreg", "--samples", "300", "--quiet", "--out", "m"],
                        ["check", "g0.txt", "--plot", "plots"],
                        ["simulate", "--replicates", "200", "--steps", "200", "--out", "s"]]
        let sample = try CommandLineHarness.run(["generate", "pareto", "--count", "3000", "--seed", "1"])
        try Data(sample.stdout.utf8).write(to: directory.appendingPathComponent("g0.txt"))
        for arguments in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.currentDirectoryURL = directory
            process.arguments = ["-c", "ulimit -f 8; exec \"$0\" \"$@\"", CommandLineHarness.binary.path] + arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(arguments[0]) was killed by a signal")
            XCTAssertEqual(process.terminationStatus, 1, "\(arguments): \(stderr)")
            XCTAssertTrue(stderr.hasSuffix("File too large\n") && stderr.split(separator: "\n").count == 1, "\(arguments): \(stderr)")
            let left = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp") }
            XCTAssertEqual(left, [], "\(arguments) left temporary files")
        }
    }

    func testRealFlagsAreDecimalNumbersOfNormalSize() throws {
        for (value, reason) in [("0x10", "not a decimal number"), ("1e-320", "below the smallest normal double"), ("1e-400", "below the smallest normal double"),
                                ("nan", "not a decimal number"), ("1e400", "too large for a double")] {
            for arguments in [["simulate", "--lr", value], ["simulate", "--clip", value], ["generate", "pareto", "--alpha", value],
                              ["train", "--lr", value], ["reference", "--alpha", value]] {
                let result = try CommandLineHarness.run(arguments + ["--out", directory.appendingPathComponent("never").path])
                XCTAssertEqual(result.status, 1, "\(arguments)")
                XCTAssertTrue(result.stderr.contains("The value '\(value)' is invalid") && result.stderr.contains(reason), "\(arguments): \(result.stderr)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("never").path))
        let help = try CommandLineHarness.run(["simulate", "--help"])
        XCTAssertTrue(help.stdout.contains("Base step size η. (default: 0.05)"), help.stdout)
    }

    func testNonFiniteNumbersAreWrittenOneWayAndSamplesNeverOverflow() throws {
        let out = directory.appendingPathComponent("sim")
        let simulated = try CommandLineHarness.run(["simulate", "--lr", "1e300", "--replicates", "50", "--steps", "50", "--out", out.path])
        XCTAssertEqual(simulated.status, 0, simulated.stderr)
        let table = try String(contentsOf: out.appendingPathComponent("quantiles.csv"), encoding: .utf8)
        let cells = table.split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(3) }
        XCTAssertTrue(cells.contains("nan") && cells.contains("inf"), table)
        XCTAssertTrue(cells.allSatisfy { $0.isEmpty || ["nan", "inf", "-inf"].contains($0) || Double($0)?.isFinite == true }, table)
        // (1.798e308/1e308)^-0.5 = 74.6 % of the draws would overflow: refused up front.
        let overflow = try CommandLineHarness.run(["generate", "pareto", "--xmin", "1e308", "--alpha", "0.5", "--count", "3"])
        XCTAssertEqual(overflow.status, 1)
        XCTAssertTrue(overflow.stderr.contains("about 74.6 % of the draws would exceed the largest double"), overflow.stderr)
        XCTAssertEqual(overflow.stdout, "")
        // α = 0.01 from 1: e^(-0.01·709.78) = 0.08 % overflow, written as inf and counted.
        let rare = try CommandLineHarness.run(["generate", "pareto", "--alpha", "0.01", "--count", "20000", "--seed", "1"])
        XCTAssertEqual(rare.status, 0, rare.stderr)
        let lines = rare.stdout.split(separator: "\n")
        let infinite = lines.filter { $0 == "inf" }.count
        XCTAssertTrue(lines.allSatisfy { $0 == "inf" || Double($0)?.isFinite == true })
        XCTAssertGreaterThan(infinite, 0)
        XCTAssertTrue(rare.stderr.contains("note: \(infinite) of 20000 draws exceeded the largest double in size"), rare.stderr)
        // The stable and Student-t kinds are bounded the same way (α = 0.001: about 49 % would overflow).
        for arguments in [["stable", "--alpha", "0.001"], ["abs-student-t", "--nu", "0.001"]] {
            let refused = try CommandLineHarness.run(["generate"] + arguments + ["--count", "10"])
            XCTAssertEqual(refused.status, 1, "\(arguments)")
            XCTAssertTrue(refused.stderr.contains("% of the draws would exceed the largest double"), refused.stderr)
        }
    }

    func testErrorsNameWhatIsReallyWrong() throws {
        let missing = try CommandLineHarness.run(["report", directory.appendingPathComponent("nonexistent").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nonexistent: no such directory"), missing.stderr)
        // A log whose manifest names more groups than its group file has columns.
        let log = directory.appendingPathComponent("log")
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        let norms = SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: 600, seed: 2).map { $0 + 1 }
        try NumpyArrayWriter.data(norms).write(to: log.appendingPathComponent("noise_norms.npy"))
        try NumpyArrayWriter.data(norms).write(to: log.appendingPathComponent("noise_norms_by_group.npy"))  // one column
        let manifest: [String: Any] = ["schema": "noisescope-log/1", "groups": ["embeddings", "attention"], "complete": true]
        try JSONSerialization.data(withJSONObject: manifest).write(to: log.appendingPathComponent("manifest.json"))
        for arguments in [["check", log.path, "--group", "attention"], ["report", log.path, "--bootstrap", "0"]] {
            let result = try CommandLineHarness.run(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertTrue(result.stderr.contains("layer group 2 of manifest.json needs column '2' of") && result.stderr.contains("the log's files disagree"), result.stderr)
            XCTAssertFalse(result.stderr.contains("--column"), result.stderr)
        }
    }

    /// report reads run documents whole (at most 64 MB) and has no --stream: its refusal must not name one.
    func testReportRefusesAHugeDocumentWithoutNamingAFlagItLacks() throws {
        let run = directory.appendingPathComponent("huge")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let summary = run.appendingPathComponent("summary.json")
        XCTAssertTrue(FileManager.default.createFile(atPath: summary.path, contents: nil))
        let handle = try FileHandle(forWritingTo: summary)
        try handle.truncate(atOffset: 65_000_000)  // sparse: no disk used
        try handle.close()
        let result = try CommandLineHarness.run(["report", run.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("more than can be read into memory here; split it"), result.stderr)
        XCTAssertFalse(result.stderr.contains("--stream:"), result.stderr)
    }

    func testAttributionNeverCarriesRawTerminalEscapes() throws {
        let text = directory.appendingPathComponent("hostile.txt")
        let line = "plain words \u{1B}]0;PWNED\u{07} and \u{1B}[2J more words, \u{9B}31m then some.\n"
        try Data(String(repeating: line, count: 40).utf8).write(to: text)
        let out = directory.appendingPathComponent("run")
        let result = try CommandLineHarness.run(["measure", "--data", text.path, "--width", "16", "--layers", "1", "--heads", "2", "--context", "16", "--samples", "30", "--full-batches", "4", "--quiet", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let csv = try Data(contentsOf: out.appendingPathComponent("attribution.csv"))
        XCTAssertGreaterThan(csv.count, 200)
        XCTAssertFalse(csv.contains(0x1B) || csv.contains(0x07), "a raw escape byte in attribution.csv")
        XCTAssertFalse(String(decoding: csv, as: UTF8.self).unicodeScalars.contains("\u{9B}"), "a raw C1 CSI in attribution.csv")
        XCTAssertTrue(String(decoding: csv, as: UTF8.self).contains("\\e"), "the escapes are shown, not dropped")
    }
}
