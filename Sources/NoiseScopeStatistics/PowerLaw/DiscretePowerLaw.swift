import NoiseScopeCore
import Foundation

/// Clauset–Shalizi–Newman's discrete power law, fitted to the upper tail of a
/// sample of positive integers (CSN 2009, §3 and appendix B: word frequencies,
/// deaths per attack, anything counted).
///
/// The model is p(x) = x^−a / ζ(a, xmin) on the integers x ≥ xmin, with ζ the
/// Hurwitz zeta function (GSL's `gsl_sf_hzeta`). CSN call a "α"; here it is
/// `massExponent`, and `alpha` = a − 1 is the tail index of P(X ≥ x) ~ x^−α,
/// as everywhere else in noisescope (the continuous fit's `alpha` is the same
/// quantity). docs/check.md ("Discrete power laws") gives the definitions and
/// CSN's Table 6.1 rows this reproduces.
package struct DiscretePowerLawFit: Codable, Equatable, Sendable {
    /// Tail index a − 1 of P(X ≥ x) ∝ x^−(a−1) far above xmin.
    package var alpha: Double
    /// The exponent a of the mass function (what CSN and the `powerlaw` package call alpha).
    package var massExponent: Double
    /// Standard error of the MLE (the same for a and α): 1/√(n_tail · I(a)), with
    /// I(a) = d²/da² ln ζ(a, xmin) = Var_a[ln X] the information of one value (CSN eq. 3.6).
    package var sigma: Double
    /// The lower bound of the power-law tail (chosen by minimum KS distance unless fixed).
    package var xmin: Int
    /// Number of samples ≥ xmin.
    package var tailCount: Int
    /// max over the distinct tail values u of |#{x ≥ u}/n_tail − ζ(a, u)/ζ(a, xmin)|.
    package var ksDistance: Double
    /// −n_tail ln ζ(a, xmin) − a Σ ln x at the MLE.
    package var logLikelihood: Double
    /// "scan" (every distinct value but the two largest) or "fixed" (given by the caller).
    package var xminSearch: String
    /// Goodness-of-fit p by CSN's semi-parametric bootstrap (sequential, as the continuous fit's); nil if not run.
    package var goodnessOfFitP: Double?
    /// Replicates behind `goodnessOfFitP`.
    package var goodnessOfFitReplicates: Int
    /// Replicates planned; nil when the bootstrap was not run.
    package var goodnessOfFitPlannedReplicates: Int?
    /// Vuong tests on the tail, R > 0 favouring the power law (normalised R = R/(σ√n)).
    package var versusLognormal: LikelihoodRatioTest
    package var versusExponential: LikelihoodRatioTest
    /// nil when the Poisson has no maximum-likelihood mean (the tail mean not above xmin).
    package var versusPoisson: LikelihoodRatioTest?
    /// λ of the discrete exponential (1 − e^−λ) e^−λ(x − xmin).
    package var exponentialRate: Double
    /// μ of the Poisson conditioned on x ≥ xmin; nil if it has no maximum.
    package var poissonMean: Double?
    /// μ and σ of the rounded lognormal.
    package var lognormalMu: Double
    package var lognormalSigma: Double
    /// The lognormal's likelihood still rose at σ = 1000: it has no interior maximum
    /// (it tends to a power law as σ → ∞), and its test is against that bound.
    package var lognormalAtSigmaBound: Bool

    enum CodingKeys: String, CodingKey {
        case alpha, sigma, xmin
        case massExponent = "mass_exponent"
        case tailCount = "n_tail"
        case ksDistance = "ks_distance"
        case logLikelihood = "log_likelihood"
        case xminSearch = "xmin_search"
        case goodnessOfFitP = "gof_p"
        case goodnessOfFitReplicates = "gof_replicates"
        case goodnessOfFitPlannedReplicates = "gof_replicates_planned"
        case versusLognormal = "vs_lognormal"
        case versusExponential = "vs_exponential"
        case versusPoisson = "vs_poisson"
        case exponentialRate = "exponential_rate"
        case poissonMean = "poisson_mean"
        case lognormalMu = "lognormal_mu"
        case lognormalSigma = "lognormal_sigma"
        case lognormalAtSigmaBound = "lognormal_at_sigma_bound"
    }
}

/// Fits `DiscretePowerLawFit`s: the xmin scan, the MLE, the likelihood-ratio
/// tests and the bootstrap goodness of fit (DiscretePowerLawBootstrap.swift).
package struct DiscretePowerLawFitter: Sendable {
    /// Replicates of the goodness-of-fit bootstrap at most (0 skips it).
    package var bootstrapReplicates = 100
    package var seed: UInt64 = 0
    /// A fixed xmin instead of the scan; the bootstrap's replicates keep it too.
    package var xmin: Int?

    package init(bootstrapReplicates: Int = 100, seed: UInt64 = 0, xmin: Int? = nil) {
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
        self.xmin = xmin
    }

    /// Whether every value is a positive integer that a double holds exactly (below 2⁵³).
    package static func applies(to values: [Double]) -> Bool { values.allSatisfy(DiscreteSample.isCount) }

    /// The first value that is not a positive integer (for the error that says why the fit cannot run).
    package static func firstNonCount(in values: [Double]) -> Double? { values.first { !DiscreteSample.isCount($0) } }

    /// Every value a positive integer, and some of them tied: the samples look
    /// like counts, which `check` says in a note suggesting `--discrete`.
    package static func looksLikeCounts(_ values: [Double]) -> Bool {
        guard values.count > 1, applies(to: values) else { return false }
        let isSorted = zip(values, values.dropFirst()).allSatisfy { $0 >= $1 }
        let sorted = isSorted ? values : values.sorted(by: >)
        return zip(sorted, sorted.dropFirst()).contains { $0 == $1 }
    }

    /// Fits the tail of `values` (any order); nil unless they are all positive
    /// integers with at least three distinct values (two at a fixed xmin).
    package func fit(_ values: [Double]) -> DiscretePowerLawFit? {
        DiscreteSample(values).flatMap(fit)
    }

    /// Fits the tail of sorted samples (without sorting them again).
    package func fit(_ data: OrderStatistics) -> DiscretePowerLawFit? {
        guard Self.applies(to: data.descending) else { return nil }
        return fit(DiscreteSample(ascending: data.descending.reversed()))
    }

    /// The candidate: xmin fixed, or chosen by the scan.
    func best(_ sample: DiscreteSample) -> DiscretePowerLaw.Candidate? {
        if let xmin { return DiscretePowerLaw.fixed(sample, xmin: Double(xmin)) }
        return DiscretePowerLaw.scan(sample)
    }

    func fit(_ sample: DiscreteSample) -> DiscretePowerLawFit? {
        guard let best = best(sample) else { return nil }
        let a = best.exponent, xmin = best.xmin
        let tail = DiscreteTail(sample, first: best.first, xmin: xmin)
        let logZetaMin = DiscretePowerLaw.logZeta(a, xmin)
        let powerLaw = tail.values.map { -a * log($0) - logZetaMin }
        func test(_ logMass: (Double) -> Double) -> LikelihoodRatioTest {
            LikelihoodRatioTest(differences: zip(powerLaw, tail.values).map { $0 - logMass($1) }, counts: tail.counts)
        }
        let exponential = DiscreteTailModel.Exponential(tail)
        let poisson = DiscreteTailModel.Poisson(tail)
        let lognormal = DiscreteTailModel.Lognormal(tail)
        let information = DiscretePowerLaw.logZetaCurvature(a, xmin)
        let goodness = bootstrapReplicates > 0 ? goodnessOfFit(sample, best: best) : nil
        return DiscretePowerLawFit(
            alpha: a - 1, massExponent: a, sigma: 1 / (Double(tail.count) * information).squareRoot(),
            xmin: Int(xmin), tailCount: tail.count, ksDistance: best.distance,
            logLikelihood: -Double(tail.count) * logZetaMin - a * sample.logSum[best.first],
            xminSearch: self.xmin == nil ? "scan" : "fixed",
            goodnessOfFitP: goodness?.p, goodnessOfFitReplicates: goodness?.replicates ?? 0,
            goodnessOfFitPlannedReplicates: goodness == nil ? nil : bootstrapReplicates,
            versusLognormal: test { lognormal.logMass($0, xmin: xmin) },
            versusExponential: test { exponential.logMass($0, xmin: xmin) },
            versusPoisson: poisson.map { poisson in test { poisson.logMass($0, xmin: xmin) } },
            exponentialRate: exponential.rate, poissonMean: poisson?.mean,
            lognormalMu: lognormal.mu, lognormalSigma: lognormal.sigma, lognormalAtSigmaBound: lognormal.atBound)
    }
}

/// A sample of positive integers as its distinct values, ascending, with how
/// many samples lie at or above each and the sum of their logarithms: all
/// that the discrete fit and its KS distance read.
struct DiscreteSample {
    /// The distinct values, ascending (integers, exact in doubles).
    let values: [Double]
    /// atLeast[i] = #{x ≥ values[i]}; one more entry, 0, at the end.
    let atLeast: [Int]
    /// logSum[i] = Σ_{x ≥ values[i]} ln x, summed from the largest value down.
    let logSum: [Double]

    var count: Int { atLeast[0] }

    /// A positive integer held exactly (below 2⁵³).
    static func isCount(_ x: Double) -> Bool { x >= 1 && x <= 0x1p53 && x == x.rounded(.down) }

    /// From distinct ascending values and their (positive) counts.
    init(values: [Double], counts: [Int]) {
        self.values = values
        var atLeast = [Int](repeating: 0, count: values.count + 1)
        var logSum = [Double](repeating: 0, count: values.count + 1)
        for i in stride(from: values.count - 1, through: 0, by: -1) {
            atLeast[i] = atLeast[i + 1] + counts[i]
            logSum[i] = logSum[i + 1] + Double(counts[i]) * log(values[i])
        }
        self.atLeast = atLeast
        self.logSum = logSum
    }

    /// From values in any order; nil unless all are positive integers.
    init?(_ unsorted: [Double]) {
        guard !unsorted.isEmpty, unsorted.allSatisfy(Self.isCount) else { return nil }
        self.init(ascending: unsorted.sorted())
    }

    /// From positive integers sorted ascending.
    init<Values: Sequence>(ascending sorted: Values) where Values.Element == Double {
        var values: [Double] = [], counts: [Int] = []
        for x in sorted {
            if x == values.last { counts[counts.count - 1] += 1 } else { values.append(x); counts.append(1) }
        }
        self.init(values: values, counts: counts)
    }
}

/// The discrete power law's pieces: ln ζ and its derivatives in the exponent,
/// the MLE, the KS distance and the xmin scan.
enum DiscretePowerLaw {
    /// ln ζ(a, q).
    static func logZeta(_ a: Double, _ q: Double) -> Double { log(SpecialFunctions.hurwitzZeta(a, q)) }

    /// The step of the finite differences in a: small against a − 1, where ζ has its pole.
    static func step(_ a: Double) -> Double { 1e-3 * min(1, a - 1) }

    /// d/da ln ζ(a, q) = −E_a[ln X] (GSL has no ∂ζ/∂s): central differences at
    /// h and h/2, Richardson-extrapolated; truncation O(h⁴) and rounding
    /// ε/h, both near 1e-12 at h = 1e-3.
    static func logZetaSlope(_ a: Double, _ q: Double) -> Double {
        let h = step(a)
        let wide = (logZeta(a + h, q) - logZeta(a - h, q)) / (2 * h)
        let narrow = (logZeta(a + h / 2, q) - logZeta(a - h / 2, q)) / h
        return (4 * narrow - wide) / 3
    }

    /// d²/da² ln ζ(a, q) = Var_a[ln X]: second differences at 2h and h, Richardson-extrapolated.
    static func logZetaCurvature(_ a: Double, _ q: Double) -> Double {
        let h = 2 * step(a), centre = logZeta(a, q)
        func second(_ h: Double) -> Double { (logZeta(a + h, q) - 2 * centre + logZeta(a - h, q)) / (h * h) }
        return (4 * second(h / 2) - second(h)) / 3
    }

    /// The largest exponent tried: ζ(a, q) ≥ q^−a stays a normal double for
    /// every q up to `largest` (and a ≤ 100).
    static func exponentLimit(largest: Double) -> Double { min(100, 1 + 650 / max(1, log(largest))) }

    /// The maximum-likelihood exponent of n values ≥ xmin with Σ ln x = `logSum`:
    /// the root of the score E_a[ln X] − mean ln x, which falls with a from +∞
    /// (a → 1) to ln xmin − mean ln x < 0 (a → ∞), so the root is unique. It is
    /// bracketed outwards from CSN's approximation 1 + n/Σ ln(x/(xmin − ½)),
    /// then found by Brent's method (GSL) to 1e-11. nil when every value is xmin
    /// or the root lies above `limit`.
    static func exponent(count n: Int, logSum: Double, xmin: Double, limit: Double) -> Double? {
        let meanLog = logSum / Double(n)
        guard meanLog > log(xmin) else { return nil }
        let score = { (a: Double) -> Double in -logZetaSlope(a, xmin) - meanLog }
        let start = min(limit, max(1 + 1e-6, 1 + 1 / (meanLog - log(xmin - 0.5))))
        var lower = start, upper = start, factor = 1.02
        if score(start) > 0 {
            while true {
                guard lower < limit else { return nil }
                upper = min(limit, 1 + (lower - 1) * factor)
                if score(upper) <= 0 { break }
                lower = upper
                factor *= factor
            }
        } else {
            while true {
                lower = 1 + (upper - 1) / factor
                guard lower - 1 > 1e-9 else { return nil }
                if score(lower) > 0 { break }
                upper = lower
                factor *= factor
            }
        }
        return OneDimensionalSearch.root(of: score, lower: lower, upper: upper, tolerance: 1e-11)
    }

    /// A candidate: the tail from distinct value `first` on, above `xmin`.
    struct Candidate: Equatable {
        var first: Int
        var xmin: Double
        var exponent: Double
        var distance: Double
    }

    /// The KS distance of the tail from distinct value `first` on (all ≥ xmin),
    /// or nil once it exceeds `bound`. The convention of plfit and `powerlaw`:
    /// both distribution functions count "x < u" and are compared only at the
    /// distinct observed tail values u, so D = max_u |#{x ≥ u}/n − ζ(a, u)/ζ(a, xmin)|.
    static func ksDistance(_ sample: DiscreteSample, first: Int, xmin: Double, exponent a: Double,
                           bound: Double = .infinity) -> Double? {
        let n = Double(sample.atLeast[first])
        let zetaMin = SpecialFunctions.hurwitzZeta(a, xmin)
        var distance = 0.0
        // At u = xmin both sides are 1.
        for i in first..<sample.values.count where sample.values[i] != xmin {
            let deviation = abs(Double(sample.atLeast[i]) / n - SpecialFunctions.hurwitzZeta(a, sample.values[i]) / zetaMin)
            if deviation > distance {
                distance = deviation
                if distance > bound { return nil }
            }
        }
        return distance
    }

    /// The fit at a given xmin (which need not be a sample value).
    static func fixed(_ sample: DiscreteSample, xmin: Double) -> Candidate? {
        guard xmin >= 1, let first = sample.values.firstIndex(where: { $0 >= xmin }),
              let a = exponent(count: sample.atLeast[first], logSum: sample.logSum[first], xmin: xmin,
                               limit: exponentLimit(largest: sample.values[sample.values.count - 1])),
              let distance = ksDistance(sample, first: first, xmin: xmin, exponent: a) else { return nil }
        return Candidate(first: first, xmin: xmin, exponent: a, distance: distance)
    }

    /// CSN's xmin scan: every distinct value but the two largest is a candidate
    /// (as in plfit and `powerlaw`), each with its own MLE; the smallest KS
    /// distance wins, ties going to the smaller xmin. A candidate whose MLE lies
    /// above `exponentLimit` is skipped; unlike `powerlaw` (whose optimiser is
    /// bounded to a ≤ 3 and drops fits within 0.01 of the bound), no cap at
    /// 2.99 is applied. A candidate's distance stops being computed once it
    /// exceeds the best so far, which cannot change the winner.
    static func scan(_ sample: DiscreteSample) -> Candidate? {
        let k = sample.values.count
        guard k >= 3 else { return nil }
        let limit = exponentLimit(largest: sample.values[k - 1])
        var best: Candidate?
        for first in 0..<(k - 2) {
            let xmin = sample.values[first]
            guard let a = exponent(count: sample.atLeast[first], logSum: sample.logSum[first], xmin: xmin, limit: limit),
                  let distance = ksDistance(sample, first: first, xmin: xmin, exponent: a, bound: best?.distance ?? .infinity),
                  distance < best?.distance ?? .infinity else { continue }
            best = Candidate(first: first, xmin: xmin, exponent: a, distance: distance)
        }
        return best
    }
}
