import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeSampling
import XCTest
@testable import NoiseScopeTraining

/// Frequency buckets of the target classes and the loss split over them.
final class LossByFrequencyTests: XCTestCase {
    func testBucketsFollowTheFrequencyRank() throws {
        // Class counts: c3 = 50, c0 = 30, c1 = c4 = 10 (tie: c1 first), c2 = 5, c5 = 0.
        let buckets = try FrequencyBuckets(classCounts: [30, 10, 5, 50, 10, 0], rankEdges: [1, 3])
        XCTAssertEqual(buckets.bucketOfClass, [1, 1, 2, 0, 2, 2])
        XCTAssertEqual(buckets.trainingCounts, [50, 40, 15])
        XCTAssertEqual(buckets.labels, ["1-1", "2-3", "4-6"])
        XCTAssertEqual(buckets.trainingShares.reduce(0, +), 1, accuracy: 1e-15)
        for edges in [[], [0, 2], [3, 3], [2, 6]] {
            XCTAssertThrowsError(try FrequencyBuckets(classCounts: [1, 2, 3, 4, 5, 6], rankEdges: edges), "\(edges)") { error in
                guard case .invalidSetting? = error as? NoiseScopeError else { return XCTFail("\(error)") }
            }
        }
    }

    func testBucketLossesWeightedByCountsGiveTheOverallLoss() throws {
        var classes = ClassLossSums(classCount: 6)
        classes.sums = [3.3, 1.7, 0.9, 2.1, 8.2, 0]
        classes.counts = [3, 1, 1, 2, 4, 0]
        let buckets = try FrequencyBuckets(classCounts: [30, 10, 5, 50, 10, 0], rankEdges: [1, 3])
        let gathered = buckets.gather(classes)
        let weighted = gathered.reduce(0) { $0 + $1.mean * Double($1.count) } / Double(gathered.reduce(0) { $0 + $1.count })
        XCTAssertEqual(weighted, classes.meanLoss, accuracy: 1e-12)
        XCTAssertEqual(gathered.map(\.count), [2, 4, 5])
    }

    /// On tinygpt (Float) along a short run: every row's validation buckets,
    /// weighted by their target counts, give the trainer's validation loss.
    func testTrainerRowsAddUpToTheValidationLoss() throws {
        let recipe = ModelCatalog.Recipe(architecture: .tinygpt, data: .text, batchSize: 4, seed: 2,
                                         overrides: .init(width: 16, layers: 1, heads: 2, context: 16))
        let trainer = try Trainer(recipe: recipe, optimizer: .sign, settings: .defaults(for: .sign),
                                  options: .init(steps: 4, batchSize: 4, seed: 2, evaluateEvery: 2))
        let buckets = try trainer.frequencyBuckets()
        XCTAssertEqual(buckets.labels, ["1-8", "9-40", "41-256"])
        // The novel: the eight most frequent bytes carry about half the targets.
        XCTAssertGreaterThan(buckets.trainingShares[0], 0.4)
        XCTAssertLessThan(buckets.trainingShares[2], 0.1)
        var rows: [(Trainer.LossRow, FrequencyLossRow)] = []
        try trainer.run(onRow: { rows.append(($0, try trainer.lossByFrequency(buckets))) })
        XCTAssertEqual(rows.map(\.1.step), [2, 4])
        for (row, frequency) in rows {
            let validation = frequency.validation
            let weighted = validation.reduce(0) { $0 + $1.mean * Double($1.count) } / Double(validation.reduce(0) { $0 + $1.count })
            XCTAssertEqual(weighted, row.validationLoss, accuracy: 1e-5 * row.validationLoss)
            XCTAssertEqual(frequency.training.reduce(0) { $0 + $1.count }, validation.reduce(0) { $0 + $1.count },
                           "the training sample is as large as the validation set")
        }
    }

    /// tinygpt on word tokens: four buckets over the 4096 classes, the last the
    /// words ranked beyond 256, and the buckets again give the validation loss.
    func testWordTokenBucketsAddUpToTheValidationLoss() throws {
        let recipe = ModelCatalog.Recipe(architecture: .tinygpt, data: .words, batchSize: 4, seed: 2,
                                         overrides: .init(width: 16, layers: 1, heads: 2, context: 16))
        let trainer = try Trainer(recipe: recipe, optimizer: .adam, settings: .defaults(for: .adam),
                                  options: .init(steps: 2, batchSize: 4, seed: 2, evaluateEvery: 2))
        let buckets = try trainer.frequencyBuckets()
        XCTAssertEqual(buckets.labels, ["1-8", "9-40", "41-256", "257-4096"])
        XCTAssertEqual(buckets.bucketOfClass.count, 4096)
        let shares = buckets.trainingShares
        XCTAssertEqual(shares.reduce(0, +), 1, accuracy: 1e-12)
        // The imbalance is heavier-tailed than on bytes: the eight most frequent tokens carry a
        // quarter of the targets (bytes: about half), the 3840 rarest a fifth (bytes' 216 rarest: under a tenth).
        XCTAssertEqual(shares[0], 0.251, accuracy: 0.005)
        XCTAssertEqual(shares[3], 0.195, accuracy: 0.005)
        var rows: [(Trainer.LossRow, FrequencyLossRow)] = []
        try trainer.run(onRow: { rows.append(($0, try trainer.lossByFrequency(buckets))) })
        XCTAssertEqual(rows.count, 1)
        for (row, frequency) in rows {
            let validation = frequency.validation
            XCTAssertEqual(validation.count, 4)
            let weighted = validation.reduce(0) { $0 + $1.mean * Double($1.count) } / Double(validation.reduce(0) { $0 + $1.count })
            XCTAssertEqual(weighted, row.validationLoss, accuracy: 1e-5 * row.validationLoss)
            // At initialisation every class is about equally likely: each bucket's loss is near log 4096.
            for bucket in validation { XCTAssertEqual(bucket.mean, log(4096), accuracy: 0.5) }
        }
    }

    func testAModelWithoutClassTargetsIsRefused() throws {
        let recipe = ModelCatalog.Recipe(architecture: .linreg, data: .diabetes, batchSize: 8, seed: 0)
        let trainer = try Trainer(recipe: recipe, optimizer: .sgd, settings: .defaults(for: .sgd), options: .init(steps: 1))
        XCTAssertThrowsError(try trainer.frequencyBuckets()) { error in
            guard case .invalidSetting(.model, _)? = error as? NoiseScopeError else { return XCTFail("\(error)") }
        }
    }
}
