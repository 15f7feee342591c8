import Foundation
import XCTest

/// `train`, `measure --checkpoint` and `simulate` end to end, on small settings.
final class TrainCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try CommandLineHarness.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func lines(_ path: String) throws -> [Substring] { try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") }

    func testLossByFrequencyFileAddsUpToTheValidationLoss() throws {
        let out = directory.appendingPathComponent("freq").path
        let result = try CommandLineHarness.run(["train", "--model", "tinygpt", "--width", "16", "--layers", "1", "--heads", "2",
                                                 "--context", "16", "--optimizer", "sign", "--batch", "4", "--steps", "4",
                                                 "--eval-every", "2", "--loss-by-frequency", "--quiet", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try lines(out + "/loss_by_frequency.csv")
        XCTAssertEqual(rows.first, "step,split,bucket,ranks,training_share,positions,loss")
        XCTAssertEqual(rows.count, 1 + 2 * 2 * 3)  // 2 evaluations × 2 splits × 3 buckets
        XCTAssertEqual(rows.dropFirst().map { $0.split(separator: ",")[3] }.prefix(3), ["1-8", "9-40", "41-256"])
        let validation = try lines(out + "/loss.csv")[2].split(separator: ",")[2]
        let last = rows.suffix(3).map { $0.split(separator: ",") }
        let weighted = last.reduce(0.0) { $0 + Double($1[5])! * Double($1[6])! } / last.reduce(0.0) { $0 + Double($1[5])! }
        XCTAssertEqual(weighted, Double(validation)!, accuracy: 1e-5 * Double(validation)!)
        // Refused, with a message, for a model without class targets.
        let refused = try CommandLineHarness.run(["train", "--model", "linreg", "--steps", "2", "--loss-by-frequency", "--quiet",
                                                  "--out", directory.appendingPathComponent("linreg").path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("no class targets"), refused.stderr)
    }

    func testTrainResumeAndMeasureTheCheckpoint() throws {
        let straight = directory.appendingPathComponent("straight").path
        let common = ["train", "--model", "logreg", "--optimizer", "momentum", "--lr", "0.5", "--batch", "16",
                      "--eval-every", "10", "--quiet", "--blas-kernels", "library"]
        let result = try CommandLineHarness.run(common + ["--steps", "40", "--checkpoint-every", "20", "--noise-every", "20",
                                                          "--noise-samples", "20", "--out", straight])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: straight + "/checkpoints").sorted(), ["final.ckpt", "step-000020.ckpt"])
        let loss = try lines(straight + "/loss.csv")
        XCTAssertEqual(loss.first, "step,train_loss,validation_loss")
        XCTAssertEqual(loss.count, 5)
        let firstValidation = Double(loss[1].split(separator: ",")[2])!, lastValidation = Double(loss[4].split(separator: ",")[2])!
        XCTAssertLessThan(lastValidation, firstValidation)
        XCTAssertEqual(try lines(straight + "/noise/snapshots.csv").count, 4)  // header + steps 0, 20, 40
        XCTAssertEqual(try lines(straight + "/noise/step-000020.csv").count, 21)

        // Resume from step 20 into a copy of the directory: the same loss rows and final checkpoint.
        let resumed = directory.appendingPathComponent("resumed").path
        try FileManager.default.createDirectory(atPath: resumed, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: straight + "/loss.csv", toPath: resumed + "/loss.csv")
        let again = try CommandLineHarness.run(common + ["--steps", "40", "--resume", straight + "/checkpoints/step-000020.ckpt", "--out", resumed])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try lines(resumed + "/loss.csv"), loss)
        XCTAssertEqual(FileManager.default.contents(atPath: resumed + "/checkpoints/final.ckpt"),
                       FileManager.default.contents(atPath: straight + "/checkpoints/final.ckpt"))

        // A resumed run keeps its checkpoint's training examples; another count asked for is refused.
        let subset = try CommandLineHarness.run(common + ["--steps", "40", "--resume", straight + "/checkpoints/step-000020.ckpt",
                                                          "--train-examples", "100", "--out", resumed + "-2"])
        XCTAssertEqual(subset.status, 1)
        XCTAssertEqual(subset.stderr, "noisescope: error: --train-examples: the checkpoint trained on the whole training split, not 100; leave it out to continue as it was\n")

        // measure --checkpoint builds the trained model from the file.
        let measured = directory.appendingPathComponent("measured").path
        let measure = try CommandLineHarness.run(["measure", "--checkpoint", straight + "/checkpoints/final.ckpt", "--samples", "30",
                                                  "--out", measured, "--json", "--bootstrap", "0", "--quiet", "--blas-kernels", "library"])
        XCTAssertEqual(measure.status, 0, measure.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(measure.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["model"] as? String, "logreg")
        XCTAssertEqual(summary["batch_size"] as? Int, 16)
        // Other data asked for explicitly is refused, not silently replaced by the checkpoint's.
        let conflicting = try CommandLineHarness.run(["measure", "--checkpoint", straight + "/checkpoints/final.ckpt", "--data", "diabetes",
                                                      "--samples", "30", "--out", measured + "-2", "--quiet"])
        XCTAssertEqual(conflicting.status, 1)
        XCTAssertEqual(conflicting.stderr, "noisescope: error: --data: the checkpoint was trained on digits, not diabetes; leave the data out to measure on the checkpoint's own\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: measured + "-2"))
    }

    func testBadTrainingInputs() throws {
        let corrupt = directory.appendingPathComponent("bad.ckpt").path
        // The magic, then a header length of 1000 bytes with only two bytes behind it.
        try (Data("NSCKPT01".utf8) + Data([0xE8, 0x03, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8)).write(to: URL(fileURLWithPath: corrupt))
        let cases: [([String], String)] = [
            (["train", "--optimizer", "lion"], "The value 'lion' is invalid for '--optimizer <optimizer>'. Choose one of sgd, momentum,"),
            (["train", "--model", "logreg", "--optimizer", "sgd", "--lr=-1"], "--lr must be a finite positive number"),
            (["train", "--resume", corrupt, "--optimizer", "sgd"], "truncated checkpoint header"),
            (["measure", "--checkpoint", directory.appendingPathComponent("none.ckpt").path], "no such checkpoint"),
            (["train", "--model", "logreg", "--train-examples", "0"], "--train-examples must be between 1"),
            (["train", "--model", "logreg", "--batch", "16", "--train-examples", "8"], "--batch must be between 1 and 8"),
            (["train", "--model", "logreg", "--batch", "16", "--train-examples", "1618"],
             "--train-examples: the training example count must be between 1 and the 1617 examples of the training split, got 1618"),
            (["sweep", "--model", "logreg", "--batches", "8,full", "--train-examples", "1618"],
             "--train-examples: the training example count must be between 1 and the 1617 examples of the training split, got 1618"),
            (["sweep", "--model", "logreg", "--batches", "8,64", "--train-examples", "32"], "--batches must be between 1 and 32"),
        ]
        for (arguments, expected) in cases {
            let result = try CommandLineHarness.run(arguments + ["--out", directory.appendingPathComponent("out").path, "--quiet"])
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(expected), "stderr was: \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
    }

    func testSimulateWritesQuantiles() throws {
        let out = directory.appendingPathComponent("sim").path
        let result = try CommandLineHarness.run(["simulate", "--steps", "100", "--replicates", "200", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try lines(out + "/quantiles.csv")
        XCTAssertEqual(rows.first, "method,delta,quantile_level,final_error,lower_95,upper_95", "the quantile and its 95 % interval")
        XCTAssertEqual(rows.count, 1 + 6 * 4)
        // For each method the quantiles grow with 1 − δ.
        for method in ["sgd", "clip-sgd", "adagrad-norm", "adam-norm", "clip-adagrad-norm", "clip-adam-norm"] {
            let values = rows.filter { $0.hasPrefix(method + ",") }.map { Double($0.split(separator: ",")[3])! }
            XCTAssertEqual(values.count, 4, method)
            XCTAssertEqual(values, values.sorted(), method)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/quantiles.svg"))
        XCTAssertEqual(try CommandLineHarness.run(["simulate", "--alpha", "3", "--out", out]).status, 1)
    }
}
