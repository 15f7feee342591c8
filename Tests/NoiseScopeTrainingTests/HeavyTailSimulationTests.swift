import NoiseScopeCore
import XCTest
import NoiseScopeStatistics
@testable import NoiseScopeTraining

final class HeavyTailSimulationTests: XCTestCase {
    private func smallSimulation(seed: UInt64 = 9) -> HeavyTailSimulation {
        var simulation = HeavyTailSimulation()
        simulation.steps = 100
        simulation.replicates = 60
        simulation.seed = seed
        return simulation
    }

    func testSameSeedGivesIdenticalResultsWhateverTheThreading() throws {
        let simulation = smallSimulation()
        let serial = try simulation.run(chunkCount: 1)
        XCTAssertEqual(try simulation.run(chunkCount: 1), serial, "repeat, serial")
        XCTAssertEqual(try simulation.run(chunkCount: 7), serial, "7 concurrent chunks")
        XCTAssertEqual(try simulation.run(chunkCount: 60), serial, "one chunk per replicate")
        XCTAssertEqual(serial.methods.map(\.method), HeavyTailMethod.allCases)
        XCTAssertTrue(serial.methods.allSatisfy { $0.finalErrors.count == 60 && $0.nonFiniteCount == 0 })
    }

    func testDifferentSeedsGiveDifferentResults() throws {
        XCTAssertNotEqual(try smallSimulation(seed: 9).run().methods[0].finalErrors,
                          try smallSimulation(seed: 10).run().methods[0].finalErrors)
    }

    func testProgressCountsEveryReplicateOnce() throws {
        final class Counter: @unchecked Sendable { var calls: [Int] = [] }
        let counter = Counter()
        _ = try smallSimulation().run(chunkCount: 4) { finished, total in
            XCTAssertEqual(total, 60)
            counter.calls.append(finished)   // calls are serialised by the simulation
        }
        XCTAssertEqual(counter.calls, Array(1...60))
    }

    func testQuantilesOfAKnownSample() {
        // 1…10: type-7 position p·9, so q(0.5) = 5.5, q(0.9) = 9.1, q(0.99) = 9.91, q(0.999) = 9.991.
        let sorted = (1...10).map(Double.init)
        XCTAssertEqual(quantile(ofSorted: sorted, probability: 0.5), 5.5, accuracy: 1e-12)
        XCTAssertEqual(quantile(ofSorted: sorted, probability: 0.9), 9.1, accuracy: 1e-12)
        XCTAssertEqual(quantile(ofSorted: sorted, probability: 0.99), 9.91, accuracy: 1e-12)
        XCTAssertEqual(quantile(ofSorted: sorted, probability: 0.999), 9.991, accuracy: 1e-12)
        XCTAssertEqual(quantile(ofSorted: sorted, probability: 0), 1)
        XCTAssertEqual(quantile(ofSorted: sorted, probability: 1), 10)
        XCTAssertEqual(quantile(ofSorted: [4], probability: 0.3), 4)
        // An infinite largest value does not spoil quantiles below it.
        XCTAssertEqual(quantile(ofSorted: [1, 2, 3, .infinity], probability: 2.0 / 3), 3)
    }

    func testOutcomeQuantilesUseTheReplicateErrors() {
        // Unsorted errors 0.1…100 (0.1·(1…1000) shuffled by a fixed permutation), with a NaN ranked as +∞.
        var errors = (1...1000).map { Double($0) / 10 }
        errors = (0..<1000).map { errors[($0 * 7) % 1000] }
        errors[0] = .nan
        let outcome = HeavyTailSimulationResult.MethodOutcome(
            method: .sgd, optimizer: .sgd, settings: .defaults(for: .sgd),
            finalErrors: errors, tailProbabilities: [0.5, 0.1, 0.01, 0.001])
        // Sorted: 0.2…100 then +∞ (the NaN replaced 0.1, the entry at index 0).
        let ranked = (2...1000).map { Double($0) / 10 } + [.infinity]
        XCTAssertEqual(outcome.nonFiniteCount, 1)
        XCTAssertEqual(outcome.quantiles.map(\.level), [0.5, 0.9, 0.99, 0.999])
        XCTAssertEqual(outcome.quantiles.map(\.samplesBeyond), [500, 100, 10, 1])
        for q in outcome.quantiles.dropLast() {
            XCTAssertEqual(q.value, quantile(ofSorted: ranked, probability: q.level), accuracy: 1e-12)
        }
        XCTAssertEqual(outcome.quantiles[0].value, (50.1 + 50.2) / 2, accuracy: 1e-12)
        XCTAssertEqual(outcome.quantiles[3].value, .infinity, "position 998.001 lies between 100 and +∞")
    }

    /// α = 2 is Gaussian noise with variance σ² = 2 (gsl_ran_levy with c = 1). SGD on
    /// ½x² is then x ← (1 − η)x − ηξ, whose stationary variance is ησ²/(2 − η). After
    /// T = 300 steps of η = 0.05 the start (x₀ = 10) has decayed to 10·0.95³⁰⁰ ≈ 2e−6,
    /// so x_T is N(0, 0.05128). With R = 3000 independent replicates the sample second
    /// moment has relative standard error √(2/R) = 2.6%; the tolerance is 4 of them.
    func testGaussianNoiseMatchesTheStationaryVarianceOfSGD() throws {
        var simulation = HeavyTailSimulation()
        simulation.alpha = 2
        simulation.steps = 300
        simulation.replicates = 3000
        simulation.methods = [.sgd]
        let eta = simulation.learningRate
        let stationaryVariance = eta * 2 / (2 - eta)
        let outcome = try simulation.run().methods[0]
        let secondMoment = outcome.finalErrors.map { $0 * $0 }.reduce(0, +) / Double(outcome.finalErrors.count)
        XCTAssertEqual(secondMoment, stationaryVariance, accuracy: 4 * (2.0 / 3000).squareRoot() * stationaryVariance)
        // Bounded and small: |N(0, v)| has median 0.674√v, 0.999-quantile 3.29√v.
        let sd = stationaryVariance.squareRoot()
        XCTAssertEqual(outcome.quantiles[0].value, 0.6745 * sd, accuracy: 0.1 * sd)
        XCTAssertEqual(outcome.quantiles[1].value, 1.645 * sd, accuracy: 0.15 * sd)
        XCTAssertLessThan(outcome.quantiles[3].value, 4.5 * sd)
    }

    func testStepSizeRuleAndDefaults() {
        let simulation = HeavyTailSimulation()
        XCTAssertEqual(simulation.replicates * 1 / 1000, 5, "R·δ samples beyond the 0.999 quantile")
        XCTAssertTrue(simulation.problems().isEmpty, "\(simulation.problems())")
        let eta = simulation.learningRate, c = simulation.clipLevel
        XCTAssertEqual(simulation.optimizerSettings(for: .sgd).learningRate, eta)
        XCTAssertEqual(simulation.optimizerSettings(for: .clipSGD).beta1, 0)
        XCTAssertEqual(simulation.optimizerSettings(for: .clipSGD).clipThreshold, c)
        XCTAssertEqual(simulation.optimizerSettings(for: .adagradNorm).learningRate, eta * c * 1000.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(simulation.optimizerSettings(for: .clipAdagradNorm).learningRate, eta * c * 1000.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(simulation.optimizerSettings(for: .adamNorm).learningRate, eta * c)
        XCTAssertEqual(simulation.optimizerSettings(for: .clipAdamNorm).initialAdaptiveScale, c)
    }
}
