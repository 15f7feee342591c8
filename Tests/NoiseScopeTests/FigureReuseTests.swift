import Foundation
import NoiseScopeSampling
import XCTest
@testable import NoiseScope

/// `figure` reads a model × data run back instead of measuring it again, only
/// when the folder holds a complete run with the figure's own settings, and
/// then reads the same numbers the measurement returned.
final class FigureReuseTests: XCTestCase {
    func testSavedRunIsReadBackOnlyWithTheSameSettings() throws {
        var request = MeasureRequest()
        request.model = .logreg
        (request.batchSize, request.samples, request.seed, request.bootstrap) = (16, 600, 3, 0)
        request.spectrumRank = CovarianceSketch.suggestedRank
        let run = try MeasurementRun.measure(request)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("figure-reuse-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try run.write(to: folder)

        var figures = PaperFigures()
        (figures.batchSize, figures.samples, figures.seed) = (16, 600, 3)
        let saved = try XCTUnwrap(figures.savedRun(in: folder, data: run.summary.data))
        XCTAssertEqual(saved.norms.map(\.bitPattern), run.measurement.noiseNorms.map(\.bitPattern))
        XCTAssertEqual(saved.coordinates.map(\.bitPattern), run.measurement.firstBatchCoordinates.map(\.bitPattern))
        XCTAssertEqual(saved.variance.map(\.samples), run.measurement.variance.map(\.samples))
        XCTAssertEqual(saved.variance.map(\.variance.bitPattern), run.measurement.variance.map(\.variance.bitPattern))
        XCTAssertEqual(saved.summary.verdict, run.summary.verdict)
        XCTAssertEqual(saved.summary.check.hill.alpha, run.summary.check.hill.alpha)

        // Any other setting measures anew.
        var other = figures
        other.seed = 4
        XCTAssertNil(other.savedRun(in: folder, data: run.summary.data), "another seed")
        other = figures
        other.samples = 700
        XCTAssertNil(other.savedRun(in: folder, data: run.summary.data), "another N")
        other = figures
        other.batchSize = 8
        XCTAssertNil(other.savedRun(in: folder, data: run.summary.data), "another batch size")
        XCTAssertNil(figures.savedRun(in: folder, data: "text"), "other data")
        // A run missing a file is not complete: measured anew, never half read.
        try FileManager.default.removeItem(atPath: folder + "/coordinates.csv")
        XCTAssertNil(figures.savedRun(in: folder, data: run.summary.data))
        XCTAssertNil(figures.savedRun(in: folder + "-absent", data: run.summary.data))
    }
}
