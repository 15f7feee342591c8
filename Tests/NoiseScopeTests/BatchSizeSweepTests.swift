import Foundation
import NoiseScope
import NoiseScopeCore
import XCTest
import NoiseScopeStatistics

/// The sweep's grid search, intervals and files.
final class BatchSizeSweepTests: XCTestCase {
    /// A loss with its minimum at `optimum` in log space; rates above `divergesAbove` diverge.
    func search(start: Double, optimum: Double, divergesAbove: Double = .infinity,
                bounds: ClosedRange<Double> = 1e-5...10) throws -> (best: Double?, tried: [Double], atEdge: Bool) {
        var tried: [Double] = []
        let result = try BatchSizeSweep.tune(start: start, factor: 10, bounds: bounds) { lr in
            tried.append(lr)
            return lr > divergesAbove ? nil : pow(log10(lr) - log10(optimum), 2)
        }
        XCTAssertEqual(result.grid.map(\.learningRate), tried.sorted(), "the grid lists every rate tried, ascending")
        return (result.best, tried, result.atEdge)
    }

    func testGridExtendsPastAnEdgeUntilTheBestIsInside() throws {
        let up = try search(start: 1e-3, optimum: 1)
        XCTAssertEqual(up.best!, 1, accuracy: 1e-12)
        XCTAssertEqual(up.tried.count, 6)       // 1e-4, 1e-3, 1e-2, then 0.1, 1, 10
        XCTAssertFalse(up.atEdge)
        let down = try search(start: 1e-1, optimum: 1e-4)
        XCTAssertEqual(down.best!, 1e-4, accuracy: 1e-15)
        XCTAssertEqual(down.tried.count, 6)     // 1e-2, 0.1, 1, then 1e-3, 1e-4, 1e-5
        XCTAssertFalse(down.atEdge)
        let inside = try search(start: 1e-2, optimum: 1e-2)
        XCTAssertEqual(inside.tried.count, 3)
        XCTAssertFalse(inside.atEdge)
    }

    func testABestRateOnABoundIsFlagged() throws {
        let capped = try search(start: 1e-2, optimum: 1e3, bounds: 1e-5...1)
        XCTAssertEqual(capped.best!, 1, accuracy: 1e-12)
        XCTAssertTrue(capped.atEdge)
        XCTAssertEqual(capped.tried.max()!, 1, accuracy: 1e-12, "never past the bound")
    }

    func testDivergedRatesCountAsWorstAndStopTheClimb() throws {
        // The optimum 1e3 lies beyond the divergence at 0.5: the best is 0.1, inside (its neighbour diverged).
        let result = try search(start: 1e-2, optimum: 1e3, divergesAbove: 0.5)
        XCTAssertEqual(result.best!, 0.1, accuracy: 1e-12)
        XCTAssertFalse(result.atEdge)
        // Everything diverges: down to the bound, then no rate.
        let none = try search(start: 1e-2, optimum: 1, divergesAbove: 0, bounds: 1e-4...1)
        XCTAssertNil(none.best)
        XCTAssertTrue(none.atEdge)
        XCTAssertEqual(none.tried.min()!, 1e-4, accuracy: 1e-16)
    }

    func testTIntervals() {
        let interval = MeanInterval([1, 2, 3])!
        XCTAssertEqual(interval.mean, 2)
        // s = 1; t₀.₉₇₅ with 2 degrees of freedom in closed form, (2p − 1)/√(2p(1 − p)).
        XCTAssertEqual(interval.halfWidth, 0.95 / (2 * 0.975 * 0.025).squareRoot() * (1.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertTrue(MeanInterval([5])!.halfWidth.isNaN)
        XCTAssertNil(MeanInterval([]))
    }

    /// A tiny sweep on logreg end to end: the files and their rows.
    func testSmallSweepWritesEveryRunAndTheSummary() throws {
        var request = SweepRequest()
        request.model = .logreg
        request.batchSizes = [4, 32]
        request.optimizers = [.momentum, .sign]
        request.steps = 20
        request.seeds = 2
        request.gridFactor = 10
        var lines: [String] = []
        let result = try BatchSizeSweep.run(request, log: { lines.append($0) })
        XCTAssertEqual(result.cells.count, 4)
        XCTAssertEqual(lines.count, result.runs.count)
        for cell in result.cells {
            let evaluations = result.runs.filter { $0.batchSize == cell.batchSize && $0.optimizer == cell.optimizer && $0.purpose == .evaluate }
            XCTAssertEqual(evaluations.map(\.seed), [1, 2], "seed 0 only tunes")
            XCTAssertEqual(evaluations.map(\.learningRate), [cell.bestLearningRate!, cell.bestLearningRate!])
            XCTAssertEqual(cell.interval!.count + cell.diverged, 2)
            XCTAssertGreaterThanOrEqual(cell.grid.count, 3)
            XCTAssertTrue(result.bucketLabels.isEmpty, "logreg has no byte targets to bucket")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try result.write(to: directory, title: "test")
        let runs = try String(contentsOfFile: directory + "/runs.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(runs.count, 1 + result.runs.count)
        let summary = try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(summary.count, 5)
        XCTAssertTrue(summary[0].hasPrefix("batch_size,optimizer,best_learning_rate,edge,"))
        XCTAssertTrue(runs[0].hasPrefix("batch_size,optimizer,learning_rate,"), "no subset columns unless asked")
        XCTAssertNil(result.trainingExamples)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sweep.svg"))
        XCTAssertTrue(result.summaryMarkdown.contains("| 32 | sign |"))
    }

    func testBadRequestsAreRefused() {
        var request = SweepRequest()
        request.batchSizes = []
        XCTAssertThrowsError(try BatchSizeSweep.validate(request))
        request = SweepRequest()
        request.gridFactor = 1
        XCTAssertThrowsError(try BatchSizeSweep.validate(request))
        // A subset outside 1…split (logreg: 1617 training digits), or a batch above the subset.
        func refusal(_ examples: Int, _ batches: [SweepBatch]) -> NoiseScopeError.Setting? {
            var request = SweepRequest()
            request.model = .logreg
            request.trainingExamples = examples
            request.batchSizes = batches
            do { try BatchSizeSweep.validate(request); return nil } catch let NoiseScopeError.invalidSetting(setting, _) { return setting } catch { return nil }
        }
        XCTAssertEqual(refusal(0, [.full]), .trainingExamples)
        XCTAssertEqual(refusal(1618, [.full]), .trainingExamples)
        XCTAssertEqual(refusal(16, [8, 32]), .batchSize)
        XCTAssertNil(refusal(1617, [8, .full]))
    }

    /// Batch sizes up to the full batch on the first 32 digits: the full batch
    /// is 32, and the files say so.
    func testAFullBatchSweepOnASubsetRecordsIt() throws {
        var request = SweepRequest()
        request.model = .logreg
        request.trainingExamples = 32
        request.batchSizes = [8, .full]
        request.optimizers = [.momentum]
        request.steps = 5
        request.seeds = 2
        request.gridFactor = 10
        let result = try BatchSizeSweep.run(request)
        XCTAssertEqual(result.trainingExamples, 32)
        XCTAssertEqual(result.splitExamples, 1617)
        XCTAssertEqual(result.cells.map(\.batchSize), [8, 32])
        XCTAssertEqual(result.cells.map(\.fullBatch), [false, true])
        XCTAssertTrue(result.runs.allSatisfy { $0.fullBatch == ($0.batchSize == 32) })
        let runs = result.runsCSV.split(separator: "\n")
        XCTAssertTrue(runs[0].hasPrefix("batch_size,full_batch,training_examples,optimizer,learning_rate,"), String(runs[0]))
        XCTAssertTrue(runs.contains { $0.hasPrefix("32,true,32,momentum,") })
        XCTAssertTrue(runs.contains { $0.hasPrefix("8,false,32,momentum,") })
        XCTAssertTrue(result.summaryCSV.hasPrefix("batch_size,full_batch,training_examples,optimizer,best_learning_rate,"))
        XCTAssertTrue(result.summaryMarkdown.hasPrefix("Trained on the first 32 of the 1617 training examples;"), result.summaryMarkdown)
        XCTAssertTrue(result.summaryMarkdown.contains("| 32 (full) | momentum |"))
        XCTAssertTrue(result.summaryMarkdown.contains("| 8 | momentum |"))
    }
}
