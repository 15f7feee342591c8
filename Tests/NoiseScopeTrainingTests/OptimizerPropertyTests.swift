import NoiseScopeCore
import XCTest
@testable import NoiseScopeTraining
import NoiseScopeStatistics

/// Limits and invariants of the optimizers, on runs with heavy-tailed gradients.
final class OptimizerPropertyTests: XCTestCase {
    /// ACClip with a threshold that never binds (τ₀ = 1e300, β₂ = 1) is momentum SGD, bit for bit.
    func testACClipWithInfiniteThresholdIsMomentumSGD() throws {
        var acclip = try optimizer(.acclip, parameterCount: 5) {
            $0.learningRate = 0.01; $0.beta1 = 0.9; $0.beta2 = 1; $0.initialAdaptiveScale = 1e300; $0.weightDecay = 0
        }
        var momentum = try optimizer(.momentum, parameterCount: 5) { $0.learningRate = 0.01; $0.beta1 = 0.9 }
        let gradients = NoisyQuadraticGradient(dimension: 5, steps: 300, seed: 11)
        var x = [Double](repeating: 3, count: 5), y = x
        for t in 0..<300 {
            step(&acclip, &x, gradients.gradient(at: x, step: t))
            step(&momentum, &y, gradients.gradient(at: y, step: t))
            XCTAssertEqual(x, y, "step \(t + 1)")
        }
        XCTAssertEqual(acclip.state.vectors["momentum"], momentum.state.vectors["momentum"])
    }

    /// With x = 0 before the step and η = 1, λ = 0, the step leaves x = −ĝ exactly,
    /// so the clipped update can be compared with the momentum it came from.
    private func clippedUpdates(_ kind: OptimizerKind, threshold: Double, draws: Int,
                                check: (_ update: [Double], _ momentum: [Double]) -> Void) throws {
        var clip = try optimizer(kind, parameterCount: 4) {
            $0.learningRate = 1; $0.beta1 = 0.9; $0.clipThreshold = threshold; $0.weightDecay = 0
        }
        let noise = RandomSource(seed: 5)
        for _ in 0..<draws {
            var x = [Double](repeating: 0, count: 4)
            step(&clip, &x, (0..<4).map { _ in noise.symmetricStable(alpha: 1.2, scale: 1) })
            check(x.map { -$0 }, clip.state.vectors["momentum"]!)
        }
    }

    func testGClipNeverIncreasesTheNorm() throws {
        let threshold = 2.0
        var clippedCount = 0
        try clippedUpdates(.gclip, threshold: threshold, draws: 500) { update, momentum in
            let updateNorm = update.map { $0 * $0 }.reduce(0, +).squareRoot()
            let momentumNorm = momentum.map { $0 * $0 }.reduce(0, +).squareRoot()
            // Rounding of the rescaled vector: a few ulps.
            XCTAssertLessThanOrEqual(updateNorm, momentumNorm * (1 + 1e-15))
            XCTAssertLessThanOrEqual(updateNorm, threshold * (1 + 1e-15))
            if momentumNorm > threshold { clippedCount += 1 }
        }
        XCTAssertGreaterThan(clippedCount, 50, "the heavy-tailed draws must exercise the clipping")
    }

    func testCClipNeverIncreasesAnyCoordinate() throws {
        let threshold = 1.0
        var clippedCount = 0
        try clippedUpdates(.cclip, threshold: threshold, draws: 500) { update, momentum in
            for (u, m) in zip(update, momentum) {
                XCTAssertLessThanOrEqual(abs(u), abs(m))
                XCTAssertLessThanOrEqual(abs(u), threshold * (1 + 1e-15))
                XCTAssertEqual(u.sign, m.sign)
                if abs(m) > threshold { clippedCount += 1 }
            }
        }
        XCTAssertGreaterThan(clippedCount, 50, "the heavy-tailed draws must exercise the clipping")
    }

    /// η/√b² of the AdaGrad-Norm kinds is non-increasing step after step (b² only grows).
    func testAdaGradNormEffectiveStepSizeNeverIncreases() throws {
        for kind in [OptimizerKind.adagradNorm, .clipAdagradNorm, .delayedClipAdagradNorm] {
            var adagrad = try optimizer(kind, parameterCount: 3) { $0.learningRate = 0.5 }
            let noise = RandomSource(seed: 17)
            var x: [Double] = [4, -4, 1]
            var previous = Double.infinity
            for t in 0..<2000 {
                step(&adagrad, &x, x.map { $0 + noise.symmetricStable(alpha: 1.5, scale: 1) })
                let effective = 0.5 / adagrad.state.scalars["scaleSquared"]!.squareRoot()
                XCTAssertLessThanOrEqual(effective, previous, "\(kind) step \(t + 1)")
                previous = effective
            }
            XCTAssertLessThan(previous, 0.5 / 2000.0.squareRoot() * 5, "\(kind): b² should have grown")
        }
    }

    /// Bias correction makes Adam's first step −η·g/(|g| + ε): −η·sign(g) to within η·ε/|g|.
    func testAdamFirstStepIsMinusLearningRateTimesSign() throws {
        let gradient: [Double] = [3e-3, -2.5, 700, -1e-6, 42, -0.1]
        for kind in [OptimizerKind.adam, .adamw] {
            var adam = try optimizer(kind, parameterCount: gradient.count) { $0.learningRate = 1e-3; $0.epsilon = 1e-8 }
            var x = [Double](repeating: 0, count: gradient.count)
            step(&adam, &x, gradient)
            for (moved, g) in zip(x, gradient) {
                let allowance = 1e-3 * (1e-8 / abs(g) + 1e-15)
                XCTAssertEqual(moved, -1e-3 * (g > 0 ? 1 : -1), accuracy: allowance, "\(kind), g = \(g)")
            }
        }
    }

    /// The Float path (widened to Double, rounded back each step) agrees with the
    /// Double path to fp32 precision on a 60-step run of every kind.
    func testFloatAndDoubleRunsAgree() throws {
        let steps = 60
        let gradients = NoisyQuadraticGradient(dimension: 4, steps: steps, seed: 23)
        for kind in OptimizerKind.allCases {
            let configure: (inout OptimizerSettings) -> Void = { $0.learningRate = 0.05; $0.weightDecay = 0.01 }
            var inDouble = try optimizer(kind, parameterCount: 4, configure)
            var inFloat = try optimizer(kind, parameterCount: 4, configure)
            var x: [Double] = [2, -1, 0.5, 3]
            var y: [Float] = x.map(Float.init)
            for t in 0..<steps {
                step(&inDouble, &x, gradients.gradient(at: x, step: t))
                step(&inFloat, &y, zip(y, gradients.noise[t]).map { $0 + Float($1) })
            }
            XCTAssertNotEqual(x, [2, -1, 0.5, 3], "\(kind) must move")
            for (a, b) in zip(x, y) {
                XCTAssertEqual(Double(b), a, accuracy: 2e-5 * max(1, abs(a)), "\(kind)")
            }
        }
    }
}
