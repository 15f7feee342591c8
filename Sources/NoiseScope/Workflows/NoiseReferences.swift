import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeStatistics
import NoiseScopeTraining

/// The references a run's noise norms are compared with and drawn against,
/// redrawn from the seed so that a report or a figure gets the same numbers as
/// the run: the isotropic Gaussian of the full dimension, the Gaussian matched
/// to the norms' effective dimension, the Gaussian with the noise covariance's
/// sketched spectrum (when the run sketched it), and the α-stable reference in
/// the effective dimension (when the per-coordinate stable index lies in (0, 2)).
package struct NoiseReferences {
    package var isotropic: (label: String, norms: [Double])
    package var matched: (label: String, norms: [Double], dimension: Int)
    package var spectrum: (label: String, norms: [Double])?
    package var stable: (label: String, norms: [Double])?

    /// Draws them all for `norms` of a model with `parameters` parameters.
    package init(norms: [Double], parameters: Int, stableIndex: Double?, spectrum covariance: CovarianceSpectrum? = nil, seed: UInt64) {
        isotropic = ("Isotropic Gaussian, D = \(parameters)",
                     ReferenceComparison.gaussianReferenceNorms(dimension: parameters, count: norms.count, seed: seed))
        let matchedDraw = ReferenceComparison.matchedGaussianNorms(observed: norms, count: norms.count, seed: seed)
        matched = ("Gaussian, effective dimension \(matchedDraw.dimension)", matchedDraw.norms, matchedDraw.dimension)
        if let covariance {
            spectrum = ("Gaussian, top-\(covariance.rank) sketched spectrum", covariance.referenceNorms(count: norms.count, seed: seed))
        }
        if let alpha = stableIndex, alpha > 0, alpha < 2 {
            stable = (String(format: "α-stable, α = %.3g, dimension %d", alpha, matchedDraw.dimension),
                      ReferenceComparison.stableReferenceNorms(dimension: matchedDraw.dimension, alpha: alpha, count: norms.count, seed: seed))
        }
    }

    /// The references of a summarised run (what `report` redraws).
    package init(summary: MeasurementSummary, norms: [Double]) {
        self.init(norms: norms, parameters: summary.parameters, stableIndex: summary.coordinateStableIndex?.alpha,
                  spectrum: summary.covarianceSpectrum, seed: summary.seed)
    }

    /// The norms and every reference on one axis (`NoiseFigures.overlayAxes`).
    package func overlay(_ norms: [Double], title: String) -> Axes {
        NoiseFigures.overlayAxes(norms, matched: (matched.label, matched.norms), isotropic: isotropic, stable: stable, spectrum: spectrum, title: title)
    }
}
