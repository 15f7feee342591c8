import NoiseScopeCore
import Foundation

/// The samples of known tail that the verdict is calibrated on: power laws at
/// α from 0.8 to 4 (pure, stable, with a slowly varying factor), tails with
/// no power law (lognormal, stretched and plain exponential types), a light
/// body with a power-law tail, and norms of many α-stable coordinates, the
/// seeds' own synthetic reference. Each case says what a correct verdict is.
/// The rule's constants were tuned on `CalibrationBattery.cases`;
/// `CalibrationBattery.heldOut` holds families it never saw (see there).
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
        // The held-out battery's own kinds, never used to tune the rule:
        /// AR(1) and GARCH(1,1) series (dependent draws).
        case dependent
        /// Power laws with an exponential cutoff (no power-law tail).
        case cutoff
        /// Pareto tails shifted far from zero.
        case shifted
        /// Norms of many Student-t coordinates.
        case studentTNorm = "student-t-norm"
        /// A light body with a cluster of outliers.
        case cluster
        // The second held-out battery's new kinds:
        /// Power laws of families no battery had before: log-logistic, Pareto × |Gaussian|.
        case newPowerLaw = "new-power-law"
        /// Light tails no battery had before: uniform, |logistic|.
        case newLight = "new-light"
    }

    package var name: String
    package var distribution: BatteryDistribution
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
            cases.append(CalibrationCase(name: name, distribution: .synthetic(distribution), family: family))
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

    /// The held-out battery: families and parameters chosen after the rule was
    /// tuned, and run once to measure it (docs/check.md quotes that run as it
    /// came out): dependent series, cutoffs, shifted and mixed power laws,
    /// heavier lognormals, norms of Student-t vectors, an outlier cluster.
    /// The lognormal family itself was among those that set the floor for
    /// `infinite-variance` (at σ = 1.5, 2.5, 3); σ = 2.25 and 2.75 are new.
    package static let heldOut: [CalibrationCase] = battery { add in
        for nu in [1.5, 3] { add("|AR(1) t\(nu == 3 ? "3" : "1.5")| φ=0.7", .autoregressiveStudentT(phi: 0.7, nu: nu), .dependent) }
        add("|GARCH a=0.8 b=0.3|", .garch(a: 0.8, b: 0.3, tailIndex: 1.488989), .dependent)
        add("|GARCH a=0.5 b=0.45|", .garch(a: 0.5, b: 0.45, tailIndex: 2.491713), .dependent)
        add("|GARCH a=0.2 b=0.75|", .garch(a: 0.2, b: 0.75, tailIndex: 4.355626), .dependent)
        add("pareto 1.5 cutoff λ=100", .cutoffPowerLaw(alpha: 1.5, lambda: 100), .cutoff)
        add("pareto 2.5 cutoff λ=30", .cutoffPowerLaw(alpha: 2.5, lambda: 30), .cutoff)
        add("pareto 1.5 + 1000", .shiftedPareto(alpha: 1.5, shift: 1000), .shifted)
        add("pareto 3 + 100", .shiftedPareto(alpha: 3, shift: 100), .shifted)
        add("lognormal σ=2.25", .synthetic(.lognormal(sigma: 2.25)), .subexponential)
        add("lognormal σ=2.75", .synthetic(.lognormal(sigma: 2.75)), .subexponential)
        for d in [10, 100, 1000] { add("‖t3‖ in \(d) dimensions", .studentTNorm(nu: 3, dimension: d), .studentTNorm) }
        add("‖t1.5‖ in 100 dimensions", .studentTNorm(nu: 1.5, dimension: 100), .studentTNorm)
        add("half-normal + 1 % cluster at 20", .outlierCluster(fraction: 0.01, center: 20), .cluster)
        add("exponential + 10 % pareto 2.5", .bodyWithParetoTail(body: .exponential, fraction: 0.1, alpha: 2.5), .mixture)
        add("lognormal σ=0.5 + 2 % pareto 1.2", .bodyWithParetoTail(body: .lognormal(sigma: 0.5), fraction: 0.02, alpha: 1.2), .mixture)
    }

    /// The second held-out battery, defined and committed after the rule was
    /// re-tuned on the first (the first held-out battery then became tuning
    /// data), before it was ever run: new families (log-logistic, Pareto ×
    /// |Gaussian|, stochastic-volatility and max-autoregressive series, uniform,
    /// |logistic|) and new parameters of the kinds the first one had.
    package static let heldOut2: [CalibrationCase] = battery { add in
        add("log-logistic 1.6", .logLogistic(beta: 1.6), .newPowerLaw)
        add("log-logistic 3", .logLogistic(beta: 3), .newPowerLaw)
        add("pareto 1.7 × |N|", .paretoTimesGaussian(alpha: 1.7), .newPowerLaw)
        add("pareto 2.5 × |N|", .paretoTimesGaussian(alpha: 2.5), .newPowerLaw)
        add("|SV t2.5| φ=0.9", .stochasticVolatility(nu: 2.5, phi: 0.9), .dependent)
        add("|SV t1.5| φ=0.5", .stochasticVolatility(nu: 1.5, phi: 0.5), .dependent)
        add("max-AR fréchet 1.5 φ=0.5", .maxAutoregressive(alpha: 1.5, phi: 0.5), .dependent)
        add("max-AR fréchet 3 φ=0.7", .maxAutoregressive(alpha: 3, phi: 0.7), .dependent)
        add("pareto 2 cutoff λ=20", .cutoffPowerLaw(alpha: 2, lambda: 20), .cutoff)
        add("pareto 1.2 cutoff λ=50", .cutoffPowerLaw(alpha: 1.2, lambda: 50), .cutoff)
        add("pareto 2.5 + 50", .shiftedPareto(alpha: 2.5, shift: 50), .shifted)
        add("pareto 1.2 + 30", .shiftedPareto(alpha: 1.2, shift: 30), .shifted)
        add("lognormal σ=1.25", .synthetic(.lognormal(sigma: 1.25)), .subexponential)
        add("lognormal σ=1.75", .synthetic(.lognormal(sigma: 1.75)), .subexponential)
        add("weibull 0.5", .synthetic(.weibull(shape: 0.5)), .subexponential)
        add("uniform", .uniform, .newLight)
        add("|logistic|", .absoluteLogistic, .newLight)
        add("‖t2.5‖ in 30 dimensions", .studentTNorm(nu: 2.5, dimension: 30), .studentTNorm)
        add("‖t1.7‖ in 300 dimensions", .studentTNorm(nu: 1.7, dimension: 300), .studentTNorm)
        add("half-normal + 0.3 % cluster at 25", .outlierCluster(fraction: 0.003, center: 25), .cluster)
        add("half-normal + 1 % pareto 3", .bodyWithParetoTail(body: .halfNormal, fraction: 0.01, alpha: 3), .mixture)
        add("lognormal σ=1 + 10 % pareto 1.8", .bodyWithParetoTail(body: .lognormal(sigma: 1), fraction: 0.1, alpha: 1.8), .mixture)
        add("gamma 3 + 5 % pareto 2.2", .bodyWithParetoTail(body: .gamma(shape: 3), fraction: 0.05, alpha: 2.2), .mixture)
    }

    /// The third held-out battery, defined and committed after the rule was
    /// re-tuned with the second one's failures in view (the light test's
    /// exponential-spacings check), before it was ever run: Dagum, Lévy,
    /// Exp × Pareto, an MA(1) series, |Gumbel|, beta, and new parameters of the
    /// other kinds.
    package static let heldOut3: [CalibrationCase] = battery { add in
        add("dagum a=1.8 p=0.5", .dagum(a: 1.8, p: 0.5), .newPowerLaw)
        add("dagum a=3.5 p=2", .dagum(a: 3.5, p: 2), .newPowerLaw)
        add("lévy", .levy, .newPowerLaw)
        add("exp × pareto 1.3", .exponentialTimesPareto(alpha: 1.3), .newPowerLaw)
        add("exp × pareto 3", .exponentialTimesPareto(alpha: 3), .newPowerLaw)
        add("|MA(1) t1.8| θ=0.8", .movingAverageStudentT(theta: 0.8, nu: 1.8), .dependent)
        add("|MA(1) t3.5| θ=0.5", .movingAverageStudentT(theta: 0.5, nu: 3.5), .dependent)
        add("|SV t4| φ=0.95", .stochasticVolatility(nu: 4, phi: 0.95), .dependent)
        add("pareto 1.8 cutoff λ=10", .cutoffPowerLaw(alpha: 1.8, lambda: 10), .cutoff)
        add("pareto 3 cutoff λ=100", .cutoffPowerLaw(alpha: 3, lambda: 100), .cutoff)
        add("pareto 2.2 + 10", .shiftedPareto(alpha: 2.2, shift: 10), .shifted)
        add("lognormal σ=0.75", .synthetic(.lognormal(sigma: 0.75)), .subexponential)
        add("weibull 0.6", .synthetic(.weibull(shape: 0.6)), .subexponential)
        add("gamma 0.5", .synthetic(.gamma(shape: 0.5)), .exponentialType)
        add("weibull 2.5", .synthetic(.weibull(shape: 2.5)), .exponentialType)
        add("|gumbel|", .absoluteGumbel, .newLight)
        add("beta(2, 5)", .beta(a: 2, b: 5), .newLight)
        add("‖t3.5‖ in 50 dimensions", .studentTNorm(nu: 3.5, dimension: 50), .studentTNorm)
        add("‖t1.3‖ in 10 dimensions", .studentTNorm(nu: 1.3, dimension: 10), .studentTNorm)
        add("half-normal + 2 % cluster at 8", .outlierCluster(fraction: 0.02, center: 8), .cluster)
        add("exponential + 2 % pareto 2.5", .bodyWithParetoTail(body: .exponential, fraction: 0.02, alpha: 2.5), .mixture)
        add("half-normal + 5 % pareto 1.6", .bodyWithParetoTail(body: .halfNormal, fraction: 0.05, alpha: 1.6), .mixture)
        add("χ 10 + 1 % pareto 3.5", .bodyWithParetoTail(body: .gaussianNorm(dimension: 10), fraction: 0.01, alpha: 3.5), .mixture)
    }

    /// The fourth held-out battery, defined and committed once rule v6 (the
    /// bias-correction bound, set with the first three held-out batteries' cutoffs
    /// in view) was written, before either met it: new parameters of every kind,
    /// so the error rates it gives are for tails the rule was never tuned on.
    package static let heldOut4: [CalibrationCase] = battery { add in
        add("log-logistic 2.2", .logLogistic(beta: 2.2), .newPowerLaw)
        add("dagum a=2.5 p=1", .dagum(a: 2.5, p: 1), .newPowerLaw)
        add("pareto 2.8 × |N|", .paretoTimesGaussian(alpha: 2.8), .newPowerLaw)
        add("exp × pareto 2.4", .exponentialTimesPareto(alpha: 2.4), .newPowerLaw)
        add("exp × pareto 1.6", .exponentialTimesPareto(alpha: 1.6), .newPowerLaw)
        add("|t| 2.5", .synthetic(.absoluteStudentT(nu: 2.5)), .pure)
        add("fréchet 2.5", .synthetic(.frechet(alpha: 2.5)), .pure)
        add("‖t2.2‖ in 20 dimensions", .studentTNorm(nu: 2.2, dimension: 20), .studentTNorm)
        add("|SV t3| φ=0.8", .stochasticVolatility(nu: 3, phi: 0.8), .dependent)
        add("max-AR fréchet 2.5 φ=0.3", .maxAutoregressive(alpha: 2.5, phi: 0.3), .dependent)
        add("|AR(1) t2.5| φ=0.5", .autoregressiveStudentT(phi: 0.5, nu: 2.5), .dependent)
        add("pareto 2.2 cutoff λ=15", .cutoffPowerLaw(alpha: 2.2, lambda: 15), .cutoff)
        add("pareto 1.4 cutoff λ=25", .cutoffPowerLaw(alpha: 1.4, lambda: 25), .cutoff)
        add("pareto 2.8 cutoff λ=50", .cutoffPowerLaw(alpha: 2.8, lambda: 50), .cutoff)
        add("pareto 1.6 + 20", .shiftedPareto(alpha: 1.6, shift: 20), .shifted)
        add("pareto 2.7 + 5", .shiftedPareto(alpha: 2.7, shift: 5), .shifted)
        add("lognormal σ=0.6", .synthetic(.lognormal(sigma: 0.6)), .subexponential)
        add("weibull 0.8", .synthetic(.weibull(shape: 0.8)), .subexponential)
        add("weibull 1.2", .synthetic(.weibull(shape: 1.2)), .exponentialType)
        add("gamma 1.5", .synthetic(.gamma(shape: 1.5)), .exponentialType)
        add("χ 30", .synthetic(.gaussianNorm(dimension: 30)), .exponentialType)
        add("beta(1, 3)", .beta(a: 1, b: 3), .newLight)
        add("half-normal + 1 % cluster at 12", .outlierCluster(fraction: 0.01, center: 12), .cluster)
        add("exponential + 5 % pareto 1.4", .bodyWithParetoTail(body: .exponential, fraction: 0.05, alpha: 1.4), .mixture)
        add("gamma 2 + 3 % pareto 2.6", .bodyWithParetoTail(body: .gamma(shape: 2), fraction: 0.03, alpha: 2.6), .mixture)
        add("lognormal σ=0.75 + 5 % pareto 2.1", .bodyWithParetoTail(body: .lognormal(sigma: 0.75), fraction: 0.05, alpha: 2.1), .mixture)
        add("half-normal + 0.5 % pareto 2.5", .bodyWithParetoTail(body: .halfNormal, fraction: 0.005, alpha: 2.5), .mixture)
    }

    /// The cases `fill` adds, in order: name, what it draws, family.
    private static func battery(_ fill: (_ add: (String, BatteryDistribution, CalibrationCase.Family) -> Void) -> Void) -> [CalibrationCase] {
        var cases: [CalibrationCase] = []
        fill { cases.append(CalibrationCase(name: $0, distribution: $1, family: $2)) }
        return cases
    }

    /// Which battery a calibration runs.
    package enum Kind: String, CaseIterable, Sendable {
        /// The cases the rule was tuned on.
        case tuning
        /// Families the rule's first tuning never saw; it was re-tuned on them afterwards.
        case heldOut = "held-out"
        /// Families the rule's v4 never saw; v5 was tuned with its failures in view.
        case heldOut2 = "held-out-2"
        /// Families the rule's v5 never saw; v6 was tuned with its cutoffs in view.
        case heldOut3 = "held-out-3"
        /// Families the rule never saw, defined after its last tuning (v6).
        case heldOut4 = "held-out-4"

        package var cases: [CalibrationCase] {
            switch self {
            case .tuning: return CalibrationBattery.cases
            case .heldOut: return CalibrationBattery.heldOut
            case .heldOut2: return CalibrationBattery.heldOut2
            case .heldOut3: return CalibrationBattery.heldOut3
            case .heldOut4: return CalibrationBattery.heldOut4
            }
        }

        /// Each battery's own salt of the random streams.
        var salt: UInt64 {
            switch self {
            case .tuning: return 0
            case .heldOut: return 0x5eed
            case .heldOut2: return 0x5eed2
            case .heldOut3: return 0x5eed3
            case .heldOut4: return 0x5eed4
            }
        }
    }

    /// The sample of case `index` of `kind` at size n for `seed`: its own GSL
    /// substream, so any subset of the battery draws the same numbers.
    package static func sample(_ index: Int, n: Int, seed: UInt64, kind: Kind = .tuning) -> [Double] {
        let random = RandomSource.substream(seed: seed &* 1_000_003 &+ UInt64(n) &+ kind.salt, index: index)
        return kind.cases[index].distribution.sample(count: n, random: random)
    }
}
