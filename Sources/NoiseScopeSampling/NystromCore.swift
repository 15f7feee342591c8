import CGSL
import Foundation
import NoiseScopeCore

/// The small end of the streaming Nyström sketch (`CovarianceSketch`): from
/// the k×k Gram matrices of the test matrix Ω and the sketch Y = CΩ, the
/// eigenvalues of the shifted Nyström approximation, Tropp et al. (2017,
/// Algorithm 3) written in k×k terms:
///
///   Y_ν = Y + νΩ, B = ΩᵀY_ν = LLᵀ (Cholesky), E = Y_ν L⁻ᵀ,
///   λ = max(0, σ²(E) − ν), and σ²(E) are the eigenvalues of
///   EᵀE = L⁻¹ (Y_νᵀY_ν) L⁻ᵀ, Y_νᵀY_ν = YᵀY + ν(ΩᵀY + YᵀΩ) + ν²ΩᵀΩ.
///
/// Forming EᵀE rather than taking E's singular values squares its condition
/// number, which only loses eigenvalues below about 10⁻¹⁶ of the largest:
/// far below anything the reference uses. The shift ν starts at Tropp et
/// al.'s √P·eps(‖Y‖) and grows tenfold while B is not numerically positive
/// definite (the sketch is accumulated partly in single precision).
enum NystromCore {
    /// ΩᵀΩ, ΩᵀY and YᵀY, k×k row-major.
    struct Grams {
        var order: Int
        var omegaOmega: [Double]
        var omegaY: [Double]
        var yY: [Double]

        init(order: Int) {
            self.order = order
            omegaOmega = [Double](repeating: 0, count: order * order)
            omegaY = omegaOmega
            yY = omegaOmega
        }
    }

    /// The k eigenvalue estimates, largest first.
    static func eigenvalues(_ grams: Grams, dimension: Int) throws -> [Double] {
        let k = grams.order
        var frobeniusSquared = 0.0
        for i in 0..<k { frobeniusSquared += grams.yY[i * k + i] }
        guard frobeniusSquared.isFinite else { throw NoiseScopeError("the covariance sketch is not finite (a noise vector overflowed)") }
        guard frobeniusSquared > 0 else { return [Double](repeating: 0, count: k) }
        var shift = Double(dimension).squareRoot() * frobeniusSquared.squareRoot().ulp
        for _ in 0..<40 {
            if let values = shiftedEigenvalues(grams, shift: shift) { return values }
            shift *= 10
        }
        throw NoiseScopeError("the covariance sketch's core matrix is not positive definite at any shift")
    }

    /// σ²(E) − ν for one shift ν, or nil when B = ΩᵀY_ν is not positive definite.
    static func shiftedEigenvalues(_ grams: Grams, shift nu: Double) -> [Double]? {
        let k = grams.order
        var core = [Double](repeating: 0, count: k * k)     // B, symmetrised
        var outer = [Double](repeating: 0, count: k * k)    // Y_νᵀY_ν
        for i in 0..<k {
            for j in 0..<k {
                let oy = grams.omegaY[i * k + j], yo = grams.omegaY[j * k + i], oo = grams.omegaOmega[i * k + j]
                core[i * k + j] = 0.5 * (oy + yo) + nu * oo
                outer[i * k + j] = grams.yY[i * k + j] + nu * (oy + yo) + nu * nu * oo
            }
        }
        _ = GSLErrorHandling.disabled
        let factored = core.withUnsafeMutableBufferPointer { core -> Bool in
            var view = gsl_matrix_view_array(core.baseAddress, k, k)
            return gsl_linalg_cholesky_decomp1(&view.matrix) == GSL_SUCCESS
        }
        guard factored else { return nil }
        // outer := L⁻¹ · outer · L⁻ᵀ
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(k), Int32(k), 1, core, Int32(k), &outer, Int32(k))
        cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(k), Int32(k), 1, core, Int32(k), &outer, Int32(k))
        guard let squaredSingularValues = symmetricEigenvalues(outer, order: k) else { return nil }
        return squaredSingularValues.map { max(0, $0 - nu) }.sorted(by: >)
    }

    /// The eigenvalues of a symmetric k×k row-major matrix (its lower
    /// triangle is read after symmetrising), by GSL's symmetric QR solver.
    static func symmetricEigenvalues(_ matrix: [Double], order k: Int) -> [Double]? {
        var symmetric = matrix
        for i in 0..<k { for j in 0..<i { let v = 0.5 * (matrix[i * k + j] + matrix[j * k + i]); symmetric[i * k + j] = v; symmetric[j * k + i] = v } }
        guard symmetric.allSatisfy(\.isFinite), let workspace = gsl_eigen_symm_alloc(k) else { return nil }
        defer { gsl_eigen_symm_free(workspace) }
        var values = [Double](repeating: 0, count: k)
        let status = symmetric.withUnsafeMutableBufferPointer { a in
            values.withUnsafeMutableBufferPointer { v in
                var matrixView = gsl_matrix_view_array(a.baseAddress, k, k)
                var vectorView = gsl_vector_view_array(v.baseAddress, k)
                return gsl_eigen_symm(&matrixView.matrix, &vectorView.vector, workspace)
            }
        }
        return status == GSL_SUCCESS ? values : nil
    }
}
