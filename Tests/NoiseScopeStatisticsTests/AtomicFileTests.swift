import NoiseScopeCore
import Foundation
import XCTest
@testable import NoiseScopeStatistics

/// Writing output files atomically: complete file or nothing, no temporary files left behind.
final class AtomicFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("noisescope-atomic-\(ProcessInfo.processInfo.processIdentifier)-\(name.hashValue)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testWritesTheFileAndLeavesNoTemporaryFile() throws {
        let text = "<svg>α ≥ 2</svg>\n"
        let url = directory.appendingPathComponent("figure.svg")
        try AtomicFile.write(text, to: url.path)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), text)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["figure.svg"])
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o644)
    }

    func testReplacesAnExistingFile() throws {
        let url = directory.appendingPathComponent("figure.svg")
        try Data("old".utf8).write(to: url)
        try AtomicFile.write(Data("new contents".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "new contents")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["figure.svg"])
    }

    func testFailureLeavesTheDestinationUntouched() throws {
        let missing = directory.appendingPathComponent("no-such-directory/figure.svg")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: missing)) { error in
            XCTAssertTrue("\(error)".contains("no-such-directory does not exist; create it first"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing.path))

        // Renaming onto a directory fails after the temporary file was written: it must be removed.
        let occupied = directory.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied.appendingPathComponent("child"),
                                                withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: occupied))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["occupied"])
    }
}
