import NoiseScopeCore
import CGSL
import Foundation

/// The alternatives the power law is compared with, each fitted by maximum
/// likelihood to the same tail (the samples ≥ xmin) and normalised on
/// [xmin, ∞), as Clauset, Shalizi & Newman (2009, §5) prescribe.
enum TruncatedTailModel {
    /// log density of the power law with tail index β above xmin:
    /// p(x) = β/xmin · (x/xmin)^-(β+1).
    static func powerLawLogDensity(_ x: Double, xmin: Double, tailIndex beta: Double) -> Double {
        log(beta / xmin) - (beta + 1) * log(x / xmin)
    }

    /// Exponential above xmin: p(x) = λ e^{−λ(x − xmin)}; the MLE is λ = 1/mean(x − xmin).
    struct Exponential {
        var rate: Double
        init(rate: Double) { self.rate = rate }
        init(tail: [Double], xmin: Double) {
            let meanExcess = tail.reduce(0) { $0 + ($1 - xmin) } / Double(tail.count)
            rate = meanExcess > 0 ? 1 / meanExcess : .infinity
        }
        func logDensity(_ x: Double, xmin: Double) -> Double { log(rate) - rate * (x - xmin) }
    }

    /// Lognormal truncated to [xmin, ∞):
    /// p(x) = φ((log x − μ)/σ) / (x σ (1 − Φ((log xmin − μ)/σ))).
    /// The MLE has no closed form; GSL's Nelder–Mead simplex maximises the
    /// likelihood over (μ, log σ), from the untruncated estimates of the tail.
    struct Lognormal {
        var mu: Double
        var sigma: Double

        init(tail: [Double], xmin: Double) {
            // The likelihood depends on the tail only through m, Σ log x and Σ log² x,
            // so each simplex step costs O(1) whatever the size of the tail.
            let statistics = LogMoments(tail.map { log($0) })
            let mean = statistics.sum / statistics.count
            let variance = max(statistics.sumOfSquares / statistics.count - mean * mean, 0)
            let start = [mean, log(max(variance.squareRoot(), 1e-6))]
            let logXmin = log(xmin)
            let best = NelderMead.minimise({ p in
                -Lognormal.logLikelihood(statistics, logXmin: logXmin, mu: p[0], sigma: exp(p[1]))
            }, start: start, step: [0.5, 0.5])
            mu = best[0]
            sigma = exp(best[1])
        }

        /// m, Σ log x and Σ (log x)² of the tail.
        struct LogMoments {
            var count: Double, sum: Double, sumOfSquares: Double
            init(_ logs: [Double]) {
                count = Double(logs.count)
                sum = logs.reduce(0, +)
                sumOfSquares = logs.reduce(0) { $0 + $1 * $1 }
            }
        }

        /// Σ log p(x) over the tail: −Σl − m log σ − (m/2) log 2π − Σ(l − μ)²/(2σ²) − m log(1 − Φ((log xmin − μ)/σ)).
        static func logLikelihood(_ s: LogMoments, logXmin: Double, mu: Double, sigma: Double) -> Double {
            guard sigma > 0, sigma.isFinite, mu.isFinite else { return -.infinity }
            let squaredDeviations = s.sumOfSquares - 2 * mu * s.sum + s.count * mu * mu
            return -s.sum - s.count * (log(sigma) + 0.5 * log(2 * Double.pi)) - squaredDeviations / (2 * sigma * sigma)
                - s.count * SpecialFunctions.logNormalSurvival((logXmin - mu) / sigma)
        }

        func logDensity(_ x: Double, xmin: Double) -> Double {
            let l = log(x), z = (l - mu) / sigma
            return -l - log(sigma) - 0.5 * log(2 * Double.pi) - 0.5 * z * z
                - SpecialFunctions.logNormalSurvival((log(xmin) - mu) / sigma)
        }
    }
}

/// GSL's derivative-free simplex minimiser (`gsl_multimin_fminimizer_nmsimplex2`)
/// behind a Swift closure.
enum NelderMead {
    private final class Objective {
        let function: ([Double]) -> Double
        init(_ function: @escaping ([Double]) -> Double) { self.function = function }
    }

    /// Minimises `function` from `start` with initial simplex steps `step`;
    /// stops when the simplex size falls below `tolerance` or after `maxIterations`.
    static func minimise(_ function: @escaping ([Double]) -> Double, start: [Double], step: [Double],
                         tolerance: Double = 1e-10, maxIterations: Int = 5000) -> [Double] {
        _ = GSLErrorHandling.disabled
        let dimension = start.count
        let objective = Objective(function)
        let context = Unmanaged.passRetained(objective)
        defer { context.release() }
        var gslFunction = gsl_multimin_function(
            f: { point, params in
                let objective = Unmanaged<Objective>.fromOpaque(params!).takeUnretainedValue()
                let n = Int(point!.pointee.size)
                let values = (0..<n).map { gsl_vector_get(point, $0) }
                let value = objective.function(values)
                return value.isFinite ? value : Double.greatestFiniteMagnitude
            },
            n: dimension,
            params: context.toOpaque())
        let x = gsl_vector_alloc(dimension)!, steps = gsl_vector_alloc(dimension)!
        defer { gsl_vector_free(x); gsl_vector_free(steps) }
        for i in 0..<dimension {
            gsl_vector_set(x, i, start[i])
            gsl_vector_set(steps, i, step[i])
        }
        let minimiser = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dimension)!
        defer { gsl_multimin_fminimizer_free(minimiser) }
        gsl_multimin_fminimizer_set(minimiser, &gslFunction, x, steps)
        for _ in 0..<maxIterations {
            if gsl_multimin_fminimizer_iterate(minimiser) != GSL_SUCCESS { break }
            if gsl_multimin_test_size(gsl_multimin_fminimizer_size(minimiser), tolerance) == GSL_SUCCESS { break }
        }
        let best = gsl_multimin_fminimizer_x(minimiser)
        return (0..<dimension).map { gsl_vector_get(best, $0) }
    }
}
