import Foundation
import XCTest
@testable import NoiseScopeModels

/// The Float path's branch-free exp against libm on a dense grid.
final class FastMathTests: XCTestCase {
    /// exp: relative error ≤ 3e-7 (≈ 2.5 ulp of Float) across the whole clamped range.
    func testFastExpAccuracy() {
        var worst = 0.0
        var x: Float = -87
        while x <= 88 {
            let approx = Double(FastMath.exp(x)), exact = Foundation.exp(Double(x))
            worst = max(worst, abs(approx - exact) / exact)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(FastMath.exp(0), 1)
        // Clamped tails: finite, tiny and huge respectively.
        XCTAssertLessThan(FastMath.exp(-200), 1e-37)
        XCTAssertGreaterThan(FastMath.exp(-200), 0)
        XCTAssertTrue(FastMath.exp(200).isFinite)
    }
}
