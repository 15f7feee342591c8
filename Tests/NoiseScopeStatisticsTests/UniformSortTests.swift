import XCTest
@testable import NoiseScopeStatistics

/// The bucket sort of the bootstrap's uniforms against the standard library's
/// sort: equal arrays on uniform draws of every size around the bucket
/// threshold, on repeated values, on values outside (0, 1), and on sorted and
/// reversed input.
final class UniformSortTests: XCTestCase {
    func testSameAsTheStandardSort() {
        var generator = SystemRandomNumberGenerator()
        var inputs: [[Double]] = []
        for count in [0, 1, 2, 31, 32, 33, 100, 1000, 65_537] {
            inputs.append((0..<count).map { _ in Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator) })
        }
        inputs.append((0..<5000).map { _ in Double(Int.random(in: 0..<7, using: &generator)) / 7 })  // many ties
        inputs.append((0..<5000).map { _ in Double.random(in: -3...4, using: &generator) })           // outside (0, 1)
        inputs.append((0..<5000).map { Double($0) / 5000 })                                             // sorted
        inputs.append((0..<5000).map { 1 - Double($0) / 5001 })                                         // reversed
        inputs.append([Double](repeating: 0.5, count: 300) + [1e-300, 0.999_999_999_999_999_9])
        inputs.append((0..<3000).map { Double($0 % 5) } + [.infinity, 1e300, -.infinity, .greatestFiniteMagnitude])  // would trap Int(b)
        for input in inputs {
            var sorted = input
            UniformSort.sortAscending(&sorted)
            XCTAssertEqual(sorted.map(\.bitPattern), input.sorted().map(\.bitPattern), "count \(input.count)")
        }
    }
}
