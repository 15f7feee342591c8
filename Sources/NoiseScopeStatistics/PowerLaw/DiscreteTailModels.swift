import NoiseScopeCore
import Foundation

/// The tail x ≥ xmin of a `DiscreteSample`: its distinct values with their counts.
struct DiscreteTail {
    let values: [Double]
    let counts: [Int]
    let xmin: Double
    /// n_tail.
    let count: Int

    init(_ sample: DiscreteSample, first: Int, xmin: Double) {
        values = Array(sample.values[first...])
        counts = (first..<sample.values.count).map { sample.atLeast[$0] - sample.atLeast[$0 + 1] }
        self.xmin = xmin
        count = sample.atLeast[first]
    }

    /// Σ over the tail's values of f(x), each counted as often as it occurs.
    func sum(_ f: (Double) -> Double) -> Double {
        var total = 0.0
        for (x, c) in zip(values, counts) { total += Double(c) * f(x) }
        return total
    }

    var mean: Double { sum { $0 } / Double(count) }
}

/// The discrete alternatives to the power law (CSN 2009, Table 2.1 and §5),
/// each normalised over the integers x ≥ xmin and fitted by maximum likelihood
/// to the same tail, for the likelihood-ratio tests.
enum DiscreteTailModel {
    /// p(x) = (1 − e^−λ) e^−λ(x − xmin); the MLE is λ = ln(1 + 1/(x̄ − xmin)).
    struct Exponential {
        var rate: Double
        init(_ tail: DiscreteTail) { rate = log1p(1 / (tail.mean - tail.xmin)) }
        func logMass(_ x: Double, xmin: Double) -> Double { log(-expm1(-rate)) - rate * (x - xmin) }
    }

    /// The Poisson conditioned on x ≥ xmin: p(x) = e^−μ μ^x / x! / P(Pois(μ) ≥ xmin),
    /// in log space (the mass underflows far above μ). The MLE solves
    /// x̄ = E_μ[X | X ≥ k] = μ P(Pois(μ) ≥ k − 1)/P(Pois(μ) ≥ k), k = xmin, by
    /// Brent's method on (0, x̄]: the conditional mean rises from k to above μ, so above x̄ there.
    struct Poisson {
        var mean: Double

        init?(_ tail: DiscreteTail) {
            let k = tail.xmin, target = tail.mean
            guard target > k else { return nil }
            let excess = { (mu: Double) in mu * exp(Self.logTail(k - 1, mu) - Self.logTail(k, mu)) - target }
            // At μ = x̄ the excess is ≥ 0 only up to rounding (P(X < k) may be 1e-20): bracket just above.
            guard let mu = OneDimensionalSearch.root(of: excess, lower: 1e-9 * target, upper: target * (1 + 1e-6), tolerance: 1e-13 * target)
            else { return nil }
            mean = mu
        }

        /// ln P(Pois(μ) ≥ k) for integer k ≥ 0: GSL's regularised incomplete gamma
        /// P(k, μ), and where that underflows (μ far below k) the series
        /// e^−μ μ^k/k! Σ_{i≥0} μ^i k!/(k + i)!, summed in log space.
        static func logTail(_ k: Double, _ mu: Double) -> Double {
            guard k > 0 else { return 0 }
            let p = SpecialFunctions.regularizedLowerGamma(k, mu)
            if p > 1e-280 { return log(p) }
            var sum = 1.0, term = 1.0, i = 1.0
            while term > 1e-17 * sum && i < 1e6 {
                term *= mu / (k + i)
                sum += term
                i += 1
            }
            return k * log(mu) - mu - SpecialFunctions.logGamma(k + 1) + log(sum)
        }

        func logMass(_ x: Double, xmin: Double) -> Double {
            x * log(mean) - mean - SpecialFunctions.logGamma(x + 1) - Self.logTail(xmin, mean)
        }
    }

    /// The rounded lognormal (the `powerlaw` package's discrete lognormal): the
    /// lognormal's mass on [x − ½, x + ½), normalised by its mass above xmin − ½,
    /// p(x) = [erfc(z(x − ½)) − erfc(z(x + ½))] / erfc(z(xmin − ½)), z(t) = (ln t − μ)/(σ√2).
    ///
    /// Fitted by GSL's simplex over (μ/σ², ln σ), the coordinates in which its
    /// ridge is straight: as σ → ∞ with μ/σ² → 1 − a it tends to a rounded
    /// power law, and on a power-law tail the likelihood rises along that ridge
    /// without a maximum. σ is therefore bounded by `largestSigma`, where the
    /// log-likelihood is within about 1e-5 of its limit on CSN's data; a fit at
    /// the bound says so (`atBound`), and its test is then against that limit.
    struct Lognormal {
        var mu: Double
        var sigma: Double
        var atBound: Bool
        static let largestSigma = 1000.0

        init(_ tail: DiscreteTail) {
            let meanLog = tail.sum { log($0) } / Double(tail.count)
            let spread = max(1e-3, (tail.sum { (log($0) - meanLog) * (log($0) - meanLog) } / Double(tail.count)).squareRoot())
            let objective = { (p: [Double]) -> Double in
                let sigma = exp(p[1])
                guard sigma <= Self.largestSigma else { return .infinity }
                let model = Lognormal(mu: p[0] * sigma * sigma, sigma: sigma, atBound: false)
                return -tail.sum { model.logMass($0, xmin: tail.xmin) }
            }
            var point = [meanLog / (spread * spread), log(spread)]
            // A restart from where the simplex stopped, with a fresh simplex, polishes the optimum.
            for step in [0.5, 0.05] {
                point = NelderMead.minimise(objective, start: point, step: [step, step], tolerance: 1e-11)
            }
            sigma = exp(point[1])
            mu = point[0] * sigma * sigma
            atBound = sigma > 0.999 * Self.largestSigma
        }

        init(mu: Double, sigma: Double, atBound: Bool) {
            self.mu = mu
            self.sigma = sigma
            self.atBound = atBound
        }

        /// ln p(x), without forming erfc where it underflows: with erfcx(t) = e^{t²} erfc(t)
        /// (`SpecialFunctions.scaledErfc`), erfc(a) − erfc(b) = e^{−a²}[erfcx(a) − e^{−(b−a)(b+a)} erfcx(b)]
        /// for 0 ≤ a < b, and the normaliser's e^{−z₀²} cancels against e^{−a²} as
        /// e^{−(a−z₀)(a+z₀)}, with a − z₀ and b − a taken from ratios of the arguments.
        func logMass(_ x: Double, xmin: Double) -> Double {
            let scale = sigma * 2.0.squareRoot()
            let z0 = (log(xmin - 0.5) - mu) / scale
            let a = (log(x - 0.5) - mu) / scale, b = (log(x + 0.5) - mu) / scale
            let width = log1p(1 / (x - 0.5)) / scale  // b − a
            /// log[e^{p²}(erfc(p) − erfc(q))] for 0 ≤ p < q with q − p = width.
            func scaledDifference(_ p: Double, _ q: Double) -> Double {
                let erfcxP = SpecialFunctions.scaledErfc(p), erfcxQ = SpecialFunctions.scaledErfc(q)
                return log((erfcxP - erfcxQ) - erfcxQ * expm1(-width * (p + q)))
            }
            if z0 >= 0 {
                let rise = log((x - 0.5) / (xmin - 0.5)) / scale  // a − z₀ ≥ 0
                return -rise * (a + z0) + scaledDifference(a, b) - log(SpecialFunctions.scaledErfc(z0))
            }
            let normaliser = log(SpecialFunctions.erfc(z0))  // between 0 and ln 2
            if a >= 0 { return -a * a + scaledDifference(a, b) - normaliser }
            // erfc(a) − erfc(b) = erfc(−b) − erfc(−a).
            if b <= 0 { return -b * b + scaledDifference(-b, -a) - normaliser }
            return log(SpecialFunctions.erf(b) - SpecialFunctions.erf(a)) - normaliser
        }
    }
}
