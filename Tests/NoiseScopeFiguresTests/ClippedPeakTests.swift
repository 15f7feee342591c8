import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 26: a histogram cut off by the upper y limit (the isotropic Gaussian's spike in the
/// noise-norm overlay of measurement.svg and fig1) is marked at the top edge with its true peak.
final class ClippedPeakTests: XCTestCase {

    private func overlay(spikeWidth: Double) -> Axes {
        var generator = LinearCongruentialGenerator(seed: 31)
        let data = (0..<2000).map { _ in 0.6 + 0.8 * generator.nextUniform() + 0.05 * generator.nextPareto(alpha: 2, xmin: 1) }
        let matched = (0..<2000).map { _ in 0.7 + 0.6 * generator.nextUniform() }
        let isotropic = (0..<2000).map { _ in 1 + spikeWidth * (generator.nextUniform() - 0.5) }
        return NoiseFigures.overlayAxes(data, matched: ("Gaussian, effective dimension 836", matched),
                                        isotropic: ("Isotropic Gaussian, D = 120000", isotropic), title: "Noise norms")
    }

    func testReferenceSpikeAboveTheYLimitIsMarkedWithItsPeak() throws {
        let axes = overlay(spikeWidth: 0.01)
        guard case let .histogram(spike) = axes.series[2].content else { return XCTFail("no isotropic histogram") }
        let peak = try XCTUnwrap(spike.values.max())
        let top = try XCTUnwrap(axes.yLimits?.upperBound)
        XCTAssertGreaterThan(peak, top, "the spike runs off the top")

        let svg = Figure(axes).render().svg
        SVGValidation.assertValid(svg, name: "review-clipped-spike")
        let structure = try SVGStructure(svg)
        let panel = try XCTUnwrap(structure.panels.first)
        let label = try XCTUnwrap(panel.texts.first { $0.content == "peak " + NumberLabels.quoted(peak) },
                                  "no label with the true peak: \(panel.texts.map(\.content))")
        XCTAssertGreaterThan(label.verticalExtent.lowerBound, panel.frame.y, "the label sits inside the plot, at its top")
        XCTAssertLessThan(label.verticalExtent.upperBound, panel.frame.y + 0.1 * panel.frame.height)
        // A triangle (three corners, closed) in the spike's colour pointing up at the top edge.
        let triangles = structure.elements("path").filter { path in
            let d = SVGStructure.attribute(path, "d") ?? ""
            return d.hasSuffix("Z") && d.filter { $0 == "M" }.count == 1 && SVGStructure.pathPoints(d).count == 3
                && SVGStructure.attribute(path, "fill") == Color.vermillion.hex
        }
        XCTAssertEqual(triangles.count, 1)
        let corners = SVGStructure.pathPoints(SVGStructure.attribute(triangles[0], "d")!)
        let apex = corners.min { $0.y < $1.y }!
        XCTAssertEqual(apex.y, panel.frame.y + 2, accuracy: 0.01)
        // The label sits beside the spike, clear of the triangle.
        let labelSide = label.anchor == "start" ? label.horizontalExtent.lowerBound - apex.x : apex.x - label.horizontalExtent.upperBound
        XCTAssertGreaterThanOrEqual(labelSide, ClippedPeak.halfWidth)
        XCTAssertLessThanOrEqual(labelSide, 30)
        XCTAssertTrue(corners.allSatisfy { $0.y > panel.frame.y && $0.y < panel.frame.y + 15 })
    }

    /// Engine level: any histogram cut by explicit y limits gets the mark, on the tallest cut
    /// bar; near the right edge the label goes left of the bar, and both stay in the plot.
    func testClippedBarAtTheRightEdgeIsLabelledOnItsLeft() throws {
        var axes = Axes(title: "Spike at the right", xLabel: "x", yLabel: "count", yLimits: 0...5)
        axes.add(.histogram(Histogram(samples: Array(0..<10).map(Double.init) + Array(repeating: 9.9, count: 40),
                                      binning: .count(10), normalization: .count)))
        let structure = try SVGStructure(Figure(axes).render().svg)
        let panel = try XCTUnwrap(structure.panels.first)
        let label = try XCTUnwrap(panel.texts.first { $0.content == "peak 41" }, "\(panel.texts.map(\.content))")
        XCTAssertEqual(label.anchor, "end")
        XCTAssertGreaterThanOrEqual(label.horizontalExtent.lowerBound, panel.frame.x)
        XCTAssertLessThanOrEqual(label.horizontalExtent.upperBound, panel.frame.x + panel.frame.width)
        XCTAssertEqual(structure.texts.filter { $0.content.hasPrefix("peak ") }.count, 1, "one mark per histogram")
    }

    /// A spike several bins wide, with an empty bin in it: the triangle over its tallest bin,
    /// the label clear of all of them.
    func testLabelClearsEveryBarOfTheSpike() throws {
        let samples = Array(0..<20).map(Double.init) + Array(repeating: 9.5, count: 20) + Array(repeating: 10.5, count: 30)
            + Array(repeating: 12.5, count: 20)
        var axes = Axes(xLabel: "x", yLabel: "count", xLimits: 0...20, yLimits: 0...5)
        axes.add(.histogram(Histogram(samples: samples, binning: .edges((0...20).map(Double.init)), normalization: .count)))
        let structure = try SVGStructure(Figure(axes).render().svg)
        let panel = try XCTUnwrap(structure.panels.first)
        let label = try XCTUnwrap(panel.texts.first { $0.content == "peak 31" }, "\(panel.texts.map(\.content))")
        let pixel = { (x: Double) in panel.frame.x + panel.frame.width * x / 20 }
        XCTAssertEqual(label.anchor, "start")
        XCTAssertGreaterThan(label.horizontalExtent.lowerBound, pixel(13), "right of the last bar of the spike, past the empty bin")
        let triangle = try XCTUnwrap(structure.elements("path").first {
            SVGStructure.attribute($0, "stroke") == Theme.textColor && (SVGStructure.attribute($0, "d") ?? "").hasSuffix("Z")
        })
        let apex = SVGStructure.pathPoints(SVGStructure.attribute(triangle, "d")!).min { $0.y < $1.y }!
        XCTAssertEqual(apex.x, pixel(10.5), accuracy: 0.01, "over the tallest bin")
    }

    func testHistogramInsideTheYRangeHasNoPeakMark() throws {
        let structure = try SVGStructure(Figure(overlay(spikeWidth: 2)).render().svg)
        XCTAssertFalse(structure.texts.contains { $0.content.hasPrefix("peak ") })
        let histogram = try SVGStructure(HeavyTailFigures.histogram(samples: Fixtures.pareto(count: 3000)).render().svg)
        XCTAssertFalse(histogram.texts.contains { $0.content.hasPrefix("peak ") })
    }
}
