import Foundation
import XCTest
@testable import NoiseScopeModels

/// The run-time OpenBLAS kernel switch: after switching to the CPU's recommended
/// kernels, sgemm/dgemm still agree with naive loops and a model gradient is unchanged
/// to fp32 rounding; the original kernels are restored afterwards.
final class OpenBLASCoreTests: XCTestCase {
    func naiveCheck(file: StaticString = #filePath, line: UInt = #line) {
        // C = Aᵀ·B with A stored (k, m), B stored (k, n): the transposed path, odd sizes.
        let m = 37, n = 29, k = 53
        let r = TestRandom(seed: 9)
        let a = r.normal(k * m), b = r.normal(k * n)
        var expected = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[p * m + i] * b[p * n + j] } } }
        var cd = [Double](repeating: 0, count: m * n)
        Double.gemm(transA: true, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: m, b: b, ldb: n,
                    beta: 0, c: &cd, ldc: n)
        var cf = [Float](repeating: 0, count: m * n)
        Float.gemm(transA: true, transB: false, m: m, n: n, k: k, alpha: 1, a: a.map(Float.init), lda: m,
                   b: b.map(Float.init), ldb: n, beta: 0, c: &cf, ldc: n)
        for i in 0..<(m * n) {
            XCTAssertEqual(cd[i], expected[i], accuracy: 1e-12, file: file, line: line)
            XCTAssertEqual(Double(cf[i]), expected[i], accuracy: 1e-4, file: file, line: line)  // k = 53 fp32 terms
        }
    }

    func testSwitchingKernelsKeepsResults() throws {
        let original = OpenBLASCore.current
        XCTAssertFalse(original.isEmpty)
        naiveCheck()
        guard let wanted = OpenBLASCore.recommendedForThisCPU() else {
            throw XCTSkip("no AVX2/AVX-512 on this CPU: nothing to switch to")
        }
        let previousEnv = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        defer {
            OpenBLASCore.select(original)
            if let previousEnv { setenv("OPENBLAS_CORETYPE", previousEnv, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
            XCTAssertEqual(OpenBLASCore.current, original)
        }
        let config = TinyGPTConfiguration(contextLength: 16, width: 32, heads: 2, maxBatchSize: 4)
        let model = TinyGPT<Float>(configuration: config, corpus: try TestData.corpus(context: 16))
        let before = model.lossAndGradient(indices: [1, 2, 3, 4])
        let gBefore = Array(model.gradient)
        XCTAssertNotNil(OpenBLASCore.select(wanted))
        XCTAssertEqual(OpenBLASCore.current.lowercased(), wanted.lowercased())
        naiveCheck()
        let after = model.lossAndGradient(indices: [1, 2, 3, 4])
        XCTAssertEqual(after, before, accuracy: 1e-6 * before)
        let scale = gBefore.map(abs).max()!
        for i in 0..<gBefore.count { XCTAssertEqual(model.gradient[i], gBefore[i], accuracy: 1e-5 * scale) }
    }
}
