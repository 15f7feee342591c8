import NoiseScopeCore
import Foundation
import XCTest
@testable import NoiseScopeModels

/// Locations and shared fixtures for the tests. The package root is found from this
/// file's path (Tests/NoiseScopeModelsTests/TestSupport.swift → two levels up), and the
/// data files from `Sources/NoiseScopeModels/BundledData/` under it.
enum TestData {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dataDirectory = packageRoot.appendingPathComponent("Sources/NoiseScopeModels/BundledData")
    static let corpusURL = dataDirectory.appendingPathComponent("prideprejudice.txt")
    static let digitsURL = dataDirectory.appendingPathComponent("digits.csv")
    static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func corpus(context: Int) throws -> TextCorpus {
        try TextCorpus(contentsOf: corpusURL, contextLength: context)
    }

    /// Parsed once; the CSV is 1797 lines.
    static let digits: DigitsDataset = try! DigitsDataset(contentsOf: digitsURL)
}

/// A deterministic Gaussian source for test inputs (GSL mt19937).
final class TestRandom {
    let rng: RandomSource
    init(seed: UInt64) { rng = RandomSource(seed: seed) }
    func normal(_ n: Int, std: Double = 1) -> [Double] { (0..<n).map { _ in rng.gaussianPolar(sigma: std) } }
    func index(_ n: Int) -> Int { rng.index(below: n) }
    /// `k` distinct indices of 0..<n (all of them when k ≥ n), in increasing order.
    func subset(_ k: Int, of n: Int) -> [Int] {
        if k >= n { return Array(0..<n) }
        var chosen = Set<Int>()
        while chosen.count < k { chosen.insert(index(n)) }
        return chosen.sorted()
    }
}

/// Central finite differences and how they are compared.
///
/// With step h = 1e-5 in Double the central difference has truncation error
/// ~h²·|f'''|/6 ≈ 1e-11 for the O(1) third derivatives of these smooth functions, and
/// rounding error ~ε·|f|/h ≈ 2.2e-16·|f|/1e-5 ≈ 2e-11·|f|. Gradients are compared with
/// |analytic − fd| ≤ rtol·|fd| + atol, rtol = 1e-6 (five orders above the expected
/// error for O(1e-5..1) components) and atol a floor for components that are
/// themselves at the rounding level (where a relative error means nothing); each
/// test states its atol in terms of the function's magnitude.
enum FiniteDifference {
    static let step = 1e-5
    static let rtol = 1e-6

    /// (f(x + h) − f(x − h)) / 2h, perturbing `x[i]` in place and restoring it.
    static func derivative(at i: Int, of x: UnsafeMutablePointer<Double>, _ f: () -> Double) -> Double {
        let saved = x[i]
        x[i] = saved + step
        let up = f()
        x[i] = saved - step
        let down = f()
        x[i] = saved
        return (up - down) / (2 * step)
    }

    /// Directional derivative of f along v at x (x restored afterwards).
    static func directional(along v: [Double], of x: UnsafeMutableBufferPointer<Double>, _ f: () -> Double) -> Double {
        let saved = Array(x)
        for i in 0..<x.count { x[i] = saved[i] + step * v[i] }
        let up = f()
        for i in 0..<x.count { x[i] = saved[i] - step * v[i] }
        let down = f()
        for i in 0..<x.count { x[i] = saved[i] }
        return (up - down) / (2 * step)
    }

    /// Asserts closeness and returns the relative error (for reporting).
    @discardableResult
    static func check(_ analytic: Double, _ fd: Double, atol: Double, _ what: @autoclosure () -> String,
                      file: StaticString = #filePath, line: UInt = #line) -> Double {
        let err = abs(analytic - fd)
        XCTAssertLessThanOrEqual(err, rtol * abs(fd) + atol,
                                 "\(what()): analytic \(analytic) vs finite difference \(fd)", file: file, line: line)
        return err / max(abs(fd), 1e-300)
    }
}

extension Array where Element == Double {
    /// Euclidean norm.
    var norm: Double { (reduce(0) { $0 + $1 * $1 }).squareRoot() }
}
