import Foundation
import XCTest
@testable import NoiseScopeTraining

/// The single-step cases that integrations/pytorch/tests/fixtures/optimizer_single_step.json
/// shares with the PyTorch companion (test_optim.py reads the same file):
/// every case run through the Swift optimizers, from its settings over the
/// kind's defaults, to the fixture's tolerance; b² of the norm methods too.
/// One file, two implementations: a convention that drifts on either side fails here or there.
final class SharedOptimizerFixtureTests: XCTestCase {
    struct Fixture: Decodable {
        struct Step: Decodable {
            var gradient: [Double]
            var expected: [Double]
            var scaleSquared: Double?
            enum CodingKeys: String, CodingKey { case gradient, expected, scaleSquared = "scale_squared" }
        }
        struct Case: Decodable {
            var name: String
            var kind: String
            var settings: [String: Double]
            var start: [Double]
            var steps: [Step]
        }
        var toleranceAbs: Double
        var cases: [Case]
        enum CodingKeys: String, CodingKey { case cases, toleranceAbs = "tolerance_abs" }
    }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("integrations/pytorch/tests/fixtures/optimizer_single_step.json")

    func testEverySharedCase() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.path))
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 8)
        let names: [String: WritableKeyPath<OptimizerSettings, Double>] = [
            "learningRate": \.learningRate, "beta1": \.beta1, "beta2": \.beta2, "epsilon": \.epsilon, "weightDecay": \.weightDecay,
            "clipThreshold": \.clipThreshold, "alpha": \.alpha, "initialAdaptiveScale": \.initialAdaptiveScale]
        var checkedScales = 0
        for testCase in fixture.cases {
            let kind = try XCTUnwrap(OptimizerKind(rawValue: testCase.kind), testCase.name)
            for key in testCase.settings.keys { XCTAssertNotNil(names[key], "\(testCase.name): unknown setting \(key)") }
            var optimizer = try optimizer(kind, parameterCount: testCase.start.count) { settings in
                for (key, value) in testCase.settings { if let path = names[key] { settings[keyPath: path] = value } }
            }
            var x = testCase.start
            for (index, step) in testCase.steps.enumerated() {
                self.step(&optimizer, &x, step.gradient)
                assertClose(x, step.expected, tolerance: fixture.toleranceAbs, "\(testCase.name), step \(index + 1)")
                if let expected = step.scaleSquared {
                    let actual = try XCTUnwrap(optimizer.state.scalars["scaleSquared"], "\(testCase.name) keeps b²")
                    XCTAssertEqual(actual, expected, accuracy: fixture.toleranceAbs, "\(testCase.name), step \(index + 1): b²")
                    checkedScales += 1
                }
            }
        }
        XCTAssertGreaterThan(checkedScales, 0)
    }

    private func step(_ optimizer: inout any Optimizer, _ x: inout [Double], _ gradient: [Double]) {
        NoiseScopeTrainingTests.step(&optimizer, &x, gradient)
    }
}
