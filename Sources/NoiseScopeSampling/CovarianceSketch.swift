import CGSL
import Foundation
import NoiseScopeCore

/// A single-pass sketch of the noise covariance C = (1/m) Σᵢ nᵢnᵢᵀ of the
/// noise vectors nᵢ = g_Bᵢ − ∇f that `measure` streams past, in O(P·k) memory
/// for P parameters and a sketch of k = 2r columns, r the eigenvalues kept.
///
/// It is the streaming Nyström sketch of Tropp, Yurtsever, Udell & Cevher
/// (2017, "Fixed-rank approximation of a positive-semidefinite matrix from
/// streaming data", Algorithm 3): a seeded Gaussian test matrix Ω (P×k) and
/// the sketch Y = C·Ω, accumulated as Y += nᵢ(nᵢᵀΩ)/m. At the end the
/// shifted Nyström approximation Y_ν(ΩᵀY_ν)⁻¹Y_νᵀ, Y_ν = Y + νΩ, gives
/// eigenvalue estimates that never exceed C's own (up to ν); the top r of the
/// k are kept (their fixed-rank truncation, which they show is far more
/// accurate on the leading eigenvalues than keeping all k).
///
/// Noise vectors are gathered in blocks of `blockSize` so that the two
/// products per block are matrix–matrix (sgemm) rather than P×k passes per
/// vector: the cost per vector is about 4·P·k flops at GEMM speed. Ω, the
/// block and Y are single precision (the gradients are; a double Y, added to
/// block by block, cost three times as much in memory traffic as the products
/// themselves), accumulated by sgemm in place; everything after the stream is
/// double. Float rounding in Y (about 10⁻⁶ of it) moves eigenvalues by about
/// 10⁻⁵ of λ₁, far below the sketch's own error.
package final class CovarianceSketch {
    /// P, the length of each noise vector.
    package let dimension: Int
    /// r, the eigenvalues reported.
    package let rank: Int
    /// k = min(2r, P), the columns of the test matrix.
    package let columns: Int
    /// Noise vectors gathered before one pair of matrix products.
    package let blockSize: Int
    /// The rank the paper's fig1 sketches and `bench` times, and the one
    /// `--spectrum-rank` suggests: 32 eigenvalues from 64 columns, about 77 MB on
    /// tinygpt. `measure` sketches nothing unless asked: at this rank the sketch
    /// costs about 15 % of its noise loop (`bench` prints the ratio).
    package static let suggestedRank = 32
    /// Noise vectors added so far (m).
    package private(set) var count = 0
    /// Wall time spent drawing Ω, in `add`, the block products and `spectrum`, for the overhead report.
    package private(set) var seconds = 0.0

    /// Ωᵀ, k×P row-major: row j is the j-th test vector.
    private var testMatrix: [Float]
    /// (Σᵢ nᵢnᵢᵀΩ)ᵀ, k×P row-major (divided by m only at the end).
    private var sketch: [Float]
    /// The pending noise vectors, blockSize×P row-major.
    private var block: [Float]
    private var pending = 0
    /// Columns of P per pass when the Gram matrices are formed in double.
    private static let chunk = 8192

    /// The bytes the sketch holds for `dimension` parameters and rank `rank`
    /// (Ω and Y in single precision, the block, the double chunks of the end).
    package static func estimatedBytes(dimension: Int, rank: Int, blockSize: Int = 64) -> Double {
        let k = Double(min(2 * rank, dimension)), p = Double(dimension)
        return p * k * (4 + 4) + p * Double(blockSize) * 4 + 2 * k * Double(chunk) * 8
    }

    /// A sketch of `dimension`-vectors keeping `rank` eigenvalues, its test
    /// matrix drawn from `seed` (same seed, same sketch).
    package init(dimension: Int, rank: Int, seed: UInt64, blockSize: Int = 64) throws {
        guard rank >= 1, dimension >= 1 else {
            throw NoiseScopeError.invalidSetting(.spectrumRank, message: "the spectrum rank must be at least 1 and the dimension positive, got rank \(rank) in dimension \(dimension)")
        }
        guard blockSize >= 1 else { throw NoiseScopeError("the sketch's block size must be at least 1, got \(blockSize)") }
        let start = DispatchTime.now().uptimeNanoseconds
        self.dimension = dimension
        columns = min(2 * rank, dimension)
        self.rank = min(rank, columns)
        self.blockSize = blockSize
        let random = RandomSource(seed: seed &+ 0xC0_7A_1A_4C)
        testMatrix = (0..<(columns * dimension)).map { _ in Float(random.gaussian()) }
        sketch = [Float](repeating: 0, count: columns * dimension)
        block = [Float](repeating: 0, count: blockSize * dimension)
        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Adds the noise vector `vector − reference` (a minibatch gradient minus ∇f).
    package func add(_ vector: UnsafeBufferPointer<Float>, minus reference: [Double]) {
        precondition(vector.count == dimension && reference.count == dimension, "dimension mismatch")
        let start = DispatchTime.now().uptimeNanoseconds
        let offset = pending * dimension
        block.withUnsafeMutableBufferPointer { block in
            reference.withUnsafeBufferPointer { reference in
                for p in 0..<dimension { block[offset + p] = Float(Double(vector[p]) - reference[p]) }
            }
        }
        pending += 1
        count += 1
        if pending == blockSize { flush() }
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Adds an already formed noise vector.
    package func add(_ noise: [Double]) {
        let zero = [Double](repeating: 0, count: dimension)
        noise.map(Float.init).withUnsafeBufferPointer { add($0, minus: zero) }
    }

    /// Folds the pending block into the sketch: W = N·Ω (b×k), then Yᵀ += Wᵀ·N.
    private func flush() {
        guard pending > 0 else { return }
        let b = pending, k = columns, p = dimension
        var projection = [Float](repeating: 0, count: b * k)
        block.withUnsafeBufferPointer { block in
            testMatrix.withUnsafeBufferPointer { omega in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(b), Int32(k), Int32(p),
                            1, block.baseAddress, Int32(p), omega.baseAddress, Int32(p), 0, &projection, Int32(k))
            }
            sketch.withUnsafeMutableBufferPointer { sketch in
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(p), Int32(b),
                            1, projection, Int32(k), block.baseAddress, Int32(p), 1, sketch.baseAddress, Int32(p))
            }
        }
        pending = 0
    }

    /// The top r eigenvalues of C estimated from the sketch, with the exact
    /// trace `trace` (Σ‖nᵢ‖²/m, which the caller has in double precision).
    package func spectrum(trace: Double) throws -> CovarianceSpectrum {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        flush()
        guard count > 0 else { throw NoiseScopeError("the covariance sketch has no noise vectors") }
        let grams = gramMatrices()
        let eigenvalues = try NystromCore.eigenvalues(grams, dimension: dimension)
        return CovarianceSpectrum(dimension: dimension, sketchColumns: columns, vectors: count, trace: trace,
                                  topEigenvalues: Array(eigenvalues.prefix(rank)))
    }

    /// ΩᵀΩ, ΩᵀY and YᵀY (k×k, Y = sketch/m), accumulated over chunks of P in double.
    private func gramMatrices() -> NystromCore.Grams {
        let k = columns, p = dimension, scale = 1 / Double(count)
        var grams = NystromCore.Grams(order: k)
        var omegaChunk = [Double](repeating: 0, count: k * min(Self.chunk, p))
        var yChunk = omegaChunk
        testMatrix.withUnsafeBufferPointer { omega in
            sketch.withUnsafeBufferPointer { sketch in
                for start in stride(from: 0, to: p, by: Self.chunk) {
                    let width = min(Self.chunk, p - start)
                    for j in 0..<k {
                        for t in 0..<width {
                            omegaChunk[j * width + t] = Double(omega[j * p + start + t])
                            yChunk[j * width + t] = scale * Double(sketch[j * p + start + t])
                        }
                    }
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k), Int32(k), Int32(width),
                                1, omegaChunk, Int32(width), omegaChunk, Int32(width), 1, &grams.omegaOmega, Int32(k))
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k), Int32(k), Int32(width),
                                1, omegaChunk, Int32(width), yChunk, Int32(width), 1, &grams.omegaY, Int32(k))
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k), Int32(k), Int32(width),
                                1, yChunk, Int32(width), yChunk, Int32(width), 1, &grams.yY, Int32(k))
                }
            }
        }
        return grams
    }

    /// The sketch itself (Yᵀ = (CΩ)ᵀ, k×P), for tests of determinism.
    package var sketchMatrix: [Double] {
        flush()
        let scale = 1 / Double(max(count, 1))
        return sketch.map { Double($0) * scale }
    }
}
