import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// `--seed` seeds the goodness-of-fit bootstrap and the choice of k for the
/// estimators shown beside the verdict, never the verdict: over 10 seeds, with
/// and without `--dependent`, the verdict, its α̂ and its interval are the same
/// bits on cases near every boundary (α near 2, lognormal-like, a mixture, a
/// dependent series).
final class SeedStabilityTests: XCTestCase {
    func testVerdictDoesNotDependOnTheSeed() throws {
        let tuning = ["|t| 1.8", "|SαS| 1.8", "fréchet 1.5", "lognormal σ=2", "95 % χ10 + 5 % pareto 1.5", "exponential"]
        var samples = try tuning.map { name in
            let index = try XCTUnwrap(CalibrationBattery.cases.firstIndex { $0.name == name }, name)
            return (name, CalibrationBattery.sample(index, n: 5000, seed: 77))
        }
        let garch = try XCTUnwrap(CalibrationBattery.heldOut.firstIndex { $0.name == "|GARCH a=0.8 b=0.3|" })
        samples.append(("|GARCH a=0.8 b=0.3|", CalibrationBattery.sample(garch, n: 5000, seed: 77, kind: .heldOut)))
        var compared = 0
        for (name, sample) in samples {
            for dependent in [false, true] {
                var verdicts = Set<String>()
                for seed in UInt64(0)..<10 {
                    var options = TailCheck.Options(seed: seed, bootstrapReplicates: 0)
                    options.dependent = dependent
                    let report = try TailCheck.run(sample, options: options)
                    let interval = report.evidence.alphaInterval95
                    verdicts.insert("\(report.verdict.rawValue) \(report.evidence.alpha?.bitPattern ?? 0) \(interval?.lower?.bitPattern ?? 0) \(interval?.upper?.bitPattern ?? 0)")
                    compared += 1
                }
                XCTAssertEqual(verdicts.count, 1, "\(name), dependent \(dependent): \(verdicts)")
            }
        }
        XCTAssertEqual(compared, 7 * 2 * 10)
    }
}
