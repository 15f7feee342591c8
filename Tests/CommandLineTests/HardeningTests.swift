import Foundation
import XCTest

/// Hostile and careless input, end to end: every case ends in one escaped
/// line on stderr (or a correct result), never a crash or a half-written output.
final class HardeningTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ text: String, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs a shell command line (for pipes and redirections); returns status and stderr.
    func shell(_ command: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(["NS": CommandLineHarness.binary.path]) { $1 }
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }

    let pareto = (1...200).map { String(format: "%.6f", pow(Double($0) / 201, -1 / 1.5)) }

    func testErrorsEscapeControlCharactersAndStayShort() throws {
        let hostile = try write("1\n\u{1B}]0;PWNED\u{07}\n", "x.txt")
        let result = try CommandLineHarness.run(["check", hostile])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.stderr.utf8.contains(0x1B), "a raw escape reached the terminal")
        XCTAssertFalse(result.stderr.utf8.contains(0x07))
        XCTAssertTrue(result.stderr.contains("'\\e]0;PWNED\\x07' is not a number"), result.stderr)
        // A 75 KB "line" (a CSV read as plain text) is cut, not dumped.
        let table = try write(String(repeating: "1,2\r\n", count: 15_000), "wide.txt")
        let long = try CommandLineHarness.run(["check", table])
        XCTAssertEqual(long.status, 1)
        XCTAssertEqual(long.stderr.split(separator: "\n").count, 1)
        XCTAssertLessThan(long.stderr.count, 700)
        // A hostile flag value is escaped too, and usage errors are one line.
        let flag = try CommandLineHarness.run(["check", hostile, "--format", "\u{1B}[2J"])
        XCTAssertEqual(flag.status, 1)
        XCTAssertFalse(flag.stderr.utf8.contains(0x1B))
        XCTAssertEqual(flag.stderr.split(separator: "\n").count, 1, flag.stderr)
    }

    func testCRLFAndByteOrderMarkReadTheSameFromFilesAndStandardInput() throws {
        let plain = pareto.joined(separator: "\n") + "\n"
        let dos = "\u{FEFF}" + pareto.joined(separator: "\r\n") + "\r\n"
        func hill(_ arguments: [String], stdin: String? = nil) throws -> Double? {
            let result = try CommandLineHarness.run(["check", "--json", "--bootstrap", "0"] + arguments, stdin: stdin)
            XCTAssertEqual(result.status, 0, result.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            XCTAssertEqual(json?["n"] as? Int, 200)
            return (json?["hill"] as? [String: Any])?["alpha"] as? Double
        }
        let reference = try hill([try write(plain, "plain.txt")])
        XCTAssertNotNil(reference)
        XCTAssertEqual(try hill([try write(dos, "dos.txt")]), reference)
        XCTAssertEqual(try hill(["-"], stdin: dos), reference)
        XCTAssertEqual(try hill(["-", "--stream"], stdin: dos), reference)
        let csv = "\u{FEFF}step,norm\r\n" + pareto.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\r\n")
        XCTAssertEqual(try hill([try write(csv, "dos.csv"), "--column", "norm"]), reference)
        let jsonl = pareto.map { "{\"norm\": \($0)}" }.joined(separator: "\r\n")
        XCTAssertEqual(try hill([try write(jsonl, "dos.jsonl")]), reference)
    }

    func testCSVFollowsRFC4180AndEmptyCellsAreMissingValues() throws {
        var rows = ["step,\"note, with comma\",norm"]
        for (i, value) in pareto.enumerated() {
            rows.append(i % 50 == 0 ? "\(i),\"multi\nline \"\"quoted\"\"\"," : "\(i),\"plain\",\(value)")
        }
        let path = try write(rows.joined(separator: "\r\n") + "\r\n", "wandb.csv")
        let dropped = try CommandLineHarness.run(["check", path, "--column", "norm", "--json", "--bootstrap", "0"])
        XCTAssertEqual(dropped.status, 0, dropped.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(dropped.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["n"] as? Int, 196)
        XCTAssertEqual((json["dropped"] as? [String: Any])?["nonfinite"] as? Int, 4)
        XCTAssertTrue(dropped.stderr.contains("dropped 4 NaN/Inf"), dropped.stderr)
        let refused = try CommandLineHarness.run(["check", path, "--column", "norm", "--invalid", "refuse"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("wandb.csv line 2 is missing or NaN"), refused.stderr)
        let unclosed = try CommandLineHarness.run(["check", try write("a,b\n1,\"2\n3,4\n", "open.csv"), "--column", "b"])
        XCTAssertTrue(unclosed.stderr.contains("line 2: a quoted field is never closed"), unclosed.stderr)
    }

    func testJSONLinesNameTheRealProblem() throws {
        let cases: [(String, String)] = [
            ("{\"x\": 1e400}", "the number '1e400' is out of the range of a double"),
            ("{\"x\": 1, \"x\": 2}", "duplicate key 'x'"),
            ("{\"x\": true}", "the value is true, a boolean, not a number"),
            ("{\"x\": \"3\"}", "the value is a string, not a number"),
            ("[1, 2]", "not a JSON object"),
            ("{\"x\": 1} trailing", "text after the object"),
        ]
        for (line, expected) in cases {
            let result = try CommandLineHarness.run(["check", try write(line + "\n", "bad.jsonl"), "--field", "x"])
            XCTAssertEqual(result.status, 1, line)
            XCTAssertTrue(result.stderr.contains(expected), "\(line): \(result.stderr)")
        }
        // Python's NaN and null are missing values, dropped and counted.
        let python = pareto.map { "{\"x\": \($0)}" } + ["{\"x\": NaN}", "{\"x\": null}", "{\"x\": -Infinity}"]
        let ok = try CommandLineHarness.run(["check", try write(python.joined(separator: "\n"), "py.jsonl"), "--json", "--bootstrap", "0"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stderr.contains("dropped 3 NaN/Inf and 0"), ok.stderr)
    }

    func testPipesFIFOsAndDevStdinAreRead() throws {
        let text = pareto.joined(separator: "\n")
        let fifo = directory.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let checked = try shell("(printf '%s\\n' \(pareto.joined(separator: " ")) > \(fifo) &) ; \"$NS\" check \(fifo) --bootstrap 0 > /dev/null")
        XCTAssertEqual(checked.status, 0, checked.stderr)
        let devStdin = try CommandLineHarness.run(["check", "/dev/stdin", "--bootstrap", "0", "--json"], stdin: text)
        XCTAssertEqual(devStdin.status, 0, devStdin.stderr)
        let substitution = try shell("\"$NS\" check <(printf '%s\\n' \(pareto.joined(separator: " "))) --bootstrap 0 > /dev/null")
        XCTAssertEqual(substitution.status, 0, substitution.stderr)
        let folder = try CommandLineHarness.run(["check", "--stream", directory.path])
        XCTAssertEqual(folder.status, 1)
        XCTAssertTrue(folder.stderr.contains("is a directory"), folder.stderr)
    }

    func testHugeDynamicRangeAndOverflowingValuesGiveAnAnswer() throws {
        let range = try write("1\n10\n100\n1e3\n1e4\n1e50\n1e100\n1e200\n1e250\n1e300\n", "a.txt")
        XCTAssertEqual(try CommandLineHarness.run(["check", range]).status, 0)
        let tiny = try shell("\"$NS\" generate pareto --alpha 0.01 --count 2000 --seed 1 | \"$NS\" check - > /dev/null")
        XCTAssertEqual(tiny.status, 0, tiny.stderr)
        // Near the largest double the mean overflows: JSON says null and names the field.
        let big = try write((0..<12).map { String(format: "%.17g", 1.7e308 * (0.5 + Double($0) / 30)) }.joined(separator: "\n"), "big.txt")
        let result = try CommandLineHarness.run(["check", big, "--json", "--bootstrap", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let nonfinite = try XCTUnwrap(json["nonfinite"] as? [String: String])
        XCTAssertFalse(nonfinite.isEmpty)
        for (path, what) in nonfinite {
            XCTAssertTrue(["+inf", "-inf", "nan"].contains(what), path)
            var node: Any? = json
            for key in path.split(separator: ".") { node = (node as? [String: Any])?[String(key)] }
            XCTAssertTrue(node is NSNull, "\(path) should be null")
        }
        XCTAssertLessThan((json["summary"] as? [String: Any])?["median"] as? Double ?? .infinity, 1.8e308, "the median does not overflow")
    }

    func testFlagsAreValidatedBeforeAnyWork() throws {
        let out = directory.appendingPathComponent("never").path
        let cases: [([String], String)] = [
            (["measure", "--batch", "0"], "--batch must be between 1"),
            (["measure", "--batch=-3"], "--batch must be between 1"),
            (["measure", "--heads", "0"], "--heads must be between 1"),
            (["measure", "--context", "0"], "--context must be between 1"),
            (["measure", "--layers=-1"], "--layers must be between 1"),
            (["measure", "--width", "0"], "--width must be between 1"),
            (["measure", "--bootstrap=-1"], "--bootstrap must be between 0"),
            (["measure", "--model", "logreg", "--width", "8"], "logreg has no width"),
            (["measure", "--model", "resmlp", "--heads", "2"], "--heads: resmlp has no heads to set; it applies to tinygpt only"),
            (["train", "--checkpoint-every", "0"], "--checkpoint-every must be between 1"),
            (["train", "--checkpoint-every=-1"], "--checkpoint-every must be between 1"),
            (["train", "--noise-every", "0"], "--noise-every must be between 1"),
            (["train", "--noise-samples", "5"], "--noise-samples must be between 10"),
            (["simulate", "--replicates", "4000000000000000000"], "--replicates must be between 1"),
            (["bench", "--seconds=-1"], "--seconds must be"),
            (["bench", "--seconds", "nan"], "The value 'nan' is invalid for '--seconds <seconds>': not a decimal number"),
            (["generate", "pareto", "--xmin", "inf"], "The value 'inf' is invalid for '--xmin <xmin>': not a decimal number"),
            (["check", "-", "--bootstrap=-1"], "--bootstrap must be between 0"),
            (["check", "-", "--top", "8"], "--top must be at least 16"),
        ]
        for (arguments, expected) in cases {
            let started = Date()
            let result = try CommandLineHarness.run(arguments + (["measure", "train", "simulate"].contains(arguments[0]) ? ["--out", out] : []), stdin: "")
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertLessThan(Date().timeIntervalSince(started), 20, "refused before any work: \(arguments)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testSizesThatCannotFitAreRefusedWithTheFigure() throws {
        for arguments in [["measure", "--width", "100000"], ["measure", "--batch", "1000000"], ["check", "-", "--stream", "--top", "1000000000"],
                          ["reference", "--samples", "1000000000000"], ["train", "--width", "65536", "--layers", "64"]] {
            let result = try CommandLineHarness.run(arguments + (arguments[0] == "measure" || arguments[0] == "train" ? ["--out", directory.appendingPathComponent("x").path] : []), stdin: "")
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains("needs about") && result.stderr.contains("this machine has"), "\(arguments): \(result.stderr)")
        }
    }

    func testClosedPipeIsQuietAndAFullDiskIsOneLine() throws {
        let pipe = try shell("set -o pipefail; \"$NS\" generate pareto --count 2000000 --seed 1 | head -1 > /dev/null")
        XCTAssertEqual(pipe.status, 0, pipe.stderr)
        XCTAssertEqual(pipe.stderr, "")
        let checkPipe = try shell("set -o pipefail; \"$NS\" check \(try write(pareto.joined(separator: "\n"), "p.txt")) --bootstrap 0 | head -c 1 > /dev/null")
        XCTAssertEqual(checkPipe.status, 0, checkPipe.stderr)
        let full = try shell("\"$NS\" generate pareto --count 100000 > /dev/full")
        XCTAssertEqual(full.status, 1)
        XCTAssertEqual(full.stderr, "noisescope: error: cannot write the output: No space left on device\n")
        // A file output on a failing device leaves no partial file behind.
        let output = directory.appendingPathComponent("out.txt").path
        XCTAssertEqual(try CommandLineHarness.run(["generate", "pareto", "--count", "50", "-o", output]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").count, 50)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }, [])
    }

    func testPlotIsAllOrNothingAndAFileOutputIsNeverADirectory() throws {
        let plot = directory.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plot.appendingPathComponent("summary.svg"), withIntermediateDirectories: true)
        let result = try CommandLineHarness.run(["check", try write(pareto.joined(separator: "\n"), "p.txt"), "--plot", plot.path, "--bootstrap", "0"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("is a directory"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: plot.path), ["summary.svg"], "no figure written when one fails")
        let report = try CommandLineHarness.run(["check", try write(pareto.joined(separator: "\n"), "q.txt"), "-o", directory.path])
        XCTAssertEqual(report.status, 1)
        XCTAssertTrue(report.stderr.contains("it is a directory; give a file path"), report.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }, [])
    }

    /// --plot-format svg,pdf,png: every figure in each format, PDF and PNG the same
    /// bytes on a second run; an unknown format is refused before any work.
    func testPlotFormatsAreDeterministic() throws {
        let samples = try write(pareto.joined(separator: "\n"), "p.txt")
        func plot(_ name: String) throws -> String {
            let folder = directory.appendingPathComponent(name).path
            let result = try CommandLineHarness.run(["check", samples, "--plot", folder, "--plot-format", "svg,pdf,png", "--bootstrap", "0"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return folder
        }
        let a = try plot("a"), b = try plot("b")
        let files = try FileManager.default.contentsOfDirectory(atPath: a).sorted()
        XCTAssertEqual(files.count, 15)
        for name in files { XCTAssertEqual(FileManager.default.contents(atPath: a + "/" + name), FileManager.default.contents(atPath: b + "/" + name), name) }
        XCTAssertEqual(Array(FileManager.default.contents(atPath: a + "/summary.pdf")!.prefix(5)), Array("%PDF-".utf8))
        XCTAssertEqual(Array(FileManager.default.contents(atPath: a + "/summary.png")!.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let bad = try CommandLineHarness.run(["check", samples, "--plot", directory.appendingPathComponent("c").path, "--plot-format", "svg,jpeg"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("unknown figure format 'jpeg'"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("c").path))
    }
}
