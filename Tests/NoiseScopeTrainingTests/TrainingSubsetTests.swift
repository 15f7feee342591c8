import Foundation
import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeSampling
import XCTest
@testable import NoiseScopeTraining

/// Training on the first N examples of the training split with B = N: full-batch
/// descent, checked against the update worked out from the model's gradient on
/// those N examples; and a subset outside 1…split refused.
final class TrainingSubsetTests: XCTestCase {
    let subset = 32
    let recipe = ModelCatalog.Recipe(architecture: .logreg, data: .digits, batchSize: 32, seed: 7)

    func trainer(steps: Int, trainingExamples: Int?, batchSize: Int = 32, kind: OptimizerKind = .momentum) throws -> Trainer {
        var settings = OptimizerSettings.defaults(for: kind)
        settings.learningRate = 0.5
        settings.beta1 = 0.9
        var options = Trainer.Options(steps: steps, batchSize: batchSize, seed: 3, evaluateEvery: steps)
        options.trainingExamples = trainingExamples
        return try Trainer(recipe: recipe, optimizer: kind, settings: settings, options: options)
    }

    /// Two steps of momentum SGD at B = N against m ← β₁m + (1 − β₁)∇f_N, x ← x − ηm,
    /// with ∇f_N the model's gradient on examples 0..<N (x kept in Float, as the
    /// trainer keeps it). The only difference is the order the N per-example
    /// gradients are summed in (the schedule permutes them), so the tolerance is
    /// a float one: 1e-6 on parameters of size about 0.1.
    func testFullBatchMomentumIsGradientDescentOnTheSubset() throws {
        let trained = try trainer(steps: 2, trainingExamples: subset)
        let reference = try ModelCatalog.makeModel(recipe)
        XCTAssertEqual(Array(reference.parameters), Array(trained.model.parameters), "same seed, same initialisation")
        let start = Array(reference.parameters).map(Double.init)
        try trained.run()

        let (eta, beta) = (0.5, 0.9)
        var momentum = [Double](repeating: 0, count: reference.parameterCount)
        for _ in 0..<2 {
            _ = reference.lossAndGradient(indices: Array(0..<subset))
            let gradient = Array(reference.gradient).map(Double.init)
            for i in momentum.indices {
                momentum[i] = beta * momentum[i] + (1 - beta) * gradient[i]
                reference.parameters[i] = Float(Double(reference.parameters[i]) - eta * momentum[i])
            }
        }
        let expected = Array(reference.parameters).map(Double.init), got = Array(trained.model.parameters).map(Double.init)
        let moved = zip(expected, start).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(moved, 1e-3, "the two steps move the parameters far more than the tolerance")
        let worst = zip(expected, got).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-6, "full-batch momentum SGD differs from gradient descent on the first \(subset) examples by \(worst)")

        // A subset of 32 trains on other examples than the whole split: the same two steps there differ.
        let whole = try trainer(steps: 2, trainingExamples: nil)
        try whole.run()
        let apart = zip(Array(whole.model.parameters), Array(trained.model.parameters)).map { abs(Double($0) - Double($1)) }.max()!
        XCTAssertGreaterThan(apart, 1e-4)
    }

    func testTheSubsetLeavesTheHeldOutExamplesAlone() throws {
        let sub = try trainer(steps: 1, trainingExamples: subset), whole = try trainer(steps: 1, trainingExamples: nil)
        XCTAssertEqual(sub.trainingCount, subset)
        XCTAssertEqual(whole.trainingCount, 1797 - 180)
        XCTAssertEqual(sub.validationLoss(), whole.validationLoss(), "same initialisation, same held-out examples")
        let sampled = try trainer(steps: 1, trainingExamples: subset, batchSize: 8)
        XCTAssertEqual(try sampled.noiseSnapshot().fullGradientExamples, subset, "noise is measured against ∇f on the subset")
        // The checkpoint records the subset; a run on the whole split records none.
        XCTAssertEqual(sub.checkpoint().header.trainingExamples, subset)
        XCTAssertNil(whole.checkpoint().header.trainingExamples)
    }

    func testASubsetOutsideTheSplitIsRefused() throws {
        for bad in [0, -1, 1797 - 180 + 1] {
            XCTAssertThrowsError(try trainer(steps: 1, trainingExamples: bad)) { error in
                guard case .invalidSetting(.trainingExamples, let message)? = error as? NoiseScopeError else {
                    return XCTFail("\(bad): \(error)")
                }
                XCTAssertTrue(message.contains("between 1 and the 1617 examples of the training split"), message)
            }
        }
        // A batch larger than the subset does not fit.
        XCTAssertThrowsError(try trainer(steps: 1, trainingExamples: 16, batchSize: 32)) { error in
            XCTAssertTrue("\(error)".contains("the training subset has 16 examples"), "\(error)")
        }
        XCTAssertNoThrow(try trainer(steps: 1, trainingExamples: 1617))
    }
}
