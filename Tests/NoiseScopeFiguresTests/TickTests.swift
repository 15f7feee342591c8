import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Tick positions and labels on linear and log axes, including the awkward ranges.
final class TickTests: XCTestCase {
    private func labels(_ ticks: AxisTicks) -> [String] { ticks.major.map(\.label) }

    private func assertEvenlySpaced(_ ticks: AxisTicks, file: StaticString = #filePath, line: UInt = #line) {
        let values = ticks.major.map(\.value)
        XCTAssertGreaterThanOrEqual(values.count, 2, file: file, line: line)
        let steps = zip(values.dropFirst(), values).map { $0 - $1 }
        for step in steps {
            XCTAssertEqual(step, steps[0], accuracy: abs(steps[0]) * 1e-9, file: file, line: line)
        }
    }

    func testRangeCrossingZeroIncludesZeroWithMinusSigns() {
        let ticks = Scale.linear.ticks(for: -3.7...8.2, targetCount: 6, pixelLength: 500)
        XCTAssertEqual(labels(ticks), ["−2.5", "0.0", "2.5", "5.0", "7.5"])
        XCTAssertNil(ticks.multiplier)
        assertEvenlySpaced(ticks)
    }

    func testDecimalStepsAreLabelledExactly() {
        let ticks = Scale.linear.ticks(for: 0.1...0.72, targetCount: 5, pixelLength: 500)
        XCTAssertEqual(labels(ticks), ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
        XCTAssertEqual(ticks.major[2].value, 0.3) // exactly 0.3, not 0.30000000000000004
    }

    func testTinyMagnitudesUseASharedMultiplier() {
        let ticks = Scale.linear.ticks(for: 1e-9...3e-9, targetCount: 5, pixelLength: 500)
        XCTAssertEqual(ticks.multiplier, "×10⁻⁹")
        XCTAssertEqual(labels(ticks), ["1.0", "1.5", "2.0", "2.5", "3.0"])
        XCTAssertEqual(ticks.major[0].value, 1e-9, accuracy: 1e-24)
        assertEvenlySpaced(ticks)
    }

    func testHugeMagnitudesUseASharedMultiplier() {
        let ticks = Scale.linear.ticks(for: 0...1e12, targetCount: 6, pixelLength: 500)
        XCTAssertEqual(ticks.multiplier, "×10¹²")
        XCTAssertEqual(labels(ticks), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(ticks.major.last?.value, 1e12)
    }

    func testNegativeOnlyRange() {
        let ticks = Scale.linear.ticks(for: -870 ... -120, targetCount: 5, pixelLength: 500)
        XCTAssertEqual(labels(ticks), ["−800", "−600", "−400", "−200"])
        XCTAssertTrue(ticks.major.allSatisfy { $0.value < 0 })
    }

    func testAutomaticLimitsForASingleValue() {
        XCTAssertEqual(Scale.linear.automaticLimits(dataMin: 5, dataMax: 5), 4.5...5.5)
        XCTAssertEqual(Scale.linear.automaticLimits(dataMin: 0, dataMax: 0), -1...1)
        XCTAssertEqual(Scale.linear.automaticLimits(dataMin: -2e-9, dataMax: -2e-9).lowerBound, -2.2e-9, accuracy: 1e-20)
        let ticks = Scale.linear.ticks(for: 4.5...5.5, targetCount: 5, pixelLength: 400)
        XCTAssertEqual(labels(ticks), ["4.50", "4.75", "5.00", "5.25", "5.50"])
        let logLimits = Scale.log10.automaticLimits(dataMin: 5, dataMax: 5)
        XCTAssertEqual(logLimits.lowerBound, 5 / 10.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(logLimits.upperBound, 5 * 10.0.squareRoot(), accuracy: 1e-12)
    }

    func testAutomaticLimitsPadFivePercentAndKeepZeroForBars() {
        XCTAssertEqual(Scale.linear.automaticLimits(dataMin: 0, dataMax: 10), -0.5...10.5)
        XCTAssertEqual(Scale.linear.automaticLimits(dataMin: 0, dataMax: 10, keepsZero: true), 0...10.5)
        XCTAssertEqual(Scale.linear.automaticLimits(dataMin: nil, dataMax: nil), 0...1)
        XCTAssertEqual(Scale.log10.automaticLimits(dataMin: nil, dataMax: nil), 1...10)
    }

    func testZeroWidthOrInvalidRangesGiveNoTicksInsteadOfCrashing() {
        XCTAssertEqual(Scale.linear.ticks(for: 3...3, targetCount: 5, pixelLength: 100).major, [])
        XCTAssertEqual(Scale.log10.ticks(for: 0...10, targetCount: 5, pixelLength: 100).major, [])
        XCTAssertNil(ExtendedWilkinson.ticks(dataMin: .nan, dataMax: 1, targetCount: 5))
        XCTAssertFalse(Scale.log10.acceptsLimits(-1...10))
        XCTAssertFalse(Scale.linear.acceptsLimits(2...2))
    }

    func testLooseLabelingEnclosesTheData() throws {
        let sequence = try XCTUnwrap(ExtendedWilkinson.ticks(dataMin: 0.13, dataMax: 4.87, targetCount: 5,
                                                              containment: .enclosing))
        let values = sequence.mantissas.map { NiceTickSequence.value(mantissa: $0, exponent: sequence.exponent) }
        XCTAssertLessThanOrEqual(values.first!, 0.13)
        XCTAssertGreaterThanOrEqual(values.last!, 4.87)
    }

    func testLogAxisOverManyDecadesSkipsDecadesOnlyWhenCrowded() {
        // 16 decades are more than 2 × 6 labels: every second decade, the others as minor ticks.
        let ticks = Scale.log10.ticks(for: 1e-3...1e12, targetCount: 6, pixelLength: 500)
        XCTAssertEqual(labels(ticks), ["10⁻²", "10⁰", "10²", "10⁴", "10⁶", "10⁸", "10¹⁰", "10¹²"])
        XCTAssertEqual(ticks.minor.count, 8) // the unlabelled decades
        XCTAssertTrue(ticks.minor.contains(1e-3))
        // With few labels asked for (a short axis), every third decade.
        let short = Scale.log10.ticks(for: 1e-3...1e12, targetCount: 3, pixelLength: 150)
        XCTAssertEqual(labels(short), ["10⁻³", "10⁰", "10³", "10⁶", "10⁹", "10¹²"])
    }

    func testLogAxisWithFewDecadesHasMinorTicksAtTwoToNine() {
        let ticks = Scale.log10.ticks(for: 1...1000, targetCount: 6, pixelLength: 500)
        XCTAssertEqual(labels(ticks), ["10⁰", "10¹", "10²", "10³"])
        XCTAssertEqual(ticks.minor.count, 3 * 8)
        XCTAssertEqual(ticks.minor.first!, 2, accuracy: 1e-12)
        XCTAssertEqual(ticks.minor.last!, 900, accuracy: 1e-9)
        XCTAssertEqual(ticks.major[0].value, 1)
        // Too short an axis for 24 minor ticks: none.
        XCTAssertEqual(Scale.log10.ticks(for: 1...1000, targetCount: 6, pixelLength: 60).minor, [])
    }

    func testLogAxisWithinOneDecade() {
        let oneTwoFive = Scale.log10.ticks(for: 0.3...3, targetCount: 5, pixelLength: 400)
        XCTAssertEqual(labels(oneTwoFive), ["0.5", "1", "2"])
        let wide = Scale.log10.ticks(for: 2...8, targetCount: 8, pixelLength: 400)
        XCTAssertEqual(labels(wide), ["2", "3", "4", "5", "6", "7", "8"])
        let narrow = Scale.log10.ticks(for: 2...8, targetCount: 4, pixelLength: 150)
        XCTAssertEqual(labels(narrow), ["2", "4", "6", "8"])
        let extreme = Scale.log10.ticks(for: 2e-9...9e-9, targetCount: 3, pixelLength: 150)
        XCTAssertEqual(labels(extreme), ["3", "6", "9"])
        XCTAssertEqual(extreme.multiplier, "×10⁻⁹")
        let extremeOneTwoFive = Scale.log10.ticks(for: 1.5e-9...2.5e-8, targetCount: 5, pixelLength: 400)
        XCTAssertEqual(labels(extremeOneTwoFive), ["2×10⁻⁹", "5×10⁻⁹", "10⁻⁸", "2×10⁻⁸"])
    }

    func testLogAxisVeryNarrowRangeFallsBackToLinearTicks() {
        let ticks = Scale.log10.ticks(for: 1.01...1.09, targetCount: 5, pixelLength: 400)
        XCTAssertEqual(labels(ticks), ["1.01", "1.03", "1.05", "1.07", "1.09"])
    }

    func testPanelAsksForFewerTicksWhenLabelsWouldCollide() {
        var axes = Axes()
        axes.add(.line(x: [0, 123_456], y: [0, 1]))
        let limits = AxesLimits(axes)
        let narrow = PanelLayout(axes: axes, limits: limits, plot: Rect(minX: 0, minY: 0, width: 150, height: 100))
        let positions = narrow.x.ticks.major.map { narrow.x.pixel($0.value) }
        let widths = narrow.x.ticks.major.map { TextMetrics.width(of: $0.label, fontSize: Theme.tickFontSize) }
        for i in positions.indices.dropFirst() {
            XCTAssertGreaterThanOrEqual(positions[i] - positions[i - 1], (widths[i] + widths[i - 1]) / 2)
        }
        let wide = PanelLayout(axes: axes, limits: limits, plot: Rect(minX: 0, minY: 0, width: 900, height: 100))
        XCTAssertGreaterThan(wide.x.ticks.major.count, narrow.x.ticks.major.count)
    }
}
