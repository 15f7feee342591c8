import Foundation
import NoiseScopeModels
import NoiseScopeSampling
import XCTest
@testable import NoiseScopeTraining

/// The trainer on logreg (cheap): determinism, bit-for-bit resume from a
/// checkpoint, learning, and every way a checkpoint can be bad.
final class TrainerTests: XCTestCase {
    let recipe = ModelCatalog.Recipe(architecture: .logreg, data: .digits, batchSize: 16, seed: 4)

    func train(steps: Int, kind: OptimizerKind = .adam, learningRate: Double? = nil, resumeFrom checkpoint: Checkpoint? = nil,
               checkpoints: inout [Checkpoint]) throws -> (Trainer, [Trainer.LossRow]) {
        var settings = OptimizerSettings.defaults(for: kind)
        if let learningRate { settings.learningRate = learningRate }
        let trainer = try Trainer(recipe: recipe, optimizer: kind, settings: settings,
                                  options: .init(steps: steps, batchSize: 16, seed: 4, evaluateEvery: 5, checkpointEvery: 10),
                                  resumeFrom: checkpoint)
        var rows: [Trainer.LossRow] = []
        var saved: [Checkpoint] = []
        try trainer.run(onRow: { rows.append($0) }, onCheckpoint: { saved.append($0) })
        checkpoints = saved
        return (trainer, rows)
    }

    func testResumeContinuesBitForBit() throws {
        var straightCheckpoints: [Checkpoint] = []
        let (straight, straightRows) = try train(steps: 20, checkpoints: &straightCheckpoints)
        XCTAssertEqual(straightCheckpoints.map(\.header.step), [10, 20])
        // Through the file format and back, then 10 more steps.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try straightCheckpoints[0].encoded().write(to: URL(fileURLWithPath: path))
        let loaded = try Checkpoint.read(path: path)
        var resumedCheckpoints: [Checkpoint] = []
        let (resumed, resumedRows) = try train(steps: 20, resumeFrom: loaded, checkpoints: &resumedCheckpoints)
        XCTAssertEqual(Array(resumed.model.parameters), Array(straight.model.parameters))
        XCTAssertEqual(resumedRows, Array(straightRows.suffix(2)))
        XCTAssertEqual(resumed.optimizer.state, straight.optimizer.state)
    }

    func testSameSeedSameRunAndTheLossFalls() throws {
        var unused: [Checkpoint] = []
        let (a, rowsA) = try train(steps: 40, kind: .momentum, learningRate: 0.5, checkpoints: &unused)
        let (b, rowsB) = try train(steps: 40, kind: .momentum, learningRate: 0.5, checkpoints: &unused)
        XCTAssertEqual(Array(a.model.parameters), Array(b.model.parameters))
        XCTAssertEqual(rowsA, rowsB)
        // logreg at init predicts ~uniformly: validation loss ≈ log 10 = 2.303; training must lower it.
        XCTAssertEqual(rowsA.first!.validationLoss, log(10), accuracy: 0.3)
        XCTAssertLessThan(rowsA.last!.validationLoss, rowsA.first!.validationLoss - 0.2)
    }

    func testNoiseSnapshotsUseTheTrainingSplitAndLeaveParametersAlone() throws {
        let trainer = try Trainer(recipe: recipe, optimizer: .sgd, settings: .defaults(for: .sgd),
                                  options: .init(steps: 4, batchSize: 16, seed: 1, noiseEvery: 2, noiseSamples: 5))
        var steps: [Int] = []
        var examples: [Int] = []
        let before = Array(trainer.model.parameters)
        let snapshot = try trainer.noiseSnapshot()
        XCTAssertEqual(Array(trainer.model.parameters), before)
        XCTAssertEqual(snapshot.fullGradientExamples, 1797 - 180)
        try trainer.run(onNoise: { step, measurement in steps.append(step); examples.append(measurement.noiseNorms.count) })
        XCTAssertEqual(steps, [0, 2, 4])
        XCTAssertEqual(examples, [5, 5, 5])
    }

    func testBadCheckpointsAreRefused() throws {
        var checkpoints: [Checkpoint] = []
        _ = try train(steps: 10, checkpoints: &checkpoints)
        let good = try checkpoints[0].encoded()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func message(_ data: Data) -> String {
            let path = directory.appendingPathComponent("x.ckpt").path
            try? data.write(to: URL(fileURLWithPath: path))
            do { _ = try Checkpoint.read(path: path); return "no error" } catch { return "\(error)" }
        }
        var flipped = good
        flipped[flipped.count - 3] ^= 0xFF
        XCTAssertTrue(message(flipped).contains("checksum mismatch"))
        XCTAssertTrue(message(good.prefix(good.count - 8)).contains("truncated or padded checkpoint"))
        XCTAssertTrue(message(Data("hello world, not a checkpoint".utf8)).contains("not a noisescope checkpoint"))
        // Resuming with another optimizer than the checkpoint's is refused.
        XCTAssertThrowsError(try Trainer(recipe: recipe, optimizer: .sgd, settings: .defaults(for: .sgd),
                                         options: .init(steps: 20, batchSize: 16, seed: 4), resumeFrom: checkpoints[0])) { error in
            XCTAssertTrue("\(error)".contains("trained with 'adam'"))
        }
    }
}
