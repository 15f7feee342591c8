import NoiseScopeCore
import Foundation
import NoiseScopeStatistics

/// What `NoiseNormSampler` measured.
package struct NoiseMeasurement: Sendable {
    /// ‖g_B − ∇f‖₂ for each minibatch, in sampling order.
    package var noiseNorms: [Double]
    /// Var_n = (1/n) Σ_{j≤n} ‖g_j − mean_n‖² at log-spaced n.
    package var variance: [VariancePoint]
    /// g_B − ∇f of the first minibatch, coordinate by coordinate.
    package var firstBatchCoordinates: [Double]
    /// The per-coordinate α-stable index pooled over the first minibatches'
    /// noise (permuted, standardised per tensor; see `StableIndexPool`).
    package var stableIndex: StableIndexPool.Estimate?
    package var stableIndexPerTensor: [StableIndexPool.Estimate] = []
    /// Group names (`LayerGroups`) and, per minibatch, the noise norm restricted to
    /// each group (their squares add up to the noise norm's square).
    package var groupNames: [String] = []
    package var noiseNormsByGroup: [[Double]] = []
    /// The minibatch (example indices) behind each noise norm, in sampling order.
    package var batches: [[Int]] = []
    /// ∇f itself, for attributing norms to examples.
    package var fullGradient: [Double] = []
    /// ‖∇f‖₂.
    package var fullGradientNorm: Double
    /// Examples behind ∇f.
    package var fullGradientExamples: Int
    /// true when ∇f is over the whole data set.
    package var fullGradientIsExact: Bool
    package var parameterCount: Int
    /// Wall time of the noise-norm phase.
    package var samplingSeconds: Double
    /// Minibatch gradients per second in the noise-norm phase (norms and
    /// variance updates included).
    package var gradientsPerSecond: Double
    /// Minibatch size B and the examples N the minibatches were drawn from.
    package var batchSize: Int
    package var exampleCount: Int
    /// The sketched spectrum of the noise covariance (nil without a sketch).
    package var covarianceSpectrum: CovarianceSpectrum? = nil
    /// Wall time the sketch took inside the noise-norm phase (its overhead).
    package var spectrumSketchSeconds = 0.0

    /// The gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish et al. 2018),
    /// Σ the covariance of per-example gradients over the N examples and
    /// G = ∇f. Minibatches of B drawn without replacement have
    /// E‖g_B − ∇f‖² = (tr Σ / B)·(N − B)/(N − 1), so
    /// tr Σ ≈ B·(N − 1)/(N − B) · mean‖g_B − ∇f‖². Unbiased when ∇f is exact.
    package var noiseScaleSimple: Double {
        let meanSquared = noiseNorms.reduce(0) { $0 + $1 * $1 } / Double(noiseNorms.count)
        let n = Double(exampleCount), b = Double(batchSize)
        let traceSigma = n > b ? b * (n - 1) / (n - b) * meanSquared : .nan
        return traceSigma / (fullGradientNorm * fullGradientNorm)
    }

    package struct VariancePoint: Codable, Equatable, Sendable {
        package var samples: Int
        package var variance: Double
    }

    package typealias Failure = NoiseScopeError

    /// 1…10, then about ten per decade, always ending at `n`.
    package static func logSpacedCounts(upTo n: Int) -> [Int] {
        var counts: [Int] = []
        var x = 1.0
        while Int(x.rounded()) <= n {
            let c = Int(x.rounded())
            if counts.last != c { counts.append(c) }
            x = c < 10 ? Double(c + 1) : x * pow(10, 0.1)
        }
        if counts.last != n { counts.append(n) }
        return counts
    }
}
