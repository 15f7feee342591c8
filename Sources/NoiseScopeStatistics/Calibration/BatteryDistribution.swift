import NoiseScopeCore
import Foundation

/// What a calibration case draws: an independent sample of a
/// `SyntheticDistribution`, or one of the held-out kinds, some of them
/// dependent series, that the verdict's constants were never tuned on.
package enum BatteryDistribution: Sendable, Equatable {
    case synthetic(SyntheticDistribution)
    /// |X_t| of the AR(1) series X_t = φX_{t−1} + ε_t, ε Student t_ν: dependent, tail index ν.
    case autoregressiveStudentT(phi: Double, nu: Double)
    /// |r_t| of a GARCH(1,1) series r_t = σ_t Z_t, σ_t² = 0.1 + a·r_{t−1}² + b·σ_{t−1}², Z Gaussian:
    /// dependent, tail index 2κ with E[(aZ² + b)^κ] = 1 (Kesten; `tailIndex` is that root,
    /// computed by quadrature and checked in the tests).
    case garch(a: Double, b: Double, tailIndex: Double)
    /// Density ∝ x^(−α−1)·exp(−x/λ) above 1: a power law bent by an exponential cutoff, so no power-law tail.
    case cutoffPowerLaw(alpha: Double, lambda: Double)
    /// Pareto(α) above 1 plus a constant: tail index α, far from the body.
    case shiftedPareto(alpha: Double, shift: Double)
    /// Euclidean norm of D independent Student t_ν coordinates: tail index ν (one coordinate dominates).
    case studentTNorm(nu: Double, dimension: Int)
    /// |N(0, 1)| with a fraction of the draws in a cluster N(center, 1): light.
    case outlierCluster(fraction: Double, center: Double)
    /// `body` with a fraction of the draws Pareto(α) above 1: tail index α.
    case bodyWithParetoTail(body: SyntheticDistribution, fraction: Double, alpha: Double)
    // The second held-out battery's kinds:
    /// Log-logistic (Fisk): (U/(1 − U))^(1/β), tail index β.
    case logLogistic(beta: Double)
    /// Pareto(α) above 1 times |N(0, 1)|: tail index α (Breiman's lemma), no clean Pareto form.
    case paretoTimesGaussian(alpha: Double)
    /// |X_t| of a stochastic-volatility series X_t = e^(h_t/2)·t_ν, h_t = φh_{t−1} + √(1 − φ²)·N(0, 1): dependent, tail index ν.
    case stochasticVolatility(nu: Double, phi: Double)
    /// The max-autoregressive series X_t = max(φX_{t−1}, Z_t), Z Fréchet(α): dependent, extremal index 1 − φ^α, tail index α.
    case maxAutoregressive(alpha: Double, phi: Double)
    /// Uniform on (0, 1): bounded, light.
    case uniform
    /// |logistic|: |log(U/(1 − U))|, an exponential tail.
    case absoluteLogistic
    // The third held-out battery's kinds:
    /// Dagum (Burr III): F(x) = (1 + x^−a)^−p, tail index a.
    case dagum(a: Double, p: Double)
    /// Lévy (one-sided stable, index ½): 1/Z², tail index ½.
    case levy
    /// Exp(1) × Pareto(α) above 1: tail index α (Breiman).
    case exponentialTimesPareto(alpha: Double)
    /// |Gumbel|: |−log(−log U)|, an exponential upper tail.
    case absoluteGumbel
    /// Beta(a, b) on (0, 1): bounded, light.
    case beta(a: Double, b: Double)
    /// |X_t| of the moving average X_t = ε_t + θε_{t−1}, ε Student t_ν: dependent, tail index ν.
    case movingAverageStudentT(theta: Double, nu: Double)

    /// The true tail index, nil for no power-law tail.
    package var tailIndex: Double? {
        switch self {
        case .synthetic(let distribution): return distribution.tailIndex
        case .autoregressiveStudentT(_, let nu), .studentTNorm(let nu, _): return nu
        case .garch(_, _, let alpha), .shiftedPareto(let alpha, _), .bodyWithParetoTail(_, _, let alpha): return alpha
        case .logLogistic(let alpha), .paretoTimesGaussian(let alpha), .stochasticVolatility(let alpha, _), .maxAutoregressive(let alpha, _): return alpha
        case .dagum(let alpha, _), .exponentialTimesPareto(let alpha), .movingAverageStudentT(_, let alpha): return alpha
        case .levy: return 0.5
        case .cutoffPowerLaw, .outlierCluster, .uniform, .absoluteLogistic, .absoluteGumbel, .beta: return nil
        }
    }

    /// Steps run and dropped before a series is recorded, so it starts near its stationary law.
    static let burnIn = 1000

    /// `count` draws from `random`, in order (a series for the dependent kinds).
    package func sample(count: Int, random: RandomSource) -> [Double] {
        switch self {
        case .synthetic(let distribution):
            return (0..<count).map { _ in distribution.draw(random) }
        case let .autoregressiveStudentT(phi, nu):
            var x = 0.0
            for _ in 0..<Self.burnIn { x = phi * x + random.studentT(nu: nu) }
            return (0..<count).map { _ in x = phi * x + random.studentT(nu: nu); return abs(x) }
        case let .garch(a, b, _):
            var variance = 1.0, r = 0.0
            func step() { variance = 0.1 + a * r * r + b * variance; r = variance.squareRoot() * random.gaussian() }
            for _ in 0..<Self.burnIn { step() }
            return (0..<count).map { _ in step(); return abs(r) }
        case let .cutoffPowerLaw(alpha, lambda):
            return (0..<count).map { _ in
                while true {
                    let x = random.pareto(alpha: alpha)
                    if random.uniformPositive() < exp(-(x - 1) / lambda) { return x }
                }
            }
        case let .shiftedPareto(alpha, shift):
            return (0..<count).map { _ in random.pareto(alpha: alpha) + shift }
        case let .studentTNorm(nu, dimension):
            return (0..<count).map { _ in
                var sum = 0.0
                for _ in 0..<dimension { let t = random.studentT(nu: nu); sum += t * t }
                return sum.squareRoot()
            }
        case let .outlierCluster(fraction, center):
            return (0..<count).map { _ in
                // A Gaussian draw can be exactly 0 (rarely); the samples must be positive, so draw again.
                var x = 0.0
                while x == 0 { x = random.uniformPositive() < fraction ? abs(center + random.gaussian()) : abs(random.gaussian()) }
                return x
            }
        case let .bodyWithParetoTail(body, fraction, alpha):
            return (0..<count).map { _ in random.uniformPositive() < fraction ? random.pareto(alpha: alpha) : body.draw(random) }
        case .logLogistic(let beta):
            return (0..<count).map { _ in let u = random.uniformPositive(); return pow(u / (1 - u), 1 / beta) }
        case .paretoTimesGaussian(let alpha):
            return (0..<count).map { _ in random.pareto(alpha: alpha) * abs(random.gaussian()) }
        case let .stochasticVolatility(nu, phi):
            var h = 0.0
            let innovation = (1 - phi * phi).squareRoot()
            for _ in 0..<Self.burnIn { h = phi * h + innovation * random.gaussian() }
            return (0..<count).map { _ in h = phi * h + innovation * random.gaussian(); return exp(h / 2) * abs(random.studentT(nu: nu)) }
        case let .maxAutoregressive(alpha, phi):
            var x = 0.0
            func frechet() -> Double { pow(-log(random.uniformPositive()), -1 / alpha) }
            for _ in 0..<Self.burnIn { x = max(phi * x, frechet()) }
            return (0..<count).map { _ in x = max(phi * x, frechet()); return x }
        case .uniform:
            return (0..<count).map { _ in random.uniformPositive() }
        case .absoluteLogistic:
            return (0..<count).map { _ in let u = random.uniformPositive(); return abs(log(u / (1 - u))) }
        case let .dagum(a, p):
            return (0..<count).map { _ in pow(expm1(-log(random.uniformPositive()) / p), -1 / a) }  // U^(−1/p) − 1 > 0 even for U near 1
        case .levy:
            return (0..<count).map { _ in let z = random.gaussian(); return 1 / max(z * z, .leastNormalMagnitude) }
        case .exponentialTimesPareto(let alpha):
            return (0..<count).map { _ in random.exponential() * random.pareto(alpha: alpha) }
        case .absoluteGumbel:
            return (0..<count).map { _ in abs(-log(-log(random.uniformPositive()))) }
        case let .beta(a, b):
            return (0..<count).map { _ in let x = random.gamma(shape: a), y = random.gamma(shape: b); return x / (x + y) }
        case let .movingAverageStudentT(theta, nu):
            var previous = random.studentT(nu: nu)
            return (0..<count).map { _ in let e = random.studentT(nu: nu); defer { previous = e }; return abs(e + theta * previous) }
        }
    }
}
