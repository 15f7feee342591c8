import NoiseScopeCore
import Foundation

/// Distributions with known tails, drawn through GSL: the ground truth the
/// estimators are tested on, and what `noisescope generate` writes for users
/// who want to see the tool on a sample whose answer they know.
package enum SyntheticDistribution: Sendable, Equatable {
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
    /// Fréchet, P(X ≤ x) = exp(−x^−α): tail index α, second order ρ = −1.
    case frechet(alpha: Double)
    /// Burr XII with c = 2, k = α/2: P(X > x) = (1 + x²)^−α/2, tail index α.
    case burr(alpha: Double)
    /// 1/Gamma(α, 1): tail index α.
    case inverseGamma(alpha: Double)
    /// Generalised Pareto with ξ = 1/α, σ = 1: tail index α.
    case generalizedPareto(alpha: Double)
    /// exp(Gamma(2, scale 1/α)): tail index α with a slowly varying factor log x (ρ = 0, the hard case).
    case logGamma(alpha: Double)
    /// Weibull with scale 1: light (stretched exponential for shape < 1).
    case weibull(shape: Double)
    /// Gamma(shape, 1): light.
    case gamma(shape: Double)
    /// |N(0, 1)|: light.
    case halfNormal
    /// With probability 0.95 a χ_10 norm, else Pareto(α): a power-law tail under a light body.
    case chiBodyParetoTail(alpha: Double)
    /// Euclidean norm of D independent symmetric α-stable coordinates: tail index α
    /// (one large coordinate dominates), on an offset of order √D.
    case stableNorm(alpha: Double, dimension: Int)

    /// The true tail index, nil for tails lighter than any power law.
    package var tailIndex: Double? {
        switch self {
        case .pareto(let alpha, _): return alpha
        case .absoluteStable(let alpha), .stable(let alpha): return alpha < 2 ? alpha : nil
        case .absoluteStudentT(let nu): return nu
        case .meanOfSquaredStable(let alpha, _): return alpha < 2 ? alpha / 2 : nil
        case .frechet(let alpha), .burr(let alpha), .inverseGamma(let alpha), .generalizedPareto(let alpha), .logGamma(let alpha),
             .chiBodyParetoTail(let alpha):
            return alpha
        case .stableNorm(let alpha, _): return alpha < 2 ? alpha : nil
        case .gaussianNorm, .exponential, .lognormal, .meanOfSquaredGaussians, .weibull, .gamma, .halfNormal: return nil
        }
    }

    /// One draw.
    package func draw(_ random: RandomSource) -> Double {
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
        case .frechet(let alpha): return pow(-log(random.uniformPositive()), -1 / alpha)
        case .burr(let alpha): return (pow(random.uniformPositive(), -2 / alpha) - 1).squareRoot()
        case .inverseGamma(let alpha): return 1 / random.gamma(shape: alpha)
        case .generalizedPareto(let alpha): return alpha * (pow(random.uniformPositive(), -1 / alpha) - 1)
        case .logGamma(let alpha): return exp(random.gamma(shape: 2, scale: 1 / alpha))
        case .weibull(let shape): return random.weibull(shape: shape)
        case .gamma(let shape): return random.gamma(shape: shape)
        case .halfNormal: return abs(random.gaussian())
        case .chiBodyParetoTail(let alpha):
            return random.uniformPositive() < 0.05 ? random.pareto(alpha: alpha) : SyntheticDistribution.gaussianNorm(dimension: 10).draw(random)
        case .stableNorm(let alpha, let dimension):
            var sum = 0.0
            for _ in 0..<dimension { let x = random.symmetricStable(alpha: alpha); sum += x * x }
            return sum.squareRoot()
        }
    }

    /// `count` draws from a stream seeded with `seed`.
    package func sample(count: Int, seed: UInt64) -> [Double] {
        let random = RandomSource(seed: seed)
        return (0..<count).map { _ in draw(random) }
    }
}

extension SyntheticDistribution {
    /// About how many draws (a fraction) exceed the largest double, and so read as
    /// ±inf: Pareto P(X > max) = (max/xmin)^-α; lognormal P(σZ > log max); the
    /// stable and Student-t kinds, whose tails fall as x^-α and x^-ν, about max^-α
    /// (max^-ν). Zero for the light kinds.
    package var overflowFraction: Double {
        let logMaximum = log(Double.greatestFiniteMagnitude)
        switch self {
        case let .pareto(alpha, xmin): return exp(-alpha * max(0, logMaximum - log(xmin)))
        case let .lognormal(sigma): return 0.5 * erfc(logMaximum / sigma / 2.0.squareRoot())
        case let .stable(alpha), let .absoluteStable(alpha): return exp(-alpha * logMaximum)
        case let .absoluteStudentT(nu): return exp(-nu * logMaximum)
        default: return 0
        }
    }
}
