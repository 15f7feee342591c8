import Foundation
import XCTest
@testable import NoiseScopeTraining

/// Checkpoint and resume: k steps, save the state (through JSON), a fresh
/// optimizer, load, continue — bitwise the same as a run never interrupted.
final class OptimizerStateTests: XCTestCase {
    func testResumingFromSavedStateContinuesBitForBit() throws {
        let (before, after) = (7, 8)
        let gradients = NoisyQuadraticGradient(dimension: 4, steps: before + after, seed: 31)
        for kind in OptimizerKind.allCases {
            let configure: (inout OptimizerSettings) -> Void = { $0.learningRate = 0.05; $0.weightDecay = 0.01 }
            let start: [Double] = [1.5, -0.5, 2, -3]

            var uninterrupted = try optimizer(kind, parameterCount: 4, configure)
            var x = start
            for t in 0..<(before + after) { step(&uninterrupted, &x, gradients.gradient(at: x, step: t)) }

            var first = try optimizer(kind, parameterCount: 4, configure)
            var y = start
            for t in 0..<before { step(&first, &y, gradients.gradient(at: y, step: t)) }
            let saved = try JSONEncoder().encode(first.state)
            var resumed = try optimizer(kind, parameterCount: 4, configure)
            resumed.state = try JSONDecoder().decode(OptimizerState.self, from: saved)
            XCTAssertEqual(resumed.state, first.state, "\(kind): state survives JSON")
            for t in before..<(before + after) { step(&resumed, &y, gradients.gradient(at: y, step: t)) }

            XCTAssertEqual(y, x, "\(kind): resumed parameters")
            XCTAssertEqual(resumed.state, uninterrupted.state, "\(kind): resumed state")
            XCTAssertEqual(resumed.state.step, before + after)
        }
    }

    func testFreshOptimizerIsNamedAfterItsKindAndStartsAtStepZero() throws {
        for kind in OptimizerKind.allCases {
            let fresh = try optimizer(kind, parameterCount: 2)
            XCTAssertEqual(fresh.name, kind.rawValue)
            XCTAssertEqual(fresh.state.step, 0)
        }
    }
}
