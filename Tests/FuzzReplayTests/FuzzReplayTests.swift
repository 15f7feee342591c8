import Foundation
import XCTest

/// Replays every input that ever crashed a reader (tools/fuzz/crashes/TARGET/)
/// and the seed corpus (tools/fuzz/corpus/TARGET/) through the fuzz targets:
/// each must return, not trap. A new crash found by tools/fuzz/run is
/// committed under crashes/ and so stays fixed.
final class FuzzReplayTests: XCTestCase {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tools/fuzz")

    func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let directory = Self.fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        return ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .sorted { $0.path < $1.path }
    }

    func testEveryCrashAndSeedReplaysWithoutTrapping() throws {
        var crashes = 0, seeds = 0
        for target in FuzzTarget.allCases {
            for url in inputs("crashes", target) { target.run([UInt8](try Data(contentsOf: url))); crashes += 1 }
            for url in inputs("corpus", target) { target.run([UInt8](try Data(contentsOf: url))); seeds += 1 }
            XCTAssertFalse(inputs("corpus", target).isEmpty, "no seed corpus for \(target.rawValue)")
        }
        // The reproducers are committed as crash inputs.
        XCTAssertGreaterThanOrEqual(crashes, 10)
        XCTAssertGreaterThan(seeds, 20)
        try? FileManager.default.removeItem(atPath: FuzzTarget.scratchPath)
    }
}
