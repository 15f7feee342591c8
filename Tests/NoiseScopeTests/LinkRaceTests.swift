import CGSL
import Foundation
import XCTest
@testable import NoiseScope
import NoiseScopeStatistics

/// A run directory whose file is swapped, over and over, between a regular
/// file and a symbolic link to a file outside it (renameat2 exchange, from a
/// second thread). Reads through `RunDirectory` must return the directory's
/// own values or refuse the link; they must never return the outside file's.
/// The control, a plain path read that follows links, shows the race is real.
final class LinkRaceTests: XCTestCase {
    func testRunDirectoryReadsNeverFollowALinkSwappedInDuringTheRead() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("noisescope-race-\(UUID().uuidString)")
        let run = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let secret = root.appendingPathComponent("secret.txt")
        try Data("777\n777\n777\n".utf8).write(to: secret)
        let target = run.appendingPathComponent("norms.txt")
        try Data("1\n2\n3\n".utf8).write(to: target)
        let swap = root.appendingPathComponent("swap")
        try FileManager.default.createSymbolicLink(at: swap, withDestinationURL: secret)

        let stop = StopFlag()
        let racer = Thread {
            while !stop.isSet { _ = noisescope_exchange_paths(target.path, swap.path) }
        }
        racer.start()
        defer { stop.set(); while !racer.isFinished { usleep(1000) } }

        let directory = RunDirectory(path: run.path)
        var own = 0, refused = 0, leakedThroughRunDirectory = 0, leakedThroughPlainPath = 0
        for _ in 0..<3000 {
            do {
                let values = try directory.samples("norms.txt", SampleReader(format: .text)).values
                if values == [1, 2, 3] { own += 1 } else if values.contains(777) { leakedThroughRunDirectory += 1 }
            } catch {
                refused += 1
                let message = "\(error)"
                XCTAssertTrue(["symbolic link", "no such file", "no norms.txt", "changed while being opened", "disappeared while"].contains { message.contains($0) }, message)
            }
            if let values = try? SampleReader(format: .text).read(path: target.path).values, values.contains(777) {
                leakedThroughPlainPath += 1
            }
        }
        XCTAssertEqual(leakedThroughRunDirectory, 0, "a read inside the run directory followed a link")
        XCTAssertGreaterThan(own, 0)
        XCTAssertGreaterThan(refused, 0, "the swap never landed during a read: the race was not exercised")
        XCTAssertGreaterThan(leakedThroughPlainPath, 0, "control: a path read that follows links should have leaked")
    }
}

/// The racing thread's stop signal.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
