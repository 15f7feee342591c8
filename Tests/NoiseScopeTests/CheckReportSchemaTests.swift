import Foundation
import NoiseScope
import NoiseScopeCore
import XCTest
import NoiseScopeStatistics

/// `check --json` against schemas/check-report.schema.json, the one contract
/// that the Python side (noisescope_torch.check, test_schemas.py) reads too:
/// on a power law with its goodness of fit, a light tail, a tiny sample, a
/// trajectory resampled by whole steps (the golden two-rank log), values
/// to drop and counts with the discrete fit; and mutated reports are
/// refused, so the check is not vacuous.
final class CheckReportSchemaTests: XCTestCase {
    let schema = try! JSONSchemaCheck(path: WorkflowTests.repository.appendingPathComponent("schemas/check-report.schema.json").path)

    func report(_ values: [Double], options: TailCheck.Options = TailCheck.Options(bootstrapReplicates: 20)) throws -> [String: Any] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.txt")
        try values.map { NumberText.exact($0) }.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        var request = CheckRequest(files: [file.path])
        request.options = options
        request.invalid = .drop
        let outcome = try CheckWorkflow.run(request)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(JSONOutput.encode(outcome.report).utf8)) as? [String: Any])
    }

    func testEveryKindOfReportFollowsTheSchema() throws {
        let pareto = SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: 3000, seed: 1)
        let light = SyntheticDistribution.exponential.sample(count: 3000, seed: 2)
        let tiny = Array(SyntheticDistribution.pareto(alpha: 2, xmin: 1).sample(count: 12, seed: 3))
        var dependent = TailCheck.Options(bootstrapReplicates: 0)
        dependent.dependent = true
        dependent.groupStarts = stride(from: 0, to: 3000, by: 25).map { $0 }
        var discrete = TailCheck.Options(bootstrapReplicates: 0)
        discrete.discretePowerLaw = DiscretePowerLawFitter(bootstrapReplicates: 10)
        let counts = try report(pareto.map { $0.rounded(.down) }, options: discrete)
        let reports = [try report(pareto), try report(light), try report(tiny + [0, -1, .infinity]), try report(pareto, options: dependent), counts]
        for (index, json) in reports.enumerated() { XCTAssertEqual(schema.problems(json), [], "report \(index)") }
        XCTAssertNotNil((counts["discrete_powerlaw"] as? [String: Any])?["gof_p"], "the discrete fit with its goodness of fit")
        XCTAssertNil(reports[0]["discrete_powerlaw"], "only when asked")
        XCTAssertNotNil((reports[0]["powerlaw"] as? [String: Any])?["gof_p"], "the goodness of fit ran")
        XCTAssertEqual((reports[2]["dropped"] as? [String: Any])?["nonpositive"] as? Int, 2)
        XCTAssertEqual(((reports[3]["evidence"] as? [String: Any])?["block_bootstrap"] as? [String: Any])?["block_unit"] as? String, "steps")
        let log = try CheckWorkflow.run(CheckRequest(files: [WorkflowTests.goldenLog])).report
        XCTAssertEqual(schema.problems(try JSONSerialization.jsonObject(with: Data(JSONOutput.encode(log).utf8))), [])

        // Not vacuous: each mutation is refused with the field it breaks.
        var broken = reports[0]
        broken["verdict"] = "very heavy"
        XCTAssertEqual(schema.problems(broken), ["$.verdict: very heavy not in enum"])
        broken = reports[0]
        broken["n"] = nil
        XCTAssertEqual(schema.problems(broken), ["$: missing n"])
        var powerLaw = try XCTUnwrap(reports[0]["powerlaw"] as? [String: Any])
        powerLaw["gof_p"] = 1.5
        broken = reports[0]
        broken["powerlaw"] = powerLaw
        XCTAssertFalse(schema.problems(broken).isEmpty, "a p-value above 1")
    }
}
