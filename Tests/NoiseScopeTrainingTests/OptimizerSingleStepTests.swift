import NoiseScopeCore
import XCTest
@testable import NoiseScopeTraining

/// One or two steps of every kind against values worked out by hand (Double,
/// 3-dimensional). Expected values are written as the arithmetic of the
/// definition; tolerance 1e−12 absolute (the values are O(1)).
final class OptimizerSingleStepTests: XCTestCase {
    let start: [Double] = [1, -2, 0.5]
    let tolerance = 1e-12

    func testSGD() throws {
        // β₁ is set but sgd ignores it: x ← x − ηg.
        var sgd = try optimizer(.sgd, parameterCount: 3) { $0.learningRate = 0.1; $0.beta1 = 0.9 }
        var x = start
        step(&sgd, &x, [3, -4, 1])
        assertClose(x, [0.7, -1.6, 0.4], tolerance: tolerance, "step 1")
        step(&sgd, &x, [1, 1, 1])
        assertClose(x, [0.6, -1.7, 0.3], tolerance: tolerance, "step 2")
        // Decoupled weight decay λ = 0.5: x ← x − η(g + λx) = 1 − 0.1·(3 + 0.5).
        var decayed = try optimizer(.sgd, parameterCount: 1) { $0.learningRate = 0.1; $0.weightDecay = 0.5 }
        var y: [Double] = [1]
        step(&decayed, &y, [3])
        assertClose(y, [0.65], tolerance: tolerance, "weight decay")
    }

    func testMomentum() throws {
        var momentum = try optimizer(.momentum, parameterCount: 3) { $0.learningRate = 0.1; $0.beta1 = 0.9 }
        var x = start
        step(&momentum, &x, [3, -4, 1])      // m = 0.1·g = [0.3, −0.4, 0.1]
        assertClose(x, [0.97, -1.96, 0.49], tolerance: tolerance, "step 1")
        step(&momentum, &x, [1, 1, 1])       // m = 0.9·m + 0.1·1 = [0.37, −0.26, 0.19]
        assertClose(x, [0.933, -1.934, 0.471], tolerance: tolerance, "step 2")
    }

    func testGClipClipsTheMomentumToGlobalNorm() throws {
        var gclip = try optimizer(.gclip, parameterCount: 3) { $0.learningRate = 0.1; $0.beta1 = 0.5; $0.clipThreshold = 1 }
        var x = start
        step(&gclip, &x, [3, -4, 0])         // m = [1.5, −2, 0], ‖m‖ = 2.5 → ĝ = 0.4·m = [0.6, −0.8, 0]
        assertClose(x, [0.94, -1.92, 0.5], tolerance: tolerance, "step 1")
        step(&gclip, &x, [-3, 4, 0])         // m = [−0.75, 1, 0], ‖m‖ = 1.25 → ĝ = 0.8·m = [−0.6, 0.8, 0]
        assertClose(x, [1, -2, 0.5], tolerance: tolerance, "step 2")
    }

    func testCClipClipsEveryCoordinate() throws {
        var cclip = try optimizer(.cclip, parameterCount: 3) { $0.learningRate = 0.1; $0.beta1 = 0.5; $0.clipThreshold = 1 }
        var x = start
        step(&cclip, &x, [3, -4, 1])         // m = [1.5, −2, 0.5] → ĝ = [1, −1, 0.5]
        assertClose(x, [0.9, -1.9, 0.45], tolerance: tolerance)
    }

    func testACClip() throws {
        // α = 1, τ₀ = 0, β₂ = 0.75: τ = 0.25·|g| = [0.75, 1, 0.25]; m = [1.5, −2, 0.5];
        // factor τ/|m| = 0.5 → ĝ = [0.75, −1, 0.25]; x ← x − 0.1(ĝ + 0.1x).
        var acclip = try optimizer(.acclip, parameterCount: 3) {
            $0.learningRate = 0.1; $0.beta1 = 0.5; $0.beta2 = 0.75; $0.epsilon = 0; $0.weightDecay = 0.1
        }
        var x = start
        step(&acclip, &x, [3, -4, 1])
        assertClose(x, [1 - 0.1 * (0.75 + 0.1), -2 - 0.1 * (-1 - 0.2), 0.5 - 0.1 * (0.25 + 0.05)],
                    tolerance: tolerance, "alpha 1")
        // α = 2, β₂ = 0.91: τ = √(0.09 g²) = 0.3|g| = [0.9, 1.2, 0.3]; factor 0.6 → ĝ = [0.9, −1.2, 0.3].
        var acclip2 = try optimizer(.acclip, parameterCount: 3) {
            $0.learningRate = 0.1; $0.beta1 = 0.5; $0.beta2 = 0.91; $0.epsilon = 0; $0.weightDecay = 0; $0.alpha = 2
        }
        var y = start
        step(&acclip2, &y, [3, -4, 1])
        assertClose(y, [0.91, -1.88, 0.47], tolerance: tolerance, "alpha 2")
    }

    func testAdam() throws {
        var adam = try optimizer(.adam, parameterCount: 3) { $0.learningRate = 0.1; $0.epsilon = 0 }
        var x = start
        step(&adam, &x, [3, -4, 1])          // bias-corrected first step: −η·sign(g)
        assertClose(x, [0.9, -1.9, 0.4], tolerance: tolerance, "step 1")
        step(&adam, &x, [1, 1, 1])
        // m = 0.9·0.1g + 0.1 = [0.37, −0.26, 0.19]; v = 0.999·0.001g² + 0.001 = [0.009991, 0.016984, 0.001999];
        // m̂ = m/(1 − 0.9²), v̂ = v/(1 − 0.999²).
        let m: [Double] = [0.37, -0.26, 0.19], v: [Double] = [0.009991, 0.016984, 0.001999]
        let afterFirst: [Double] = [0.9, -1.9, 0.4]
        let expected = (0..<3).map { (i: Int) -> Double in
            let correctedMean = m[i] / 0.19
            let correctedScale = (v[i] / 0.001999).squareRoot()
            return afterFirst[i] - 0.1 * correctedMean / correctedScale
        }
        assertClose(x, expected, tolerance: tolerance, "step 2")
    }

    func testAdamWDecaysTheParametersBesideTheStep() throws {
        var adamw = try optimizer(.adamw, parameterCount: 3) { $0.learningRate = 0.1; $0.epsilon = 0; $0.weightDecay = 0.1 }
        var x = start
        step(&adamw, &x, [3, -4, 1])         // x ← x − 0.1(sign g + 0.1x)
        assertClose(x, [0.89, -1.88, 0.395], tolerance: tolerance)
    }

    func testAdamAddsWeightDecayToTheGradientButAdamWDoesNot() throws {
        // g = −0.05, λx = 0.1: Adam sees g + λx = +0.05 and steps down by η;
        // AdamW steps along sign(g) = −1 and decays: 1 − 0.1·(−1 + 0.1).
        var adam = try optimizer(.adam, parameterCount: 1) { $0.learningRate = 0.1; $0.epsilon = 0; $0.weightDecay = 0.1 }
        var adamw = try optimizer(.adamw, parameterCount: 1) { $0.learningRate = 0.1; $0.epsilon = 0; $0.weightDecay = 0.1 }
        var x: [Double] = [1], y: [Double] = [1]
        step(&adam, &x, [-0.05])
        step(&adamw, &y, [-0.05])
        assertClose(x, [0.9], tolerance: tolerance, "adam")
        assertClose(y, [1.09], tolerance: tolerance, "adamw")
    }

    func testAdaGradNorm() throws {
        var adagrad = try optimizer(.adagradNorm, parameterCount: 3) {
            $0.learningRate = 1; $0.epsilon = 0; $0.initialAdaptiveScale = 11.0.squareRoot()
        }
        var x = start
        step(&adagrad, &x, [3, -4, 0])       // b² = 11 + 25 = 36 → x − g/6
        assertClose(x, [0.5, -2 + 4.0 / 6, 0.5], tolerance: tolerance, "step 1")
        step(&adagrad, &x, [0, 8, 0])        // b² = 36 + 64 = 100 → x − g/10
        assertClose(x, [0.5, -2 + 4.0 / 6 - 0.8, 0.5], tolerance: tolerance, "step 2")
        XCTAssertEqual(adagrad.state.scalars["scaleSquared"]!, 100, accuracy: tolerance)
    }

    func testAdamNorm() throws {
        var adamNorm = try optimizer(.adamNorm, parameterCount: 3) {
            $0.learningRate = 1; $0.epsilon = 0; $0.beta1 = 0.5; $0.beta2 = 0.5; $0.initialAdaptiveScale = 11.0.squareRoot()
        }
        var x = start
        step(&adamNorm, &x, [3, -4, 0])      // b² = 0.5·11 + 0.5·25 = 18; m = [1.5, −2, 0]
        let first = [1 - 1.5 / 18.0.squareRoot(), -2 + 2 / 18.0.squareRoot(), 0.5]
        assertClose(x, first, tolerance: tolerance, "step 1")
        step(&adamNorm, &x, [0, 8, 0])       // b² = 9 + 32 = 41; m = [0.75, 3, 0]
        assertClose(x, [first[0] - 0.75 / 41.0.squareRoot(), first[1] - 3 / 41.0.squareRoot(), 0.5],
                    tolerance: tolerance, "step 2")
    }

    func testClipAdaGradNorm() throws {
        var clipped = try optimizer(.clipAdagradNorm, parameterCount: 3) {
            $0.learningRate = 1; $0.epsilon = 0; $0.clipThreshold = 2.5; $0.initialAdaptiveScale = 1.5
        }
        var x = start
        step(&clipped, &x, [3, -4, 0])       // g̃ = 0.5g = [1.5, −2, 0]; b² = 2.25 + 6.25 = 8.5
        let first = [1 - 1.5 / 8.5.squareRoot(), -2 + 2 / 8.5.squareRoot(), 0.5]
        assertClose(x, first, tolerance: tolerance, "step 1")
        step(&clipped, &x, [0, 1, 0])        // below c, unclipped: b² = 9.5
        assertClose(x, [first[0], first[1] - 1 / 9.5.squareRoot(), 0.5], tolerance: tolerance, "step 2")
    }

    func testClipAdamNorm() throws {
        var clipped = try optimizer(.clipAdamNorm, parameterCount: 3) {
            $0.learningRate = 1; $0.epsilon = 0; $0.beta1 = 0.5; $0.beta2 = 0.5; $0.clipThreshold = 2.5; $0.initialAdaptiveScale = 1.5
        }
        var x = start
        step(&clipped, &x, [3, -4, 0])       // g̃ = [1.5, −2, 0]; b² = 0.5·2.25 + 0.5·6.25 = 4.25; m = [0.75, −1, 0]
        assertClose(x, [1 - 0.75 / 4.25.squareRoot(), -2 + 1 / 4.25.squareRoot(), 0.5], tolerance: tolerance)
    }

    func testDelayedClipAdaGradNormStepsWithThePreviousStatistic() throws {
        var delayed = try optimizer(.delayedClipAdagradNorm, parameterCount: 3) {
            $0.learningRate = 1; $0.epsilon = 0; $0.clipThreshold = 2.5; $0.initialAdaptiveScale = 1.5
        }
        var x = start
        step(&delayed, &x, [3, -4, 0])       // steps with b₀ = 1.5: x − [1.5, −2, 0]/1.5; then b² = 8.5
        assertClose(x, [0, -2 + 2 / 1.5, 0.5], tolerance: tolerance, "step 1")
        XCTAssertEqual(delayed.state.scalars["scaleSquared"]!, 8.5, accuracy: tolerance)
        step(&delayed, &x, [0, 8, 0])        // g̃ = [0, 2.5, 0], steps with √8.5; then b² = 14.75
        assertClose(x, [0, -2 + 2 / 1.5 - 2.5 / 8.5.squareRoot(), 0.5], tolerance: tolerance, "step 2")
        XCTAssertEqual(delayed.state.scalars["scaleSquared"]!, 14.75, accuracy: tolerance)
    }

    func testDelayedClipAdamNormStepsWithThePreviousStatistic() throws {
        var delayed = try optimizer(.delayedClipAdamNorm, parameterCount: 3) {
            $0.learningRate = 1; $0.epsilon = 0; $0.beta1 = 0.5; $0.beta2 = 0.5; $0.clipThreshold = 2.5; $0.initialAdaptiveScale = 1.5
        }
        var x = start
        step(&delayed, &x, [3, -4, 0])       // m = [0.75, −1, 0], steps with b₀ = 1.5; then b² = 4.25
        let first = [1 - 0.75 / 1.5, -2 + 1 / 1.5, 0.5]
        assertClose(x, first, tolerance: tolerance, "step 1")
        step(&delayed, &x, [0, 8, 0])        // g̃ = [0, 2.5, 0]; m = [0.375, 0.75, 0], steps with √4.25; then b² = 5.25
        assertClose(x, [first[0] - 0.375 / 4.25.squareRoot(), first[1] - 0.75 / 4.25.squareRoot(), 0.5],
                    tolerance: tolerance, "step 2")
        XCTAssertEqual(delayed.state.scalars["scaleSquared"]!, 5.25, accuracy: tolerance)
    }

    func testSignDescent() throws {
        // β₁ = 0: x ← x − η·sign(g); sign(0) = 0 leaves the third coordinate alone.
        var sign = try optimizer(.sign, parameterCount: 3) { $0.learningRate = 0.1 }
        var x = start
        step(&sign, &x, [3, -4, 0])
        assertClose(x, [0.9, -1.9, 0.5], tolerance: tolerance, "step 1")
        step(&sign, &x, [1e-9, 5e3, -0.2])   // magnitudes do not matter
        assertClose(x, [0.8, -2.0, 0.6], tolerance: tolerance, "step 2")
        // Signum, β₁ = 0.5: m = [1.5, −2, 0.5] → x − 0.1·[1, −1, 1];
        // then m = 0.5m + 0.5·[−4, 1, 0] = [−1.25, −0.5, 0.25]: the second coordinate
        // keeps moving up (sign(m) = −1) although its gradient is now +1.
        var signum = try optimizer(.sign, parameterCount: 3) { $0.learningRate = 0.1; $0.beta1 = 0.5 }
        var y = start
        step(&signum, &y, [3, -4, 1])
        assertClose(y, [0.9, -1.9, 0.4], tolerance: tolerance, "signum step 1")
        step(&signum, &y, [-4, 1, 0])
        assertClose(y, [1.0, -1.8, 0.3], tolerance: tolerance, "signum step 2")
        // Decoupled weight decay λ = 0.5: 1 − 0.1·(1 + 0.5·1).
        var decayed = try optimizer(.sign, parameterCount: 1) { $0.learningRate = 0.1; $0.weightDecay = 0.5 }
        var z: [Double] = [1]
        step(&decayed, &z, [3])
        assertClose(z, [0.85], tolerance: tolerance, "weight decay")
    }

    func testNormalizedGD() throws {
        var normalized = try optimizer(.normalizedGD, parameterCount: 3) { $0.learningRate = 0.1 }
        var x = start
        step(&normalized, &x, [3, -4, 0])    // g/‖g‖ = [0.6, −0.8, 0]
        assertClose(x, [0.94, -1.92, 0.5], tolerance: tolerance, "step 1")
        step(&normalized, &x, [0, 0, 2e6])   // g/‖g‖ = [0, 0, 1], whatever ‖g‖
        assertClose(x, [0.94, -1.92, 0.4], tolerance: tolerance, "step 2")
        step(&normalized, &x, [0, 0, 0])     // no direction: no step
        assertClose(x, [0.94, -1.92, 0.4], tolerance: tolerance, "zero gradient")
        // β₁ = 0.5: m = [1.5, −2, 0] then [0.75, −1, 1.5]/‖·‖ = [0.75, −1, 1.5]/√3.8125.
        var heavy = try optimizer(.normalizedGD, parameterCount: 3) { $0.learningRate = 0.1; $0.beta1 = 0.5 }
        var y = start
        step(&heavy, &y, [3, -4, 0])
        step(&heavy, &y, [0, 0, 3])
        let n = 3.8125.squareRoot()
        assertClose(y, [0.94 - 0.1 * 0.75 / n, -1.92 + 0.1 / n, 0.5 - 0.1 * 1.5 / n], tolerance: tolerance, "momentum")
    }

    func testSignAndNormalizedGDSettingsAreValidated() {
        for kind in [OptimizerKind.sign, .normalizedGD] {
            for (change, count) in [({ (s: inout OptimizerSettings) in s.beta1 = 1 }, 1),
                                    ({ (s: inout OptimizerSettings) in s.beta1 = -0.1; s.learningRate = -1 }, 2),
                                    ({ (s: inout OptimizerSettings) in s.learningRate = .nan }, 1),
                                    ({ (s: inout OptimizerSettings) in s.weightDecay = .infinity }, 1)] {
                var settings = OptimizerSettings.defaults(for: kind)
                change(&settings)
                XCTAssertEqual(settings.problems(for: kind).count, count, "\(kind): \(settings.problems(for: kind))")
                XCTAssertThrowsError(try makeOptimizer(kind, settings: settings, parameterCount: 2)) { error in
                    guard case .invalidSetting(.optimizer, _)? = error as? NoiseScopeError else {
                        return XCTFail("\(kind): \(error)")
                    }
                }
            }
            XCTAssertEqual(OptimizerSettings.defaults(for: kind).problems(for: kind), [], "\(kind) defaults")
            XCTAssertEqual(OptimizerSettings.defaults(for: kind).beta1, 0, "\(kind): plain, without momentum, by default")
        }
    }

    func testEveryKindIsCoveredAbove() {
        // Guards this file: a new kind must get a hand-computed test here.
        XCTAssertEqual(OptimizerKind.allCases.count, 15)
    }

    func testInvalidSettingsAreReportedNotTrapped() {
        var settings = OptimizerSettings.defaults(for: .delayedClipAdagradNorm)
        settings.initialAdaptiveScale = 0
        settings.epsilon = 0
        settings.beta1 = 1
        XCTAssertThrowsError(try makeOptimizer(.delayedClipAdagradNorm, settings: settings, parameterCount: 2)) { error in
            XCTAssertEqual((error as? NoiseScopeError)?.description.components(separatedBy: "; ").count, 2, "\(error)")
        }
    }
}
