import Foundation
import XCTest

/// `noisescope check` end to end: the JSON contract, determinism, and every
/// bad input giving one line on stderr, exit status 1 and no output file.
final class CheckCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ text: String, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testJSONContractOnParetoSample() throws {
        let generated = try CommandLineHarness.run(["generate", "pareto", "--alpha", "1.5", "--count", "10000", "--seed", "3"])
        XCTAssertEqual(generated.status, 0)
        let path = try write(generated.stdout, "pareto.txt")
        let result = try CommandLineHarness.run(["check", path, "--json", "--bootstrap", "20"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["n"] as? Int, 10000)
        XCTAssertEqual(json["verdict"] as? String, "infinite-variance")
        let hill = try XCTUnwrap(json["hill"] as? [String: Any])
        let alpha = try XCTUnwrap(hill["alpha"] as? Double)
        let k = try XCTUnwrap(hill["k"] as? Int)
        XCTAssertEqual(alpha, 1.5, accuracy: 4 * 1.5 / Double(k).squareRoot())
        XCTAssertEqual((hill["ci95"] as? [Double])?.count, 2)
        let moments = try XCTUnwrap(json["moments"] as? [String: Any])
        XCTAssertNotNil(moments["gamma"] as? Double)
        XCTAssertEqual((moments["ci95"] as? [Any])?.count, 2)
        let powerLaw = try XCTUnwrap(json["powerlaw"] as? [String: Any])
        for key in ["density_exponent", "alpha", "xmin", "sigma", "gof_p"] { XCTAssertNotNil(powerLaw[key] as? Double, key) }
        XCTAssertEqual(powerLaw["density_exponent"] as! Double, (powerLaw["alpha"] as! Double) + 1, accuracy: 1e-12)
        XCTAssertNotNil(powerLaw["n_tail"] as? Int)
        for test in ["vs_lognormal", "vs_exponential"] {
            let lr = try XCTUnwrap(powerLaw[test] as? [String: Any], test)
            XCTAssertNotNil(lr["R"] as? Double)
            XCTAssertNotNil(lr["p"] as? Double)
        }
        // Same seed, same bytes.
        XCTAssertEqual(try CommandLineHarness.run(["check", path, "--json", "--bootstrap", "20"]).stdout, result.stdout)
    }

    /// --plot writes the four figures; each is well-formed XML (xmllint) and
    /// renders (rsvg-convert), and the summary names the verdict.
    func testPlotWritesFourValidFigures() throws {
        let generated = try CommandLineHarness.run(["generate", "abs-student-t", "--nu", "3", "--count", "10000", "--seed", "2"])
        let path = try write(generated.stdout, "t3.txt")
        let plots = directory.appendingPathComponent("plots").path
        let result = try CommandLineHarness.run(["check", path, "--bootstrap", "0", "--plot", plots])
        XCTAssertEqual(result.status, 0, result.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: plots).sorted()
        XCTAssertEqual(names, ["hill_plot.svg", "histogram.svg", "summary.svg", "tail_ccdf.svg", "threshold_stability.svg"])  // before the PNG renders below
        for name in names {
            let file = plots + "/" + name
            for tool in [["/usr/bin/xmllint", "--noout", file], ["/usr/bin/rsvg-convert", "-o", file + ".png", file]] {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: tool[0])
                process.arguments = Array(tool.dropFirst())
                try process.run()
                process.waitUntilExit()
                XCTAssertEqual(process.terminationStatus, 0, "\(tool[0]) failed on \(name); install with scripts/install-dependencies")
            }
        }
        let summary = try String(contentsOfFile: plots + "/summary.svg", encoding: .utf8)
        XCTAssertTrue(summary.contains("Tail check: heavy (n = 10000)"))
    }

    func testStdinAndHumanSummary() throws {
        let generated = try CommandLineHarness.run(["generate", "exponential", "--count", "6000", "--seed", "1"])
        let result = try CommandLineHarness.run(["check", "-", "--bootstrap", "0"], stdin: generated.stdout)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("n = 6000"))
        XCTAssertTrue(result.stdout.contains("verdict: light"), result.stdout)
        // Below n = 5000 the same tail is not called light: too few samples to rule out a thin power law.
        let small = try CommandLineHarness.run(["check", "-", "--bootstrap", "0"],
                                              stdin: try CommandLineHarness.run(["generate", "exponential", "--count", "3000", "--seed", "1"]).stdout)
        XCTAssertTrue(small.stdout.contains("verdict: inconclusive — looks light, but n = 3000 < 5000"), small.stdout)
    }

    func testOutputFileIsWrittenOnlyOnSuccess() throws {
        let good = try write((1...200).map { "\(pow(Double($0), 1.3))" }.joined(separator: "\n"), "good.txt")
        let output = directory.appendingPathComponent("verdict.json").path
        XCTAssertEqual(try CommandLineHarness.run(["check", good, "--json", "--bootstrap", "0", "-o", output]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output))
        try FileManager.default.removeItem(atPath: output)
        let bad = try write("1\n2\nx\n", "bad.txt")
        let failed = try CommandLineHarness.run(["check", bad, "--json", "-o", output])
        XCTAssertEqual(failed.status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["bad.txt", "good.txt"])
    }

    /// Each bad input: exit 1, exactly one line on stderr naming the problem.
    func testBadInputsGiveOneLineErrors() throws {
        let cases: [(arguments: [String], expected: String)] = [
            (["check", try write("", "empty.txt")], "need at least 10 positive samples to estimate a tail, got 0"),
            (["check", try write("3.5\n", "one.txt")], "got 1"),
            (["check", try write("1\n2\nabc\n", "text.txt")], "text.txt line 3: 'abc' is not a number"),
            (["check", try write((1...20).map(String.init).joined(separator: "\n") + "\nnan\n", "nan.txt"), "--invalid", "refuse"], "nan.txt line 21 is missing or NaN"),
            (["check", try write("a,b\n1,2\n", "t.csv"), "--column", "c"], "t.csv has no column named 'c'"),
            (["check", try write((1...30).map(String.init).joined(separator: "\n"), "k.txt"), "--k", "40"], "k = 40 is out of range"),
            (["check", directory.appendingPathComponent("missing.txt").path], "missing.txt: no such file; check the path"),
            (["check", try write("not numpy", "bad.npy")], "not a NumPy .npy file"),
        ]
        for (arguments, expected) in cases {
            let result = try CommandLineHarness.run(arguments)
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(expected), "stderr was: \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "stderr was: \(result.stderr)")
            XCTAssertTrue(result.stdout.isEmpty)
        }
    }

    /// `check --discrete` on CSN's Moby Dick word counts: the JSON carries the
    /// discrete fit (Table 6.1: xmin 7, n_tail 2958, α 1.95) beside the
    /// continuous one, and the summary prints it; without the flag a note
    /// suggests it; with non-integers it is refused in one line.
    func testDiscretePowerLaw() throws {
        let words = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../NoiseScopeStatisticsTests/Fixtures/discrete/words.txt").standardized.path
        let result = try CommandLineHarness.run(["check", words, "--discrete", "--json", "--bootstrap", "20"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("--discrete"), "no suggestion when it is on: \(result.stderr)")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertNotNil(json["powerlaw"] as? [String: Any], "the continuous fit stays")
        let discrete = try XCTUnwrap(json["discrete_powerlaw"] as? [String: Any])
        XCTAssertEqual(discrete["xmin"] as? Int, 7)
        XCTAssertEqual(discrete["n_tail"] as? Int, 2958)
        XCTAssertEqual(try XCTUnwrap(discrete["mass_exponent"] as? Double), 1.9527275116735827, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(discrete["ks_distance"] as? Double), 0.008252953085267092, accuracy: 1e-6)
        XCTAssertNotNil(discrete["gof_p"] as? Double)
        for test in ["vs_lognormal", "vs_exponential", "vs_poisson"] { XCTAssertNotNil((discrete[test] as? [String: Any])?["normalized_R"] as? Double, test) }
        XCTAssertEqual(try XCTUnwrap((discrete["vs_exponential"] as? [String: Any])?["normalized_R"] as? Double), 9.143611709699265, accuracy: 1e-4)
        XCTAssertEqual(try CommandLineHarness.run(["check", words, "--discrete", "--json", "--bootstrap", "20"]).stdout, result.stdout, "same seed, same bytes")

        let text = try CommandLineHarness.run(["check", words, "--discrete", "--bootstrap", "0"])
        XCTAssertTrue(text.stdout.contains("Discrete power law α = 0.9527 ± 0.01753 above xmin = 7 (n_tail = 2958"), text.stdout)
        let plain = try CommandLineHarness.run(["check", words, "--bootstrap", "0", "--json"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("every sample is a positive integer, with ties"), plain.stderr)
        XCTAssertEqual(plain.stderr.split(separator: "\n").count, 1, "one note line: \(plain.stderr)")
        XCTAssertNil((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])?["discrete_powerlaw"])

        let reals = try write((1...50).map { "\(Double($0) + 0.5)" }.joined(separator: "\n"), "reals.txt")
        let refused = try CommandLineHarness.run(["check", reals, "--discrete"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("the discrete power law needs positive integer samples"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
    }

    func testDroppedValuesAreCountedAndReported() throws {
        let values = (1...100).map { "\(pow(Double($0), 1.1))" } + ["0", "-1", "inf"]
        let result = try CommandLineHarness.run(["check", try write(values.joined(separator: "\n"), "d.txt"), "--json", "--bootstrap", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("dropped 1 NaN/Inf and 2 zero or negative values"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["n"] as? Int, 100)
        XCTAssertEqual((json["dropped"] as? [String: Int])?["nonpositive"], 2)
    }
}
