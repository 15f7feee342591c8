import Foundation
import NoiseScopeSampling
import XCTest
@testable import NoiseScope

/// `figure` reads a model × data run back instead of measuring it again only
/// when a figure measured it in that folder with the same key (model, data,
/// batch, N, seed, sketch rank, verdict rule), and then reads the same numbers
/// the measurement returned.
final class FigureReuseTests: XCTestCase {
    func testSavedRunIsReadBackOnlyWithTheSameKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("figure-reuse-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var figures = PaperFigures()
        (figures.directory, figures.batchSize, figures.samples, figures.seed) = (directory, 16, 600, 3)
        let pair = (model: ModelCatalog.Architecture.logreg, data: "digits")
        let measured = try figures.measure(pair)
        let folder = directory + "/logreg-digits"
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + PaperFigures.RunKey.file))

        let saved = try XCTUnwrap(figures.savedRun(in: folder, pair: pair))
        XCTAssertEqual(saved.norms.map(\.bitPattern), measured.norms.map(\.bitPattern))
        XCTAssertEqual(saved.coordinates.map(\.bitPattern), measured.coordinates.map(\.bitPattern))
        XCTAssertEqual(saved.variance.map(\.samples), measured.variance.map(\.samples))
        XCTAssertEqual(saved.variance.map(\.variance.bitPattern), measured.variance.map(\.variance.bitPattern))
        XCTAssertEqual(saved.summary.verdict, measured.summary.verdict)
        XCTAssertEqual(saved.summary.check.hill.alpha, measured.summary.check.hill.alpha)
        XCTAssertEqual(saved.summary.covarianceSpectrum?.rank, CovarianceSketch.suggestedRank)

        // Any other setting measures anew.
        for change in [{ (f: inout PaperFigures) in f.seed = 4 }, { $0.samples = 700 }, { $0.batchSize = 8 }] {
            var other = figures
            change(&other)
            XCTAssertNil(other.savedRun(in: folder, pair: pair))
        }
        XCTAssertNil(figures.savedRun(in: folder, pair: (model: .logreg, data: "text")), "other data")
        XCTAssertNil(figures.savedRun(in: folder, pair: (model: .linreg, data: "digits")), "another model")
        // A run missing a file is not complete; a folder without the key (as measure writes it) is not a figure's.
        try FileManager.default.removeItem(atPath: folder + "/coordinates.csv")
        XCTAssertNil(figures.savedRun(in: folder, pair: pair))
        _ = try figures.measure(pair)
        XCTAssertNotNil(figures.savedRun(in: folder, pair: pair), "measured again, complete again")
        try FileManager.default.removeItem(atPath: folder + "/" + PaperFigures.RunKey.file)
        XCTAssertNil(figures.savedRun(in: folder, pair: pair))
        XCTAssertNil(figures.savedRun(in: folder + "-absent", pair: pair))
    }
}
