import Foundation
import NoiseScope
import NoiseScopeCore
import NoiseScopeStatistics
import XCTest

/// Every printed interval says what it is worth: the verdict's interval comes
/// first (console, JSON, report) with the coverage calibrate measured for it,
/// plain Hill's says it is exact only for a pure Pareto, the rest are nominal.
final class IntervalLabelTests: XCTestCase {
    func report() throws -> TailCheckReport {
        let samples = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 20_000, seed: 3)
        return try TailCheck.run(samples, options: .init(seed: 0, bootstrapReplicates: 0))
    }

    func testTheVerdictsIntervalComesFirstWithItsMeasuredCoverage() throws {
        let check = try report()
        let interval = try XCTUnwrap(check.evidence.alphaInterval95)
        let console = check.humanReadableSummary(source: "pareto")
        let verdictLine = try XCTUnwrap(console.range(of: "Verdict's estimate"))
        let hillLine = try XCTUnwrap(console.range(of: "  Hill "))
        XCTAssertLessThan(verdictLine.lowerBound, hillLine.lowerBound, console)
        let measured = try XCTUnwrap(MeasuredCoverage.verdictInterval.nearest(n: check.n))
        XCTAssertEqual(measured.n, 10_000)
        XCTAssertTrue(console.contains(String(format: "covered the true α in %.1f %% (%d of %d)", 100 * measured.rate, measured.covered, measured.total)), console)
        XCTAssertTrue(console.contains("exact only for a pure Pareto (measured coverage"), console)
        XCTAssertTrue(console.contains("Other estimators (their intervals nominal 95 %)"), console)
        XCTAssertFalse(console.contains("exact under a Pareto tail"))

        // The JSON: the verdict's α and interval at the top, with the coverage object.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(JSONOutput.encode(check).utf8)) as? [String: Any])
        // (Foundation's JSON reader may round the last bit.)
        XCTAssertEqual(try XCTUnwrap(json["alpha"] as? Double), try XCTUnwrap(check.evidence.alpha), accuracy: 1e-12)
        let printed = try XCTUnwrap(json["alpha_interval95"] as? [Double])
        XCTAssertEqual(printed[0], try XCTUnwrap(interval.lower), accuracy: 1e-12)
        XCTAssertEqual(printed[1], try XCTUnwrap(interval.upper), accuracy: 1e-12)
        let coverage = try XCTUnwrap(json["alpha_interval_coverage"] as? [String: Any])
        XCTAssertEqual(coverage["n"] as? Int, 10_000)
        XCTAssertEqual(coverage["covered"] as? Int, measured.covered)

        // The report's glance: the verdict's row first.
        let glance = RunReport.glance(for: check)
        XCTAssertTrue(glance.first?.0.hasPrefix("Verdict's α̂") ?? false, "\(glance)")
        XCTAssertTrue(glance.contains { $0.1.contains("exact only for a pure Pareto") })
    }

    /// The nearest calibrated size on a log scale.
    func testNearestSize() {
        let coverage = MeasuredCoverage(measurements: [.init(n: 1000, covered: 9, total: 10), .init(n: 10_000, covered: 8, total: 10)])
        XCTAssertEqual(coverage.nearest(n: 3000)?.n, 1000)
        XCTAssertEqual(coverage.nearest(n: 3500)?.n, 10_000)
        XCTAssertEqual(coverage.short(n: 50), "measured coverage 90 % at n = 1000")
    }
}
