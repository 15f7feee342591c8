import NoiseScopeCore
import CGSL
import Foundation

/// GSL's one-dimensional Brent methods behind Swift closures: the minimiser
/// (`gsl_min_fminimizer_brent`) and the root finder (`gsl_root_fsolver_brent`).
enum OneDimensionalSearch {
    private final class Objective {
        let function: (Double) -> Double
        init(_ function: @escaping (Double) -> Double) { self.function = function }
    }

    private static func withFunction<R>(_ function: @escaping (Double) -> Double, _ body: (inout gsl_function) -> R) -> R {
        _ = GSLErrorHandling.disabled
        let context = Unmanaged.passRetained(Objective(function))
        defer { context.release() }
        var gslFunction = gsl_function(function: { x, params in
            let value = Unmanaged<Objective>.fromOpaque(params!).takeUnretainedValue().function(x)
            return value.isFinite ? value : Double.greatestFiniteMagnitude
        }, params: context.toOpaque())
        return body(&gslFunction)
    }

    /// The x in [lower, upper] minimising `function`, starting from `guess`
    /// (which must be lower than both ends, as GSL requires; if it is not, the
    /// best of the three points is returned). Absolute tolerance `tolerance`.
    static func minimum(of objective: @escaping (Double) -> Double, lower: Double, upper: Double, guess: Double,
                        tolerance: Double = 1e-8, maxIterations: Int = 200) -> Double {
        let function = { (x: Double) -> Double in let v = objective(x); return v.isFinite ? v : .greatestFiniteMagnitude }
        let fGuess = function(guess), fLower = function(lower), fUpper = function(upper)
        guard fGuess < fLower && fGuess < fUpper else {
            return [(guess, fGuess), (lower, fLower), (upper, fUpper)].min { $0.1 < $1.1 }!.0
        }
        return withFunction(function) { gslFunction in
            let minimiser = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent)!
            defer { gsl_min_fminimizer_free(minimiser) }
            guard gsl_min_fminimizer_set_with_values(minimiser, &gslFunction, guess, fGuess, lower, fLower, upper, fUpper) == GSL_SUCCESS else {
                return guess
            }
            for _ in 0..<maxIterations {
                if gsl_min_fminimizer_iterate(minimiser) != GSL_SUCCESS { break }
                let a = gsl_min_fminimizer_x_lower(minimiser), b = gsl_min_fminimizer_x_upper(minimiser)
                if gsl_min_test_interval(a, b, tolerance, 0) == GSL_SUCCESS { break }
            }
            return gsl_min_fminimizer_x_minimum(minimiser)
        }
    }

    /// A root of `function` in [lower, upper], where it changes sign; nil otherwise.
    static func root(of function: @escaping (Double) -> Double, lower: Double, upper: Double,
                     tolerance: Double = 1e-6, maxIterations: Int = 200) -> Double? {
        let fLower = function(lower), fUpper = function(upper)
        guard fLower.isFinite, fUpper.isFinite, (fLower <= 0) != (fUpper <= 0) else { return nil }
        return withFunction(function) { gslFunction in
            let solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent)!
            defer { gsl_root_fsolver_free(solver) }
            guard gsl_root_fsolver_set(solver, &gslFunction, lower, upper) == GSL_SUCCESS else { return nil }
            for _ in 0..<maxIterations {
                if gsl_root_fsolver_iterate(solver) != GSL_SUCCESS { break }
                if gsl_root_test_interval(gsl_root_fsolver_x_lower(solver), gsl_root_fsolver_x_upper(solver), tolerance, 0) == GSL_SUCCESS { break }
            }
            return gsl_root_fsolver_root(solver)
        }
    }
}
