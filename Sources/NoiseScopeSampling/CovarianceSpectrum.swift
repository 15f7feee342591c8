import Foundation
import NoiseScopeCore

/// The noise covariance's spectrum as far as `CovarianceSketch` sees it: the
/// exact trace tr C = Σ‖nᵢ‖²/m and the sketched top eigenvalues λ₁ ≥ … ≥ λ_r,
/// and the Gaussian reference built from them (summary.json's
/// `covariance_spectrum`).
package struct CovarianceSpectrum: Codable, Sendable, Equatable {
    /// P, the parameters (the dimension of each noise vector).
    package var dimension: Int
    /// k, the columns of the sketch's Gaussian test matrix (2r, at most P).
    package var sketchColumns: Int
    /// m, the noise vectors sketched.
    package var vectors: Int
    /// tr C, exact.
    package var trace: Double
    /// λ₁ ≥ … ≥ λ_r, the sketch's estimates (each at most the true eigenvalue,
    /// up to rounding: a Nyström approximation lies below the matrix it sketches).
    package var topEigenvalues: [Double]
    /// Σλᵢ / tr C: the share of the squared noise the r sketched directions carry
    /// (a lower bound on what C's own top r eigenvalues carry).
    package var capturedTraceFraction: Double
    package var method = "single-pass Nyström sketch with shift (Tropp, Yurtsever, Udell & Cevher 2017, Algorithm 3): seeded Gaussian test matrix of sketch_columns columns, the top eigenvalues of its fixed-rank truncation"

    enum CodingKeys: String, CodingKey {
        case dimension, vectors, trace, method
        case sketchColumns = "sketch_columns"
        case topEigenvalues = "top_eigenvalues"
        case capturedTraceFraction = "captured_trace_fraction"
    }

    package init(dimension: Int, sketchColumns: Int, vectors: Int, trace: Double, topEigenvalues: [Double]) {
        self.dimension = dimension
        self.sketchColumns = sketchColumns
        self.vectors = vectors
        self.trace = trace
        self.topEigenvalues = topEigenvalues
        let captured = topEigenvalues.reduce(0, +)
        capturedTraceFraction = trace > 0 ? captured / trace : 0
    }

    /// r, the eigenvalues kept.
    package var rank: Int { topEigenvalues.count }

    /// The variance of each of the other P − r directions: the trace left over,
    /// spread evenly (0 when the sketch holds it all or r = P).
    package var remainingEigenvalue: Double {
        let rest = dimension - rank
        return rest > 0 ? max(0, trace - topEigenvalues.reduce(0, +)) / Double(rest) : 0
    }

    /// The effective dimension (tr C)²/tr C² of the reference covariance, to set
    /// beside the one the norms' spread gives.
    package var effectiveDimension: Double {
        let rest = Double(dimension - rank), rho = remainingEigenvalue
        let squares = topEigenvalues.reduce(0) { $0 + $1 * $1 } + rest * rho * rho
        return squares > 0 ? trace * trace / squares : .nan
    }

    /// Norms of the Gaussian whose covariance has the sketched top eigenvalues
    /// and the remaining trace spread evenly over the other P − r directions:
    /// ‖z‖² = Σᵢ λᵢ Zᵢ² + ρ·χ²_{P−r}, ρ = (tr C − Σλᵢ)/(P − r), so that
    /// E‖z‖² = tr C exactly. `count` draws, each from its own seeded substream.
    package func referenceNorms(count: Int, seed: UInt64) -> [Double] {
        let rest = dimension - rank, rho = remainingEigenvalue
        return (0..<count).map { i in
            let random = RandomSource.substream(seed: seed &+ 0x5BEC_7A11, index: i)
            var squared = 0.0
            for lambda in topEigenvalues { let z = random.gaussian(); squared += lambda * z * z }
            if rest > 0, rho > 0 { squared += rho * random.chiSquared(nu: Double(rest)) }
            return squared.squareRoot()
        }
    }

    /// "top 32 eigenvalues, 41 % of tr C", for labels.
    package var shortDescription: String {
        String(format: "top %d eigenvalues, %.3g %% of tr C", rank, 100 * capturedTraceFraction)
    }
}
