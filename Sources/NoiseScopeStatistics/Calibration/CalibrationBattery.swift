import NoiseScopeCore
import Foundation

/// The samples of known tail that the verdict is calibrated on: power laws at
/// α from 0.8 to 4 (pure, stable, with a slowly varying factor), tails with
/// no power law (lognormal, stretched and plain exponential types), a light
/// body with a power-law tail, and norms of many α-stable coordinates, the
/// seeds' own synthetic reference. Each case says what a correct verdict is.
package struct CalibrationCase: Sendable {
    package enum Family: String, Codable, Sendable, CaseIterable {
        /// Pareto-like tails (Pareto, |t|, Fréchet, Burr, inverse gamma, GPD): the interval-coverage target.
        case pure
        /// |symmetric α-stable|: the power law starts far out when α is near 2.
        case stable
        /// Log-gamma: a slowly varying factor (ρ = 0).
        case slowlyVarying = "slowly-varying"
        /// Lognormal and stretched exponential: no power law, but heavier than exponential.
        case subexponential
        /// Exponential, gamma, Weibull (shape > 1), half-normal, χ norms.
        case exponentialType = "exponential-type"
        /// A light body with a thin power-law tail.
        case mixture
        /// Norms of many α-stable coordinates.
        case norm
    }

    package var name: String
    package var distribution: SyntheticDistribution
    package var family: Family

    /// The tail index, nil for no power-law tail.
    package var alpha: Double? { distribution.tailIndex }

    /// The verdict a perfect rule gives.
    package var truth: TailVerdict {
        guard let alpha else { return .light }
        return alpha < 2 ? .infiniteVariance : .heavy
    }
}

package enum CalibrationBattery {
    /// Every case, in a fixed order.
    package static let cases: [CalibrationCase] = {
        var cases: [CalibrationCase] = []
        func g(_ x: Double) -> String { String(format: "%g", x) }
        func add(_ name: String, _ distribution: SyntheticDistribution, _ family: CalibrationCase.Family) {
            cases.append(CalibrationCase(name: name, distribution: distribution, family: family))
        }
        for a in [0.8, 1.5, 1.8, 2.2, 3, 4] { add("pareto \(g(a))", .pareto(alpha: a, xmin: 1), .pure) }
        for a in [1.2, 1.5, 1.8, 1.95] { add("|SαS| \(g(a))", .absoluteStable(alpha: a), .stable) }
        for nu in [1, 1.5, 1.8, 3, 4] { add("|t| \(g(nu))", .absoluteStudentT(nu: nu), .pure) }
        for a in [1.5, 3] { add("fréchet \(g(a))", .frechet(alpha: a), .pure) }
        for a in [1.5, 3] { add("burr \(g(a))", .burr(alpha: a), .pure) }
        for a in [1.5, 3] { add("inverse gamma \(g(a))", .inverseGamma(alpha: a), .pure) }
        for a in [1.5, 3] { add("gpd \(g(a))", .generalizedPareto(alpha: a), .pure) }
        for a in [1.5, 3] { add("log-gamma \(g(a))", .logGamma(alpha: a), .slowlyVarying) }
        for s in [0.5, 1, 2] { add("lognormal σ=\(g(s))", .lognormal(sigma: s), .subexponential) }
        add("weibull 0.7", .weibull(shape: 0.7), .subexponential)
        add("weibull 1.5", .weibull(shape: 1.5), .exponentialType)
        add("gamma 3", .gamma(shape: 3), .exponentialType)
        add("exponential", .exponential, .exponentialType)
        add("half-normal", .halfNormal, .exponentialType)
        add("χ 10", .gaussianNorm(dimension: 10), .exponentialType)
        add("χ 100", .gaussianNorm(dimension: 100), .exponentialType)
        add("95 % χ10 + 5 % pareto 1.5", .chiBodyParetoTail(alpha: 1.5), .mixture)
        add("norm of 1000 SαS 1.9", .stableNorm(alpha: 1.9, dimension: 1000), .norm)
        add("norm of 100 SαS 1.5", .stableNorm(alpha: 1.5, dimension: 100), .norm)
        return cases
    }()

    /// The sample of case `index` at size n for `seed`: its own GSL substream,
    /// so any subset of the battery draws the same numbers.
    package static func sample(_ index: Int, n: Int, seed: UInt64) -> [Double] {
        let random = RandomSource.substream(seed: seed &* 1_000_003 &+ UInt64(n), index: index)
        let distribution = cases[index].distribution
        return (0..<n).map { _ in distribution.draw(random) }
    }
}
