import Foundation
import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeStatistics
import XCTest
@testable import NoiseScopeSampling

/// `measure`'s class-frequency tail: the per-class target counts are the
/// corpus's own (counted here from the file's bytes), and on word tokens the
/// frequencies follow Zipf's law, a discrete power law of tail index near 1.
final class ClassFrequencyTailTests: XCTestCase {
    func testByteCountsAreTheNovelsByteHistogram() throws {
        let model = try ModelCatalog.makeModel(.tinygpt, data: .text, batchSize: 2, seed: 1, overrides: WordTokensTests.small)
        let tail = try XCTUnwrap(ClassFrequencyTail.measure(model, examples: model.exampleCount, bootstrap: 0, seed: 0))
        let novel = try TextCorpus.bytes(of: ModelCatalog.dataDirectory.appendingPathComponent("prideprejudice.txt"))
        // Targets are bytes 1 … windows·T of the file (each window predicts the next T bytes).
        let covered = model.exampleCount * 16
        var histogram = [Int](repeating: 0, count: 256)
        for byte in novel[1...covered] { histogram[Int(byte)] += 1 }
        XCTAssertEqual(tail.classes, 256)
        XCTAssertEqual(tail.targets, covered)
        XCTAssertEqual(tail.occurringClasses, histogram.filter { $0 > 0 }.count)
        XCTAssertEqual(tail.fit, DiscretePowerLawFitter(bootstrapReplicates: 0).fit(histogram.filter { $0 > 0 }.map(Double.init)))
    }

    func testWordFrequenciesFollowZipf() throws {
        let model = try ModelCatalog.makeModel(.tinygpt, data: .words, batchSize: 2, seed: 1, overrides: WordTokensTests.small)
        let tail = try XCTUnwrap(ClassFrequencyTail.measure(model, examples: model.exampleCount, bootstrap: 0, seed: 0))
        XCTAssertEqual(tail.classes, 4096)
        let fit = try XCTUnwrap(tail.fit)
        // Zipf: the r-th most frequent word occurs ∝ 1/r times, so P(count ≥ c) ∝ 1/c.
        XCTAssertEqual(fit.alpha, 1, accuracy: 0.3, "tail index of word counts \(fit.alpha)")
        XCTAssertGreaterThan(fit.tailCount, 200)
        XCTAssertTrue(tail.summaryLine.contains("class frequencies: discrete power law"))
        // A model without class targets has no such tail.
        let regression = try ModelCatalog.makeModel(.linreg, data: ModelCatalog.defaultData(for: .linreg), batchSize: 4, seed: 1)
        XCTAssertNil(ClassFrequencyTail.measure(regression, examples: regression.exampleCount, bootstrap: 0, seed: 0))
    }
}
