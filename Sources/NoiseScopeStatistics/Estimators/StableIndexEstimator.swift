import NoiseScopeCore
import Foundation

/// The α-stable index estimator of Mohammadi, Mohammadpour & Ogata (2015), as
/// used by Simsekli, Sagun & Gürbüzbalaban (2019) on per-coordinate gradient noise.
///
/// For symmetric α-stable X, a sum of K2 of them is K2^{1/α} times one, so
/// with n = K1·K2 samples split into K1 block sums Y:
/// 1/α̂ = ((1/K1) Σ log|Y| − (1/n) Σ log|X|) / log K2.
/// It needs signed, centred samples: on absolute values or norms the block sums
/// no longer scale that way (|stable| with α = 1.5 reads as about 0.9), so
/// non-negative input is refused.
package enum StableIndexEstimator {
    package struct Estimate: Codable, Equatable, Sendable {
        /// Estimated stable index α̂ (clamped to nothing: values above 2 mean "not stable-heavy").
        package var alpha: Double
        package var blockSize: Int
        package var blockCount: Int
        /// Samples left out because they were exactly zero (log|0| is undefined).
        package var zerosDropped: Int

        enum CodingKeys: String, CodingKey {
            case alpha
            case blockSize = "block_size"
            case blockCount = "block_count"
            case zerosDropped = "zeros_dropped"
        }
    }

    /// The refusal of samples that are all ≥ 0 (magnitudes or norms, not signed noise).
    package static let unsignedSamples = NoiseScopeError("the stable-index estimator needs signed samples (e.g. per-coordinate noise g_B − ∇f); these are all ≥ 0, so absolute values or norms were given and the estimate would be meaningless")

    /// Estimates α from signed samples; block size K2 defaults to ⌊√n⌋.
    package static func estimate(_ samples: [Double], blockSize: Int? = nil) throws -> Estimate {
        let nonZero = samples.filter { $0 != 0 && $0.isFinite }
        guard nonZero.count >= 16 else { throw NoiseScopeError("the stable-index estimator needs at least 16 non-zero samples, got \(nonZero.count)") }
        guard nonZero.contains(where: { $0 < 0 }) else { throw Self.unsignedSamples }
        let k2 = blockSize ?? Int(Double(nonZero.count).squareRoot())
        let k1 = nonZero.count / k2
        let n = k1 * k2
        var meanLogBlock = 0.0, meanLogSample = 0.0
        for block in 0..<k1 {
            var sum = 0.0
            for i in (block * k2)..<((block + 1) * k2) {
                sum += nonZero[i]
                meanLogSample += log(abs(nonZero[i]))
            }
            meanLogBlock += log(abs(sum))
        }
        meanLogBlock /= Double(k1)
        meanLogSample /= Double(n)
        let inverseAlpha = (meanLogBlock - meanLogSample) / log(Double(k2))
        return Estimate(alpha: 1 / inverseAlpha, blockSize: k2, blockCount: k1, zerosDropped: samples.count - nonZero.count)
    }
}
