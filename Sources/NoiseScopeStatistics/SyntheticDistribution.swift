/// Distributions with known tails, drawn through GSL: the ground truth the
/// estimators are tested on, and what `noisescope generate` writes for users
/// who want to see the tool on a sample whose answer they know.
public enum SyntheticDistribution: Sendable, Equatable {
    /// Pareto, P(X > x) = (x/xmin)^-α: tail index α exactly.
    case pareto(alpha: Double, xmin: Double)
    /// |symmetric α-stable| (scale 1): tail index α for α < 2.
    case absoluteStable(alpha: Double)
    /// Symmetric α-stable, signed: for the per-coordinate stable-index estimator.
    case stable(alpha: Double)
    /// |Student t| with ν degrees of freedom: tail index ν.
    case absoluteStudentT(nu: Double)
    /// Euclidean norm of a D-dimensional standard Gaussian vector (χ_D): light tail.
    case gaussianNorm(dimension: Int)
    /// Exponential with mean 1: light (γ = 0).
    case exponential
    /// Lognormal exp(N(0, σ²)): every moment finite, yet heavier than any exponential.
    case lognormal(sigma: Double)
    /// (1/D) Σ_{i≤D} X_i², X_i standard Gaussian: the synthetic reference for a
    /// squared noise norm with finite variance (Zhang et al. 2020, Fig. 1c).
    case meanOfSquaredGaussians(dimension: Int)
    /// (1/D) Σ_{i≤D} X_i², X_i symmetric α-stable: the heavy-tailed reference
    /// (Fig. 1g); its tail index is α/2.
    case meanOfSquaredStable(alpha: Double, dimension: Int)

    /// The true tail index, nil for tails lighter than any power law.
    public var tailIndex: Double? {
        switch self {
        case .pareto(let alpha, _): return alpha
        case .absoluteStable(let alpha), .stable(let alpha): return alpha < 2 ? alpha : nil
        case .absoluteStudentT(let nu): return nu
        case .meanOfSquaredStable(let alpha, _): return alpha < 2 ? alpha / 2 : nil
        case .gaussianNorm, .exponential, .lognormal, .meanOfSquaredGaussians: return nil
        }
    }

    /// One draw.
    public func draw(_ random: RandomSource) -> Double {
        switch self {
        case .pareto(let alpha, let xmin): return random.pareto(alpha: alpha, xmin: xmin)
        case .absoluteStable(let alpha): return abs(random.symmetricStable(alpha: alpha))
        case .stable(let alpha): return random.symmetricStable(alpha: alpha)
        case .absoluteStudentT(let nu): return abs(random.studentT(nu: nu))
        case .gaussianNorm(let dimension):
            var sum = 0.0
            for _ in 0..<dimension { let g = random.gaussian(); sum += g * g }
            return sum.squareRoot()
        case .meanOfSquaredGaussians(let dimension):
            var sum = 0.0
            for _ in 0..<dimension { let g = random.gaussian(); sum += g * g }
            return sum / Double(dimension)
        case .meanOfSquaredStable(let alpha, let dimension):
            var sum = 0.0
            for _ in 0..<dimension { let x = random.symmetricStable(alpha: alpha); sum += x * x }
            return sum / Double(dimension)
        case .exponential: return random.exponential()
        case .lognormal(let sigma): return random.lognormal(mu: 0, sigma: sigma)
        }
    }

    /// `count` draws from a stream seeded with `seed`.
    public func sample(count: Int, seed: UInt64) -> [Double] {
        let random = RandomSource(seed: seed)
        return (0..<count).map { _ in draw(random) }
    }
}
