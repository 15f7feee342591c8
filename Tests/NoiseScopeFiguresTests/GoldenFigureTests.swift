// Golden files: three reference figures compared byte for byte with
// Tests/NoiseScopeFiguresTests/Golden/*.svg.
//
// After an intended change to the output, look at the new figures (the failing test writes
// them next to its PNGs in $TMPDIR/noisescope-figures-tests/), then regenerate the files with
//
//     NOISESCOPE_UPDATE_GOLDEN=1 swift test --filter Golden
//
// which rewrites the files in the source tree (found via #filePath) instead of comparing.
// It does not touch Golden/CHECKSUMS: GoldenReviewTests then fails until you have rendered each
// changed file (rsvg-convert -w 1200 Golden/NAME.svg -o /tmp/NAME.png), looked at it, and put
// its new checksum with a note of what you checked in CHECKSUMS.

import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

final class GoldenFigureTests: XCTestCase {
    /// Same data in every golden figure: 3000 Pareto samples, α = 1.5, xmin = 1.
    private static let samples = Fixtures.pareto(count: 3000, alpha: 1.5, xmin: 1, seed: 2024)

    func testGoldenHistogram() throws {
        let figure = HeavyTailFigures.histogram(samples: Self.samples)
        try assertMatchesGolden(figure.render().svg, name: "histogram")
    }

    func testGoldenComplementaryCDFWithPowerLaw() throws {
        let figure = HeavyTailFigures.complementaryCDF(samples: Self.samples, powerLawXmin: 1, powerLawAlpha: 1.5)
        try assertMatchesGolden(figure.render().svg, name: "ccdf-power-law")
    }

    func testGoldenSummary() throws {
        let hill = Fixtures.hill(Self.samples)
        let figure = HeavyTailFigures.summary(
            samples: Self.samples, powerLawXmin: 1, powerLawAlpha: 1.5, hillK: hill.k, hillAlpha: hill.alpha,
            hillLower: hill.lower, hillUpper: hill.upper, chosenK: hill.k[40])
        try assertMatchesGolden(figure.render().svg, name: "summary")
    }

    private func assertMatchesGolden(_ svg: String, name: String, file: StaticString = #filePath,
                                     line: UInt = #line) throws {
        SVGValidation.assertValid(svg, name: "golden-" + name, file: file, line: line)
        if ProcessInfo.processInfo.environment["NOISESCOPE_UPDATE_GOLDEN"] == "1" {
            let directory = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
                .appendingPathComponent("Golden")
            try Data(svg.utf8).write(to: directory.appendingPathComponent(name + ".svg"))
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "svg", subdirectory: "Golden") else {
            XCTFail("missing golden file Golden/\(name).svg; create it with "
                    + "NOISESCOPE_UPDATE_GOLDEN=1 swift test --filter Golden", file: file, line: line)
            return
        }
        let expected = try Data(contentsOf: url)
        if expected != Data(svg.utf8) {
            let firstDifference = zip(expected, Data(svg.utf8)).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            XCTFail("\(name).svg differs from its golden file (first differing byte: "
                    + "\(firstDifference.map(String.init) ?? "length")); the new file is in "
                    + "\(SVGValidation.outputDirectory.path). If the change is intended, run "
                    + "NOISESCOPE_UPDATE_GOLDEN=1 swift test --filter Golden", file: file, line: line)
        }
    }
}
