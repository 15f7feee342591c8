import Foundation
import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// `light` reads the whole threshold-stability curve, not one k: a range of k
/// where the generalised Pareto shape is clearly positive is not light.
final class ThresholdStabilityVerdictTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled tinygpt run on text: its threshold-stability figure shows ξ̂
    /// between 0.13 and 0.28 with the band above 0 for k = 150–650; the verdict was
    /// `light` from the top 905 alone. Now it names that range.
    func testTheTinyGPTTextRunAgreesWithItsFigure() throws {
        let url = Self.repository.appendingPathComponent("notebooks-data/generated/figures/tinygpt-text/noise_norms.npy")
        let samples = try SampleReader().read(path: url.path).values
        XCTAssertEqual(samples.count, 5000)
        let report = try TailCheck.run(samples, options: .init(seed: 0, bootstrapReplicates: 0))
        XCTAssertNotEqual(report.verdict, .light, report.verdictReason)
        let range = try XCTUnwrap(report.evidence.lightTest?.positiveShapeRange)
        XCTAssertLessThanOrEqual(range[0], 200)
        XCTAssertGreaterThanOrEqual(range[1], 450)
        XCTAssertTrue(report.verdictReason.contains("above 0 at 95 % for k from \(range[0]) to \(range[1])"), report.verdictReason)
    }

    /// A positive-shape range that ends among the top few values is named as a
    /// cluster: the same tinygpt sample under a rule whose cluster size reaches 640.
    func testARangeAmongTheTopValuesIsNamedACluster() throws {
        let url = Self.repository.appendingPathComponent("notebooks-data/generated/figures/tinygpt-text/noise_norms.npy")
        let samples = try SampleReader().read(path: url.path).values
        var rule = TailVerdictRule()
        rule.clusterK = 700
        let decision = rule.decide(OrderStatistics(samples: samples), n: samples.count)
        XCTAssertEqual(decision.verdict, .inconclusive)
        XCTAssertTrue(decision.reason.hasPrefix("light body"), decision.reason)
        XCTAssertTrue(decision.reason.contains("values form a separate cluster"), decision.reason)
        XCTAssertTrue(decision.reason.contains("attribution.csv"), decision.reason)
    }

    /// Exponential samples stay light on most seeds (the run of three positive
    /// grid points is what keeps multiplicity from eating the recall).
    func testExponentialStaysLight() throws {
        let light = try (0..<8).filter { seed in
            let samples = SyntheticDistribution.exponential.sample(count: 10_000, seed: UInt64(20 + seed))
            return try TailCheck.run(samples, options: .init(seed: 0, bootstrapReplicates: 0)).verdict == .light
        }.count
        XCTAssertGreaterThanOrEqual(light, 7)
    }
}
