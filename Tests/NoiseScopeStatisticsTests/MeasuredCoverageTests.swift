import Foundation
import XCTest
@testable import NoiseScopeStatistics

/// The coverage printed beside each interval is what calibrate measures: a
/// fresh subset of the battery (the pure power laws at n = 10⁴, seeds the
/// recorded run did not use) must agree with the recorded rates within three
/// binomial standard errors of the subset.
final class MeasuredCoverageTests: XCTestCase {
    func testRecordedCoverageAgreesWithAFreshSubset() throws {
        let pure = CalibrationBattery.cases.indices.filter { CalibrationBattery.cases[$0].family == .pure }
        XCTAssertGreaterThan(pure.count, 10)
        // Seeds 0..<12 made the recorded numbers; these are seeds 1000..<1003, never seen by it.
        let result = Calibration.run(sizes: [10_000], seeds: 3, firstSeed: 1000, indices: pure.map { $0 })
        let summary = try XCTUnwrap(result.summaries.first)
        func check(_ rate: Calibration.Rate, _ recorded: MeasuredCoverage, _ name: String) throws {
            let measured = try XCTUnwrap(rate.rate, name)
            let expected = try XCTUnwrap(recorded.nearest(n: 10_000)).rate
            let se = (expected * (1 - expected) / Double(rate.total)).squareRoot()
            XCTAssertEqual(measured, expected, accuracy: max(3 * se, 0.03), "\(name): \(rate.count)/\(rate.total) against \(expected)")
        }
        try check(summary.coverage, .verdictInterval, "verdict")
        try check(summary.hillCoverage, .hillInterval, "Hill")
        try check(summary.gpdCoverage, .gpdInterval, "GPD")
        // The headline: plain Hill's nominal 95 % is far from kept on tails that are not exactly Pareto.
        XCTAssertLessThan(try XCTUnwrap(summary.hillCoverage.rate), 0.85)
    }
}
