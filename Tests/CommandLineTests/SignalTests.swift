import Foundation
import XCTest

/// Signals and kills while a run writes: its output directory is always the
/// previous run or the complete new one, never a mixture, and what a stopped
/// run says matches what it left.
final class SignalTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func measureArguments(seed: Int, out: String) -> [String] {
        ["measure", "--model", "logreg", "--batch", "8", "--samples", "3000", "--seed", "\(seed)", "--out", out,
         "--bootstrap", "0", "--quiet", "--blas-kernels", "library"]
    }

    /// Waits, polling every 5 ms, until `condition` holds or `timeout` seconds
    /// pass: the tests stop a run at an event (a phase it has reached), not
    /// after a guessed sleep. Returns whether the condition held.
    @discardableResult
    func wait(upTo timeout: Double = 60, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    /// CPU seconds `pid` has used (utime + stime of /proc/PID/stat); 0 once it is gone.
    func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The moments a measure run is stopped at.
    enum Moment: CaseIterable { case atLaunch, measuring, writing }

    /// The files of a run that do not depend on the clock.
    func stableContents(_ path: String) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name != "summary.json" && !name.hasSuffix(".svg") {
            contents[name] = FileManager.default.contents(atPath: path + "/" + name)
        }
        return contents
    }

    func testSignalsAndKillsDuringMeasureLeaveTheOldRunOrTheNewOne() throws {
        let out = directory.appendingPathComponent("run").path, fresh = directory.appendingPathComponent("fresh").path
        XCTAssertEqual(try CommandLineHarness.run(measureArguments(seed: 1, out: out)).status, 0)
        XCTAssertEqual(try CommandLineHarness.run(measureArguments(seed: 2, out: fresh)).status, 0)
        let old = try stableContents(out), new = try stableContents(fresh)
        XCTAssertNotEqual(old["noise_norms.npy"], new["noise_norms.npy"])
        var outcomes: [String: Int] = [:]
        for signalNumber in [SIGINT, SIGTERM, SIGKILL] {
            for moment in Moment.allCases {
                let process = Process()
                process.executableURL = CommandLineHarness.binary
                process.arguments = measureArguments(seed: 2, out: out)
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                let pid = process.processIdentifier
                switch moment {
                case .atLaunch: break
                case .measuring: wait { !process.isRunning || cpuSeconds(pid) >= 0.2 }
                case .writing:  // its temporary directory exists: the files are being written
                    wait { !process.isRunning || ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).contains { $0.hasPrefix(".run.tmp-") } }
                }
                kill(pid, signalNumber)
                process.waitUntilExit()
                let now = try stableContents(out)
                let which = now == old ? "old" : now == new ? "new" : "torn"
                XCTAssertNotEqual(which, "torn", "signal \(signalNumber) at \(moment) left a mixed directory: \(now.keys.sorted())")
                outcomes[which, default: 0] += 1
                if which == "old" && signalNumber != SIGKILL {
                    XCTAssertNotEqual(process.terminationStatus, 0)
                    // Killed before its handler was installed, or stopped by it with the shell's status.
                    if process.terminationReason == .exit {
                        XCTAssertEqual(process.terminationStatus, 128 + signalNumber, "exit status of a stop by signal \(signalNumber)")
                    }
                }
                if which == "new" {  // put the old run back for the next try
                    try FileManager.default.removeItem(atPath: out)
                    XCTAssertEqual(try CommandLineHarness.run(measureArguments(seed: 1, out: out)).status, 0)
                }
                if signalNumber != SIGKILL {
                    let strays = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
                    XCTAssertEqual(strays, [], "a stopped run cleans up after itself")
                }
            }
        }
        XCTAssertGreaterThan(outcomes["old", default: 0], 0)
        // A run after a kill removes the temporary directory the killed one left.
        XCTAssertEqual(try CommandLineHarness.run(measureArguments(seed: 1, out: out)).status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }, [])
    }

    func testMeasureRefusesToReplaceADirectoryThatIsNotARun() throws {
        let precious = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: precious, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: precious.appendingPathComponent("thesis.tex"))
        let result = try CommandLineHarness.run(measureArguments(seed: 1, out: precious.path))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("is not a noisescope run directory"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: precious.path), ["thesis.tex"])
    }

    func testResumedTrainingWritesTheSameLossLogWhenCheckpointsFallBetweenRows() throws {
        let straight = directory.appendingPathComponent("straight").path, resumed = directory.appendingPathComponent("resumed").path
        let common = ["train", "--model", "logreg", "--optimizer", "adam", "--batch", "16", "--eval-every", "10", "--steps", "40",
                      "--quiet", "--blas-kernels", "library"]
        XCTAssertEqual(try CommandLineHarness.run(common + ["--checkpoint-every", "15", "--out", straight]).status, 0)
        try FileManager.default.createDirectory(atPath: resumed, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: straight + "/loss.csv", toPath: resumed + "/loss.csv")
        let again = try CommandLineHarness.run(common + ["--resume", straight + "/checkpoints/step-000015.ckpt", "--out", resumed])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: resumed + "/loss.csv", encoding: .utf8),
                       try String(contentsOfFile: straight + "/loss.csv", encoding: .utf8))
    }

    func testStoppedTrainingSaysWhatItKeptAndLeftoversAreCleaned() throws {
        let out = directory.appendingPathComponent("train").path
        try FileManager.default.createDirectory(atPath: out + "/checkpoints", withIntermediateDirectories: true)
        for stray in ["/checkpoints/.step-000010.ckpt.tmp-AbC123", "/.loss.csv.tmp-x1y2z3"] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: out + stray))
        }
        let process = Process()
        process.executableURL = CommandLineHarness.binary
        process.arguments = ["train", "--model", "resmlp", "--optimizer", "adam", "--batch", "32", "--steps", "1000000",
                             "--checkpoint-every", "50", "--eval-every", "50", "--out", out, "--quiet", "--blas-kernels", "library"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Stopped once its first checkpoint is on disk, so the message names it.
        XCTAssertTrue(wait { ((try? FileManager.default.contentsOfDirectory(atPath: out + "/checkpoints")) ?? []).contains { $0.hasPrefix("step-") && $0.hasSuffix(".ckpt") } },
                      "no checkpoint within a minute")
        process.terminate()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 143, stderr)
        XCTAssertTrue(stderr.contains("terminated (SIGTERM): stopped; at step"), stderr)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: out + "/checkpoints").sorted()
        XCTAssertFalse(checkpoints.contains { $0.hasPrefix(".") }, "temporary files are cleaned: \(checkpoints)")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out).contains { $0.contains(".tmp-") })
        let last = try XCTUnwrap(checkpoints.last)
        XCTAssertTrue(stderr.contains("continue with --resume \(out)/checkpoints/\(last)"), stderr)

        // Stopped while training, before any checkpoint: it says so.
        let early = Process()
        early.executableURL = CommandLineHarness.binary
        early.arguments = ["train", "--model", "resmlp", "--optimizer", "adam", "--batch", "32", "--steps", "1000000",
                           "--checkpoint-every", "1000000", "--eval-every", "50", "--out", out + "-early", "--quiet", "--blas-kernels", "library"]
        let earlyErrors = Pipe()
        early.standardError = earlyErrors
        try early.run()
        // Under way once its first loss row is on disk (its stop handler is installed before training starts).
        XCTAssertTrue(wait { FileManager.default.fileExists(atPath: out + "-early/loss.csv") }, "training never got under way")
        early.terminate()
        early.waitUntilExit()
        let earlyStderr = String(decoding: earlyErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(early.terminationStatus, 143, earlyStderr)
        XCTAssertTrue(earlyStderr.contains("no checkpoint was written yet"), earlyStderr)
    }
}
