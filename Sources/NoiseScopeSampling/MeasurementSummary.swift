import NoiseScopeCore
import Foundation
import NoiseScopeStatistics

/// Everything `noisescope measure` reports about one run, as `summary.json`.
public struct MeasurementSummary: Codable, Sendable {
    public var model: String
    public var data: String
    public var parameters: Int
    public var batchSize: Int
    public var samples: Int
    public var seed: UInt64
    package var fullGradient: FullGradient
    /// The `check` result on the noise norms (its `verdict` is the run's verdict).
    public var check: TailCheckReport
    public var verdict: TailVerdict
    /// Observed tail against the matched synthetic reference (√ of the mean of
    /// D squared Gaussians, D = parameters): the seeds' comparison.
    package var referenceComparison: ReferenceComparison
    /// The observed shape against a Gaussian matched to the noise's spread
    /// (its effective dimension), and that dimension.
    package var matchedReferenceComparison: ReferenceComparison?
    package var effectiveDimension: Double?
    /// The observed shape against the α-stable reference in the effective
    /// dimension, α the per-coordinate stable index (absent when that index is
    /// not in (0, 2)).
    package var stableReferenceComparison: ReferenceComparison?
    /// The noise covariance's sketched top eigenvalues and exact trace
    /// (`CovarianceSketch`; absent with `--spectrum-rank 0` and in earlier summaries).
    package var covarianceSpectrum: CovarianceSpectrum?
    /// The observed shape against the Gaussian with that spectrum (the top r
    /// eigenvalues, the rest of the trace spread evenly over the other directions).
    package var spectrumReferenceComparison: ReferenceComparison?
    /// The noise of each layer group (`LayerGroups`): its share of the squared
    /// noise, its shape and its verdict.
    package var noiseByGroup: [GroupNoise]?

    package struct GroupNoise: Codable, Sendable {
        package var group: String
        /// Σ_j ‖noise_j restricted to the group‖² / Σ_j ‖noise_j‖².
        package var shareOfSquaredNoise: Double
        package var median: Double
        package var q99OverMedian: Double
        package var excessKurtosis: Double
        package var verdict: TailVerdict
        package var verdictReason: String

        package init(group: String, norms: [Double], totalSquared: Double, seed: UInt64) {
            self.group = group
            shareOfSquaredNoise = totalSquared > 0 ? norms.reduce(0) { $0 + $1 * $1 } / totalSquared : .nan
            let shape = ReferenceComparison.Shape(norms)
            median = norms.isEmpty ? .nan : quantile(ofSorted: norms.sorted(), probability: 0.5)
            q99OverMedian = shape.q99OverMedian
            excessKurtosis = shape.excessKurtosis
            let clean = norms.filter { $0 > 0 && $0.isFinite }
            if let check = try? TailCheck.run(clean, options: .init(seed: seed, bootstrapReplicates: 0)) {
                verdict = check.verdict
                verdictReason = check.verdictReason
            } else {
                verdict = .inconclusive
                verdictReason = "too few distinct positive values to check"
            }
        }

        enum CodingKeys: String, CodingKey {
            case group, median, verdict
            case shareOfSquaredNoise = "share_of_squared_noise", q99OverMedian = "q99_over_median"
            case excessKurtosis = "excess_kurtosis", verdictReason = "verdict_reason"
        }
    }

    /// Examples left out of the measurement (`measure --exclude`), nil for none.
    package var excludedExamples: [Int]?
    /// The frequency tail of the training targets (text models only).
    package var classFrequencyTail: ClassFrequencyTail?
    /// Mohammadi et al.'s stable index of the coordinates of g_B − ∇f, pooled over
    /// the first minibatches, permuted, standardised per tensor (`StableIndexPool`).
    package var coordinateStableIndex: StableIndexPool.Estimate?
    /// The same per parameter tensor.
    package var coordinateStableIndexPerTensor: [StableIndexPool.Estimate]?
    public var gradsPerSecond: Double
    public var wallSeconds: Double
    /// B_simple = tr(Σ)/|G|², see `NoiseMeasurement.noiseScaleSimple`.
    public var noiseScaleSimple: Double?
    package var noiseScaleEstimator: String? = "B·(N−1)/(N−B)·mean‖g_B − ∇f‖² / ‖∇f‖² (McCandlish et al. 2018, B_simple; minibatches without replacement, exact ∇f)"

    package struct FullGradient: Codable, Sendable {
        package var exact: Bool
        package var examples: Int
        package var norm: Double
        package init(exact: Bool, examples: Int, norm: Double) {
            self.exact = exact; self.examples = examples; self.norm = norm
        }
    }

    package init(model: String, data: String, parameters: Int, batchSize: Int, samples: Int, seed: UInt64,
                fullGradient: FullGradient, check: TailCheckReport, verdict: TailVerdict,
                referenceComparison: ReferenceComparison, coordinateStableIndex: StableIndexPool.Estimate?,
                coordinateStableIndexPerTensor: [StableIndexPool.Estimate] = [],
                gradsPerSecond: Double, wallSeconds: Double, noiseScaleSimple: Double? = nil) {
        self.model = model; self.data = data; self.parameters = parameters; self.batchSize = batchSize
        self.samples = samples; self.seed = seed; self.fullGradient = fullGradient; self.check = check
        self.verdict = verdict; self.referenceComparison = referenceComparison
        self.coordinateStableIndex = coordinateStableIndex; self.coordinateStableIndexPerTensor = coordinateStableIndexPerTensor
        self.gradsPerSecond = gradsPerSecond; self.wallSeconds = wallSeconds
        self.noiseScaleSimple = noiseScaleSimple.flatMap { $0.isFinite ? $0 : nil }
    }

    enum CodingKeys: String, CodingKey {
        case model, data, samples, seed, check, verdict
        case parameters = "parameter_count"
        case batchSize = "batch_size"
        case fullGradient = "full_gradient"
        case referenceComparison = "reference_comparison"
        case coordinateStableIndex = "coordinate_stable_index"
        case coordinateStableIndexPerTensor = "coordinate_stable_index_per_tensor"
        case matchedReferenceComparison = "matched_reference_comparison"
        case effectiveDimension = "effective_dimension"
        case stableReferenceComparison = "stable_reference_comparison"
        case covarianceSpectrum = "covariance_spectrum"
        case spectrumReferenceComparison = "spectrum_reference_comparison"
        case excludedExamples = "excluded_examples"
        case classFrequencyTail = "class_frequency_tail"
        case noiseByGroup = "noise_by_group"
        case gradsPerSecond = "grads_per_second"
        case wallSeconds = "wall_seconds"
        case noiseScaleSimple = "b_simple_exact_gradient"
        case noiseScaleEstimator = "b_simple_exact_gradient_formula"
    }

    /// Names earlier versions wrote (summary.json before the schema in schemas/).
    enum EarlierKeys: String, CodingKey {
        case parameters, noiseScaleSimple = "noise_scale_simple", noiseScaleEstimator = "noise_scale_estimator"
    }

    /// Reads this version's summary.json and those of earlier versions.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let earlier = try decoder.container(keyedBy: EarlierKeys.self)
        model = try c.decode(String.self, forKey: .model)
        data = try c.decode(String.self, forKey: .data)
        parameters = try c.decodeIfPresent(Int.self, forKey: .parameters) ?? earlier.decode(Int.self, forKey: .parameters)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        samples = try c.decode(Int.self, forKey: .samples)
        seed = try c.decode(UInt64.self, forKey: .seed)
        fullGradient = try c.decode(FullGradient.self, forKey: .fullGradient)
        check = try c.decode(TailCheckReport.self, forKey: .check)
        verdict = try c.decode(TailVerdict.self, forKey: .verdict)
        referenceComparison = try c.decode(ReferenceComparison.self, forKey: .referenceComparison)
        matchedReferenceComparison = try c.decodeIfPresent(ReferenceComparison.self, forKey: .matchedReferenceComparison)
        effectiveDimension = try c.decodeIfPresent(Double.self, forKey: .effectiveDimension)
        stableReferenceComparison = try c.decodeIfPresent(ReferenceComparison.self, forKey: .stableReferenceComparison)
        covarianceSpectrum = try c.decodeIfPresent(CovarianceSpectrum.self, forKey: .covarianceSpectrum)
        spectrumReferenceComparison = try c.decodeIfPresent(ReferenceComparison.self, forKey: .spectrumReferenceComparison)
        noiseByGroup = try c.decodeIfPresent([GroupNoise].self, forKey: .noiseByGroup)
        excludedExamples = try c.decodeIfPresent([Int].self, forKey: .excludedExamples)
        classFrequencyTail = try c.decodeIfPresent(ClassFrequencyTail.self, forKey: .classFrequencyTail)
        coordinateStableIndex = try c.decodeIfPresent(StableIndexPool.Estimate.self, forKey: .coordinateStableIndex)
        coordinateStableIndexPerTensor = try c.decodeIfPresent([StableIndexPool.Estimate].self, forKey: .coordinateStableIndexPerTensor)
        gradsPerSecond = try c.decode(Double.self, forKey: .gradsPerSecond)
        wallSeconds = try c.decode(Double.self, forKey: .wallSeconds)
        noiseScaleSimple = try c.decodeIfPresent(Double.self, forKey: .noiseScaleSimple)
            ?? earlier.decodeIfPresent(Double.self, forKey: .noiseScaleSimple)
        noiseScaleEstimator = try c.decodeIfPresent(String.self, forKey: .noiseScaleEstimator)
            ?? earlier.decodeIfPresent(String.self, forKey: .noiseScaleEstimator)
    }
}

/// Scale-free shape statistics of a sample beside those of its reference:
/// upper quantiles over the median and excess kurtosis. Ratios well above the
/// reference's mean a longer right tail than a finite-variance Gaussian norm of
/// the same dimension would give.
package struct ReferenceComparison: Codable, Sendable {
    package struct Shape: Codable, Sendable, Equatable {
        package var q99OverMedian: Double
        package var q999OverMedian: Double
        package var maxOverMedian: Double
        package var excessKurtosis: Double

        enum CodingKeys: String, CodingKey {
            case q99OverMedian = "q99_over_median"
            case q999OverMedian = "q999_over_median"
            case maxOverMedian = "max_over_median"
            case excessKurtosis = "excess_kurtosis"
        }

        package init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func at(_ p: Double) -> Double { quantile(ofSorted: sorted, probability: p) }
            let median = at(0.5)
            q99OverMedian = at(0.99) / median
            q999OverMedian = at(0.999) / median
            maxOverMedian = sorted[sorted.count - 1] / median
            excessKurtosis = SampleSummary(OrderStatistics(sortedDescending: sorted.reversed())).excessKurtosis
        }
    }

    package var reference: String
    package var observed: Shape
    package var referenceShape: Shape

    enum CodingKeys: String, CodingKey {
        case reference, observed
        case referenceShape = "reference_shape"
    }

    /// Compares `observed` norms with `referenceNorms` drawn from `reference`.
    package init(observed: [Double], referenceNorms: [Double], reference: String) {
        self.reference = reference
        self.observed = Shape(observed)
        self.referenceShape = Shape(referenceNorms)
    }

    /// The matched Gaussian reference for noise norms of a `dimension`-parameter
    /// model: √((1/D) Σ X_i²), X_i standard normal, `count` draws.
    /// The effective dimension of Gaussian noise whose norms have the spread of
    /// `norms`: for x ~ N(0, Σ), ‖x‖ has CV² ≈ Σλ²/(2(Σλ)²) = 1/(2 d_eff),
    /// d_eff = (tr Σ)²/tr Σ², so d_eff ≈ 1/(2 CV²). Real gradient noise is
    /// anisotropic: d_eff is far below the parameter count.
    package static func effectiveDimension(of norms: [Double]) -> Double {
        let n = Double(norms.count)
        let mean = norms.reduce(0, +) / n
        let variance = norms.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(1, n - 1)
        return variance > 0 ? mean * mean / (2 * variance) : .infinity
    }

    /// Norms of the Gaussian matched to the observed noise by its effective
    /// dimension (isotropic in d_eff = 1/(2 CV²) dimensions, at most 10⁶): the
    /// null that shares the noise's spread, so that what remains to compare is
    /// the shape of the tail.
    package static func matchedGaussianNorms(observed: [Double], count: Int, seed: UInt64) -> (dimension: Int, norms: [Double]) {
        let dimension = max(1, min(1_000_000, Int(effectiveDimension(of: observed).rounded())))
        return (dimension, gaussianReferenceNorms(dimension: dimension, count: count, seed: seed &+ 0xD0E5))
    }

    /// The α-stable reference the seeds draw beside the Gaussian one: norms of
    /// `count` vectors of `dimension` independent symmetric α-stable coordinates
    /// (GSL's Lévy generator, scale 1), over √dimension. For α < 2 their upper
    /// tail is a power law of index α, set by the largest coordinate. Each
    /// vector draws from its own seeded substream.
    package static func stableReferenceNorms(dimension: Int, alpha: Double, count: Int, seed: UInt64) -> [Double] {
        let d = max(1, min(dimension, 20_000))
        return (0..<count).map { i in
            let random = RandomSource.substream(seed: seed &+ 0x57AB1E, index: i)
            var sum = 0.0
            for _ in 0..<d { let x = random.symmetricStable(alpha: alpha); sum += x * x }
            return (sum / Double(d)).squareRoot()
        }
    }

    package static func gaussianReferenceNorms(dimension: Int, count: Int, seed: UInt64) -> [Double] {
        SyntheticDistribution.meanOfSquaredGaussians(dimension: dimension).sample(count: count, seed: seed).map { $0.squareRoot() }
    }
}
