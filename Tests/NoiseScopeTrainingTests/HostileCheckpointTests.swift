import Foundation
import NoiseScopeModels
import NoiseScopeSampling
import XCTest
@testable import NoiseScopeTraining

/// Every hostile checkpoint of tools/fuzz/crashes/checkpoint (each once a
/// crash): refused with one line that names the problem, before a model is built.
final class HostileCheckpointTests: XCTestCase {
    static let crashes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/fuzz/crashes/checkpoint")

    func refusal(_ name: String) -> String? {
        do { _ = try Checkpoint.read(path: Self.crashes.appendingPathComponent(name).path); return nil } catch { return "\(error)" }
    }

    func testHostileHeadersAreRefusedWithTheirReason() {
        let expected: [String: String] = [
            "header-length-2^63": "header length 9223372036854775808 is implausible",
            "header-length-2^64-1": "header length 18446744073709551615 is implausible",
            "header-length-int-max": "header length 9223372036854775807 is implausible",
            "shape-2^62x4": "impossibly large",
            "shape-negative": "has a negative size",
            "vector-count-negative": "has a negative length",
            "vector-count-huge": "impossibly large",
            "step-negative": "step -3 is negative",
            "batch-zero": "the minibatch size must be between 1",
            "batch-negative": "the minibatch size must be between 1",
            "batch-absurd": "the minibatch size must be between 1",
            "heads-zero": "the number of attention heads must be between 1",
            "width-absurd": "needs about",
        ]
        for (name, words) in expected {
            let message = refusal(name)
            XCTAssertNotNil(message, "\(name) was accepted")
            XCTAssertTrue(message?.contains(words) ?? false, "\(name): \(message ?? "")")
            XCTAssertFalse(message?.contains("\n") ?? true, name)
        }
    }

    /// A renamed or missing optimizer vector passes the file checks (the payload
    /// is intact) and is refused when training resumes, not trapped on.
    func testAnOptimizerStateThatDoesNotMatchIsRefusedOnResume() throws {
        for name in ["vector-renamed", "vector-missing"] {
            guard let checkpoint = try? Checkpoint.read(path: Self.crashes.appendingPathComponent(name).path) else {
                continue  // refused already by the payload size: also fine
            }
            XCTAssertThrowsError(try Trainer(recipe: checkpoint.header.recipe, optimizer: .adam, settings: .defaults(for: .adam),
                                             options: .init(steps: 10, batchSize: 16), resumeFrom: checkpoint)) { error in
                XCTAssertTrue("\(error)".contains("does not match what adam keeps"), "\(name): \(error)")
            }
        }
    }
}
