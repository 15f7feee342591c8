import Foundation
import XCTest

/// The binary outside its source tree: copied alone it names where it looked
/// for its data; beside an install prefix's `share/noisescope/data` (the
/// layout of scripts/install and of the wheel), or through a symlink to it, it
/// runs; NOISESCOPE_DATA_DIR overrides both. And `--version`.
final class InstallLayoutTests: XCTestCase {
    /// The environment without the override, so the tests see what a user's shell gives.
    var plainEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "NOISESCOPE_DATA_DIR" }
    }

    /// A prefix with bin/noisescope (a copy of the built binary) and, if asked, the data.
    func makePrefix(withData: Bool) throws -> URL {
        let prefix = try CommandLineHarness.temporaryDirectory()
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CommandLineHarness.binary, to: bin.appendingPathComponent("noisescope"))
        if withData {
            let share = prefix.appendingPathComponent("share/noisescope")
            try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
            let built = CommandLineHarness.binary.deletingLastPathComponent()
                .appendingPathComponent("noisescope_NoiseScopeModels.resources/BundledData")
            try FileManager.default.copyItem(at: built, to: share.appendingPathComponent("data"))
        }
        return prefix
    }

    func testCopiedAloneItNamesEveryPlaceItSearched() throws {
        let prefix = try makePrefix(withData: false)
        defer { try? FileManager.default.removeItem(at: prefix) }
        let out = prefix.appendingPathComponent("out").path
        let result = try CommandLineHarness.run(["measure", "--model", "logreg", "--samples", "20", "--out", out],
                                                executable: prefix.appendingPathComponent("bin/noisescope"),
                                                environment: plainEnvironment)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("bundled data file digits.csv not found"), result.stderr)
        XCTAssertTrue(result.stderr.contains(prefix.appendingPathComponent("share/noisescope/data").path), result.stderr)
        XCTAssertTrue(result.stderr.contains("noisescope_NoiseScopeModels.resources"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testInstalledLayoutRunsFromAnywhereAndThroughASymlink() throws {
        let prefix = try makePrefix(withData: true)
        defer { try? FileManager.default.removeItem(at: prefix) }
        let data = prefix.appendingPathComponent("share/noisescope/data").resolvingSymlinksInPath().path
        // A link in another folder, as a user's ~/bin/noisescope would be.
        let elsewhere = try CommandLineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let link = elsewhere.appendingPathComponent("noisescope")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: prefix.appendingPathComponent("bin/noisescope"))
        for executable in [prefix.appendingPathComponent("bin/noisescope"), link] {
            let version = try CommandLineHarness.run(["--version", "--json"], executable: executable, environment: plainEnvironment)
            XCTAssertEqual(version.status, 0, version.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(version.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["data_directory"] as? String, data)
        }
        let out = elsewhere.appendingPathComponent("out")
        let measure = try CommandLineHarness.run(["measure", "--model", "logreg", "--samples", "30", "--out", out.path],
                                                 executable: link, environment: plainEnvironment)
        XCTAssertEqual(measure.status, 0, measure.stderr)
        let norms = try Data(contentsOf: out.appendingPathComponent("noise_norms.npy"))
        XCTAssertEqual(norms.count, 128 + 30 * 8, "an NPY header of 128 bytes and 30 float64 norms")
    }

    func testDataDirectoryOverrideWins() throws {
        let prefix = try makePrefix(withData: true)
        defer { try? FileManager.default.removeItem(at: prefix) }
        let empty = try CommandLineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        var environment = plainEnvironment
        environment["NOISESCOPE_DATA_DIR"] = empty.path
        let version = try CommandLineHarness.run(["--version"], executable: prefix.appendingPathComponent("bin/noisescope"), environment: environment)
        XCTAssertTrue(version.stdout.contains("bundled data  \(empty.path) (missing:"), version.stdout)
        let result = try CommandLineHarness.run(["measure", "--samples", "20", "--out", empty.appendingPathComponent("o").path],
                                                executable: prefix.appendingPathComponent("bin/noisescope"), environment: environment)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("prideprejudice.txt not found (searched \(empty.path))"), result.stderr)
    }

    func testVersionNamesReleaseAndLibraries() throws {
        let text = try CommandLineHarness.run(["--version"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("noisescope 0.5.0\n"), text.stdout)
        let json = try CommandLineHarness.run(["--version", "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["version", "commit", "gsl", "openblas", "blas_kernels", "cblas_library", "data_directory", "data_found"])
        XCTAssertEqual(object["data_found"] as? Bool, true)
        XCTAssertEqual(object["version"] as? String, "0.5.0")
        // The GSL the package links is 2.x; OpenBLAS's configuration string starts with its name.
        XCTAssertTrue((object["gsl"] as? String)?.hasPrefix("2.") == true, "\(object)")
        XCTAssertTrue((object["openblas"] as? String)?.hasPrefix("OpenBLAS ") == true, "\(object)")
        XCTAssertNotEqual(object["blas_kernels"] as? String, "unknown")
        // The root's --version must not take a subcommand's own --json (it once did).
        let check = try CommandLineHarness.run(["check", "-", "--json"], stdin: (1...600).map { "\($0)" }.joined(separator: "\n"))
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(try CommandLineHarness.run(["--json"]).status, 1)
    }
}
