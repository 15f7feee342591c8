import CGSL
import Foundation

/// The scalar type a model computes in: `Float` for measurements, `Double` for the
/// finite-difference tests.
///
/// Every layer is written once, generic over this protocol, so the same code runs in
/// both precisions. The protocol carries exactly what the layers need beyond
/// `BinaryFloatingPoint` (whose `squareRoot()` serves for sqrt): a matrix multiply
/// (dispatched to `cblas_sgemm` or `cblas_dgemm`) and the two transcendental functions
/// the layers use, `exp` (softmax, GELU via σ) and `log` (cross-entropy). `Float` uses a
/// branch-free `exp` (accuracy stated and tested in `FastMathTests`) so that the loops
/// over activations vectorise; `Double` uses libm, so the Double path is as exact as
/// the platform allows. `SIMDScalar` lets reductions use SIMD8 partial sums.
///
/// The module is compiled whole-module, and the generic layers are only instantiated
/// at `Float` and `Double` from inside it, so release builds specialise them; the
/// models' public entry points carry `@_specialize` so that callers in other modules
/// (which see only the generic signatures) also land on the specialised code.
package protocol BLASScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable
where RawSignificand: FixedWidthInteger {
    /// Row-major `C = alpha · op(A) · op(B) + beta · C`, with `op(A)` of shape m×k and
    /// `op(B)` of shape k×n; `lda`, `ldb`, `ldc` are row strides in elements.
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `y += alpha · x` over `count` elements.
    static func axpy(count: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    /// e^x.
    static func exp(_ x: Self) -> Self
    /// Natural logarithm.
    static func log(_ x: Self) -> Self
    /// Human-readable name ("Float" or "Double") for reports.
    static var precisionName: String { get }
}

extension Float: BLASScalar {
    @inlinable @inline(__always)
    package static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// Branch-free e^x (Cephes `expf` polynomial on a Cody–Waite reduced argument);
    /// relative error below 3e-7 on [-87, 88]; inputs are clamped to that range (so
    /// e^(-large) returns about 1.6e-38 instead of 0, harmless for softmax).
    @inlinable @inline(__always)
    package static func exp(_ x: Float) -> Float { FastMath.exp(x) }

    package static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }

    @inlinable @inline(__always)
    package static func log(_ x: Float) -> Float { Foundation.log(x) }

    package static var precisionName: String { "Float" }
}

extension Double: BLASScalar {
    @inlinable @inline(__always)
    package static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    @inlinable @inline(__always)
    package static func exp(_ x: Double) -> Double { Foundation.exp(x) }

    package static func axpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(Int32(count), alpha, x, 1, y, 1)
    }

    @inlinable @inline(__always)
    package static func log(_ x: Double) -> Double { Foundation.log(x) }

    package static var precisionName: String { "Double" }
}

/// Vectorisable single-precision `exp` (no branches, no traps, so LLVM turns the
/// activation loops into SIMD code).
@usableFromInline package enum FastMath {
    /// e^x for Float. x is clamped to [-87.3, 88.3] (so 2^n stays a normal Float);
    /// n = round(x/ln2) is found with the 1.5·2^23 shifter trick, r = x − n·ln2 (ln2 in
    /// two parts), e^r from Cephes' degree-5 polynomial, and 2^n is assembled in the
    /// exponent bits.
    @inlinable @inline(__always)
    package static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, -87.3), 88.3)
        let shifter: Float = 12582912.0  // 1.5 · 2^23
        let j = xc * 1.44269504088896341 + shifter
        let n = j - shifter
        let r = (xc - n * 0.693359375) + n * 2.12194440e-4  // ln2 = 0.693359375 − 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        // j's low mantissa bits hold 0x400000 + n; rebuild 2^n from them.
        let bits = (j.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return er * Float(bitPattern: bits)
    }
}
