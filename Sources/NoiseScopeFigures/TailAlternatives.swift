import NoiseScopeCore
import NoiseScopePlot
import Foundation
import NoiseScopeStatistics

/// The alternatives the power-law fit is tested against (Clauset, Shalizi & Newman 2009, §5),
/// fitted to the same tail so that the CCDF plot shows what the likelihood-ratio verdict
/// compares: an exponential and a lognormal, each truncated to [xmin, ∞) and fitted by maximum
/// likelihood to the samples ≥ xmin.
///
/// The statistics module fits the same models for the likelihood-ratio tests but does not
/// expose their parameters, so they are refitted here with the same formulas: the exponential
/// rate in closed form, the truncated lognormal by a Nelder–Mead search over (μ, log σ) from
/// the untruncated estimates of the tail.
struct TailAlternatives: Equatable {
    /// Rate λ of the exponential p(x) = λ e^{−λ(x − xmin)}.
    var exponentialRate: Double
    /// μ and σ of the lognormal truncated to [xmin, ∞).
    var lognormalMu: Double
    var lognormalSigma: Double
    let xmin: Double

    /// `nil` when fewer than two tail samples differ (nothing to fit).
    init?(samples: [Double], xmin: Double) {
        let tail = samples.filter { $0.isFinite && $0 >= xmin }
        guard xmin > 0, xmin.isFinite, tail.count >= 2, let top = tail.max(), top > xmin else { return nil }
        self.xmin = xmin
        let meanExcess = tail.reduce(0) { $0 + ($1 - xmin) } / Double(tail.count)
        exponentialRate = 1 / meanExcess
        let logs = tail.map { Foundation.log($0) }
        let m = Double(logs.count), sum = logs.reduce(0, +), sumOfSquares = logs.reduce(0) { $0 + $1 * $1 }
        let mean = sum / m
        let spread = max((sumOfSquares / m - mean * mean).squareRoot(), 1e-6)
        let logXmin = Foundation.log(xmin)
        // −log-likelihood of the truncated lognormal, from the tail's sufficient statistics.
        func cost(_ p: [Double]) -> Double {
            let mu = p[0], sigma = Foundation.exp(p[1])
            guard sigma.isFinite, sigma > 0, mu.isFinite else { return .infinity }
            let squares = sumOfSquares - 2 * mu * sum + m * mu * mu
            return sum + m * (Foundation.log(sigma) + 0.5 * Foundation.log(2 * Double.pi)) + squares / (2 * sigma * sigma)
                + m * SpecialFunctions.logNormalSurvival((logXmin - mu) / sigma)
        }
        let best = TailAlternatives.nelderMead(cost, start: [mean, Foundation.log(spread)], step: 0.5)
        lognormalMu = best[0]
        lognormalSigma = Foundation.exp(best[1])
    }

    /// Whether the lognormal fit ran off to its power-law limit: xmin more than
    /// 8 σ above e^μ (as μ → −∞ and σ → ∞ with μ/σ² fixed, a truncated lognormal
    /// tends to a power law), where μ and σ themselves mean nothing (μ = −11,800,
    /// σ = 24 on a default `measure`) and should not be printed as a fit.
    var lognormalIsDegenerate: Bool {
        (Foundation.log(xmin) - lognormalMu) / lognormalSigma > 8
    }

    /// P(X ≥ x | X ≥ xmin) under the exponential.
    func exponentialSurvival(_ x: Double) -> Double {
        Foundation.exp(-exponentialRate * (x - xmin))
    }

    /// P(X ≥ x | X ≥ xmin) under the truncated lognormal, computed as a difference of logs so
    /// that it stays accurate far in the tail.
    func lognormalSurvival(_ x: Double) -> Double {
        let z = (Foundation.log(x) - lognormalMu) / lognormalSigma
        let z0 = (Foundation.log(xmin) - lognormalMu) / lognormalSigma
        return Foundation.exp(SpecialFunctions.logNormalSurvival(z) - SpecialFunctions.logNormalSurvival(z0))
    }

    /// A small two-parameter Nelder–Mead minimiser (reflection, expansion, contraction,
    /// shrink), deterministic, stopping when the simplex is below `tolerance` in size.
    static func nelderMead(_ f: ([Double]) -> Double, start: [Double], step: Double,
                           tolerance: Double = 1e-9, maxIterations: Int = 2000) -> [Double] {
        var simplex = [start, [start[0] + step, start[1]], [start[0], start[1] + step]]
        var values = simplex.map(f)
        func combine(_ a: [Double], _ b: [Double], _ t: Double) -> [Double] {
            [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
        }
        for _ in 0..<maxIterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let size = simplex.dropFirst().map { max(abs($0[0] - simplex[0][0]), abs($0[1] - simplex[0][1])) }.max()!
            if size < tolerance { break }
            let centroid = combine(simplex[0], simplex[1], 0.5)
            let reflected = combine(centroid, simplex[2], -1)
            let fr = f(reflected)
            if fr < values[0] {
                let expanded = combine(centroid, simplex[2], -2)
                let fe = f(expanded)
                (simplex[2], values[2]) = fe < fr ? (expanded, fe) : (reflected, fr)
            } else if fr < values[1] {
                (simplex[2], values[2]) = (reflected, fr)
            } else {
                let contracted = combine(centroid, simplex[2], 0.5)
                let fc = f(contracted)
                if fc < values[2] {
                    (simplex[2], values[2]) = (contracted, fc)
                } else {
                    for i in 1...2 { simplex[i] = combine(simplex[0], simplex[i], 0.5); values[i] = f(simplex[i]) }
                }
            }
        }
        return simplex[values.indices.min { values[$0] < values[$1] }!]
    }
}
