import NoiseScopeCore
import Foundation
import NoiseScope
import XCTest
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining

/// The application layer called directly, as a notebook user would.
final class WorkflowTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let goldenLog = repository.appendingPathComponent("Tests/Fixtures/torch-log-2rank").path

    func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func smallMeasureRequest() -> MeasureRequest {
        var request = MeasureRequest()
        request.model = .logreg
        request.batchSize = 16
        request.samples = 80
        request.bootstrap = 0
        request.seed = 3
        // The covariance sketch is off by default; on here, so that its outputs are checked too.
        request.spectrumRank = 32
        return request
    }

    func testMeasureReturnsTheNumbersItWrites() throws {
        let run = try MeasurementRun.measure(smallMeasureRequest())
        XCTAssertEqual(run.summary.parameters, 10 * 64 + 10)
        XCTAssertEqual(run.summary.samples, 80)
        XCTAssertEqual(run.measurement.noiseNorms.count, 80)
        let directory = try temporaryDirectory() + "/run"
        try run.write(to: directory)
        let written = try SampleReader().read(path: directory + "/noise_norms.npy").values
        XCTAssertEqual(written, run.measurement.noiseNorms)
        let csv = try SampleReader(format: .csv, column: "noise_norm").read(path: directory + "/noise_norms.csv").values
        XCTAssertEqual(csv, run.measurement.noiseNorms, "%.17g round-trips every bit")
        // Same seed, same noise; another seed, other minibatches.
        XCTAssertEqual(try MeasurementRun.measure(smallMeasureRequest()).measurement.noiseNorms, run.measurement.noiseNorms)
        var other = smallMeasureRequest()
        other.seed = 4
        XCTAssertNotEqual(try MeasurementRun.measure(other).measurement.noiseNorms, run.measurement.noiseNorms)
    }

    /// With ∇f estimated from one minibatch of one example, that example's own
    /// minibatches have noise exactly 0: the check reads the positive norms and
    /// says how many it left out (this used to trip a precondition).
    func testZeroNoiseNormsAreLeftOutOfTheCheck() throws {
        var request = smallMeasureRequest()
        request.batchSize = 1
        request.fullGradientBatches = 1
        request.samples = 2000
        let run = try MeasurementRun.measure(request)
        let zeros = run.measurement.noiseNorms.filter { $0 == 0 }.count
        XCTAssertGreaterThan(zeros, 0)
        XCTAssertEqual(run.summary.check.n, 2000 - zeros)
        XCTAssertEqual(run.summary.check.dropped?.nonpositive, zeros)
        XCTAssertTrue(run.humanReadable(directory: "d").contains("\(zeros) noise norm"))
    }

    func testSummaryFollowsItsSchema() throws {
        let run = try MeasurementRun.measure(smallMeasureRequest())
        let json = try JSONSerialization.jsonObject(with: Data(JSONOutput.encode(run.summary).utf8))
        let schema = try JSONSchemaCheck(path: Self.repository.appendingPathComponent("schemas/measure-summary.schema.json").path)
        XCTAssertEqual(schema.problems(json), [])
        // The checker is not vacuous: a summary without its parameter count, or with a string for it, is refused.
        var broken = json as! [String: Any]
        broken["parameter_count"] = nil
        XCTAssertEqual(schema.problems(broken), ["$: missing parameter_count"])
        broken["parameter_count"] = "650"
        XCTAssertEqual(schema.problems(broken).count, 1)
    }

    func testSummariesOfEarlierVersionsStillRead() throws {
        let run = try MeasurementRun.measure(smallMeasureRequest())
        var json = try JSONSerialization.jsonObject(with: Data(JSONOutput.encode(run.summary).utf8)) as! [String: Any]
        json["parameters"] = json.removeValue(forKey: "parameter_count")
        json["noise_scale_simple"] = json.removeValue(forKey: "b_simple_exact_gradient")
        let old = try JSONDecoder().decode(MeasurementSummary.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(old.parameters, 650)
        XCTAssertEqual(old.noiseScaleSimple, run.summary.noiseScaleSimple)
        // Before the covariance sketch: no spectrum, no spectrum reference; the report still draws its figure.
        XCTAssertNotNil(run.summary.covarianceSpectrum)
        XCTAssertNotNil(run.summary.spectrumReferenceComparison)
        json["covariance_spectrum"] = nil
        json["spectrum_reference_comparison"] = nil
        let unsketched = try JSONDecoder().decode(MeasurementSummary.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertNil(unsketched.covarianceSpectrum)
        XCTAssertNil(unsketched.spectrumReferenceComparison)
        XCTAssertEqual(unsketched.matchedReferenceComparison?.referenceShape, run.summary.matchedReferenceComparison?.referenceShape)
        XCTAssertNil(NoiseReferences(summary: unsketched, norms: run.measurement.noiseNorms).spectrum)
    }

    /// The spectrum reference redrawn from summary.json (what report and fig1 do)
    /// is the one the run compared with, and --spectrum-rank 0 sketches nothing.
    func testSpectrumReferenceIsRedrawnFromTheSummary() throws {
        let run = try MeasurementRun.measure(smallMeasureRequest())
        let spectrum = try XCTUnwrap(run.summary.covarianceSpectrum)
        XCTAssertEqual(spectrum.rank, 32)
        XCTAssertEqual(spectrum.trace, run.measurement.noiseNorms.reduce(0) { $0 + $1 * $1 } / 80, accuracy: 1e-12 * spectrum.trace)
        XCTAssertEqual(spectrum.topEigenvalues, spectrum.topEigenvalues.sorted(by: >))
        let decoded = try JSONDecoder().decode(MeasurementSummary.self, from: Data(JSONOutput.encode(run.summary).utf8))
        let redrawn = try XCTUnwrap(NoiseReferences(summary: decoded, norms: run.measurement.noiseNorms).spectrum)
        let comparison = ReferenceComparison(observed: run.measurement.noiseNorms, referenceNorms: redrawn.norms, reference: redrawn.label)
        XCTAssertEqual(comparison.referenceShape, run.summary.spectrumReferenceComparison?.referenceShape)
        XCTAssertEqual(MeasureRequest().spectrumRank, 0, "off unless asked: it costs about 15 % of the noise loop")
        var unsketched = smallMeasureRequest()
        unsketched.spectrumRank = 0
        let plain = try MeasurementRun.measure(unsketched)
        XCTAssertNil(plain.summary.covarianceSpectrum)
        XCTAssertEqual(plain.measurement.noiseNorms, run.measurement.noiseNorms, "the sketch does not touch the measurement")
    }

    func testCheckOnAKnownParetoTail() throws {
        let random = RandomSource(seed: 7)
        let values = (0..<20_000).map { _ in random.pareto(alpha: 1.5) }
        let file = try temporaryDirectory() + "/pareto.txt"
        try AtomicFile.write(values.map(NumberText.exact).joined(separator: "\n") + "\n", to: file)
        var request = CheckRequest(files: [file])
        request.options = TailCheck.Options(seed: 1, bootstrapReplicates: 0)
        let outcome = try CheckWorkflow.run(request)
        XCTAssertEqual(outcome.report.n, 20_000)
        // Checked as independent samples, they come back sorted in place, from the largest down.
        XCTAssertEqual(outcome.samples, values.sorted(by: >))
        let alpha = try XCTUnwrap(outcome.report.hill.alpha)
        XCTAssertEqual(alpha, 1.5, accuracy: 0.15)
        XCTAssertEqual(outcome.report.verdict, .infiniteVariance)
        // Streaming keeps every value here (fewer than `top`): the same tail estimate.
        request.stream = true
        XCTAssertEqual(try XCTUnwrap(CheckWorkflow.run(request).report.hill.alpha), alpha, accuracy: 1e-12)
    }

    func testGoldenTwoRankLogFollowsTheMergeRule() throws {
        let run = RunDirectory(path: Self.goldenLog)
        let manifest = try TorchLogManifest.read(run)
        XCTAssertEqual(manifest.mode, "train")
        XCTAssertEqual(manifest.worldSize, 2)
        XCTAssertEqual(manifest.groups?.isEmpty, false)
        let rank0 = try SampleReader().read(path: Self.goldenLog + "/noise_norms.rank0.npy").values
        let rank1 = try SampleReader().read(path: Self.goldenLog + "/noise_norms.rank1.npy").values
        let merged = try SampleReader().read(path: Self.goldenLog + "/noise_norms.npy").values
        XCTAssertEqual(merged, rank0, "two ranks: the merged sample is rank 0's")
        for (a, b) in zip(rank0, rank1) { XCTAssertEqual(a, b, accuracy: 1e-12 * a) }
        // The directory, the merged file, and the two rank files give one and the same sample.
        var request = CheckRequest(files: [Self.goldenLog])
        request.options = TailCheck.Options(seed: 0, bootstrapReplicates: 0)
        XCTAssertEqual(try CheckWorkflow.run(request).samples, merged)
        request.files = [Self.goldenLog + "/noise_norms.rank0.npy", Self.goldenLog + "/noise_norms.rank1.npy"]
        let fromRanks = try CheckWorkflow.run(request)
        // Rank files named one by one are plain arrays, not a trajectory: sorted in place.
        XCTAssertEqual(fromRanks.samples, merged.sorted(by: >))
        XCTAssertEqual(fromRanks.notes.count, 1)
        var three = manifest
        three.worldSize = 3
        XCTAssertTrue((0..<3).allSatisfy { TorchLogRanks.contributes(rank: $0, manifest: three) })
        // The Swift side reads the same schema the companion writes to.
        let schema = try JSONSchemaCheck(path: Self.repository.appendingPathComponent("schemas/noisescope-log.manifest.schema.json").path)
        XCTAssertEqual(schema.problems(try JSONSerialization.jsonObject(with: run.data("manifest.json"))), [])
    }

    func testTrainingRunResumesToTheSameLoss() throws {
        var request = TrainingRequest()
        request.model = .logreg
        request.optimizer = .momentum
        request.learningRate = 0.1
        request.options = Trainer.Options(steps: 40, batchSize: 16, seed: 2, evaluateEvery: 10, checkpointEvery: 20)
        let whole = try temporaryDirectory()
        let rows = try TrainingRun.run(try TrainingRun.makeTrainer(request), into: whole)
        XCTAssertEqual(rows.map(\.step), [10, 20, 30, 40])
        let resumedDirectory = try temporaryDirectory()
        var first = request
        first.options.steps = 20
        try TrainingRun.run(try TrainingRun.makeTrainer(first), into: resumedDirectory)
        var second = request
        second.resume = resumedDirectory + "/checkpoints/final.ckpt"
        try TrainingRun.run(try TrainingRun.makeTrainer(second), into: resumedDirectory)
        XCTAssertEqual(try String(contentsOfFile: resumedDirectory + "/loss.csv"), try String(contentsOfFile: whole + "/loss.csv"))
    }

    /// Per-layer noise in train snapshots: one column a layer group, and the
    /// squares of a row sum to the square of that minibatch's whole noise norm.
    func testTrainSnapshotsKeepPerGroupNoise() throws {
        var request = TrainingRequest()
        request.model = .digitsMLP
        request.optimizer = .momentum
        request.learningRate = 0.1
        request.options = Trainer.Options(steps: 20, batchSize: 16, seed: 1, evaluateEvery: 10, noiseEvery: 10, noiseSamples: 60)
        let directory = try temporaryDirectory()
        try TrainingRun.run(try TrainingRun.makeTrainer(request), into: directory)
        let whole = try SampleReader(format: .csv, column: "noise_norm").read(path: directory + "/noise/step-000010.csv").values
        let text = try String(contentsOfFile: directory + "/noise/groups-000010.csv")
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.first, "mlp,head")
        XCTAssertEqual(lines.count - 1, whole.count)
        for (line, norm) in zip(lines.dropFirst(), whole) {
            let squares = line.split(separator: ",").map { Double($0)! * Double($0)! }.reduce(0, +)
            XCTAssertEqual(squares, norm * norm, accuracy: 1e-9 * norm * norm)
        }
    }

    func testDivergenceIsATypedError() throws {
        var request = TrainingRequest()
        request.model = .linreg  // least squares: a step size far above 2/L blows up geometrically
        request.optimizer = .sgd
        request.learningRate = 1e6
        request.options = Trainer.Options(steps: 20, batchSize: 16, seed: 0, evaluateEvery: 10)
        XCTAssertThrowsError(try TrainingRun.run(try TrainingRun.makeTrainer(request), into: try temporaryDirectory())) { error in
            guard case .diverged(let step, _)? = error as? NoiseScopeError else { return XCTFail("\(error)") }
            XCTAssertGreaterThanOrEqual(step, 1)
        }
    }
}
