import NoiseScopeCore
import XCTest
@testable import NoiseScopeTraining
import NoiseScopeStatistics

/// Makes an optimizer from the kind's defaults with `changes` applied.
func optimizer(_ kind: OptimizerKind, parameterCount: Int,
               _ changes: (inout OptimizerSettings) -> Void = { _ in }) throws -> any Optimizer {
    var settings = OptimizerSettings.defaults(for: kind)
    changes(&settings)
    return try makeOptimizer(kind, settings: settings, parameterCount: parameterCount)
}

/// One step on Swift arrays.
func step<T: BinaryFloatingPoint>(_ optimizer: inout any Optimizer, _ parameters: inout [T], _ gradient: [T]) {
    parameters.withUnsafeMutableBufferPointer { p in
        gradient.withUnsafeBufferPointer { g in optimizer.step(parameters: p, gradient: g) }
    }
}

/// Asserts element-wise |actual − expected| ≤ tolerance.
func assertClose(_ actual: [Double], _ expected: [Double], tolerance: Double,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
    for (a, e) in zip(actual, expected) {
        XCTAssertEqual(a, e, accuracy: tolerance, "\(message): got \(actual), expected \(expected)", file: file, line: line)
    }
}

/// A deterministic, heavy-ish gradient sequence: g_t = x + Student-t(ν = 3) noise,
/// a function of the current parameters and the step, so two runs that reach the
/// same parameters at the same step see the same gradient.
struct NoisyQuadraticGradient {
    let noise: [[Double]]
    init(dimension: Int, steps: Int, seed: UInt64) {
        let source = RandomSource(seed: seed)
        noise = (0..<steps).map { _ in (0..<dimension).map { _ in source.studentT(nu: 3) } }
    }
    func gradient(at parameters: [Double], step: Int) -> [Double] {
        zip(parameters, noise[step]).map { $0 + $1 }
    }
}
