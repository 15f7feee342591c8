import NoiseScopeCore
import CGSL
import Foundation

/// The GSL special functions and distribution quantiles the estimators use,
/// under names that say what they compute. Thin on purpose: they exist so the
/// tests can check each GSL call against its documented values in one place.
package enum SpecialFunctions {
    /// The p-quantile of Gamma(shape, scale 1): `gsl_cdf_gamma_Pinv`.
    /// GSL's inversion stops converging for shapes near 10⁶; there the
    /// Wilson–Hilferty cube-root approximation, whose relative error is
    /// O(shape^-3/2) (below 1e-9 past shape 10⁵), takes over.
    package static func gammaQuantile(_ p: Double, shape: Double) -> Double {
        _ = GSLErrorHandling.disabled
        let quantile = gsl_cdf_gamma_Pinv(p, shape, 1)
        if quantile.isFinite || shape < 1e4 { return quantile }
        let z = normalQuantile(p)
        let c = 1 / (9 * shape)
        return shape * pow(1 - c + z * c.squareRoot(), 3)
    }

    /// The p-quantile of the standard normal: `gsl_cdf_ugaussian_Pinv`.
    package static func normalQuantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }

    /// The p-quantile of Student's t with ν degrees of freedom: `gsl_cdf_tdist_Pinv`.
    package static func studentTQuantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        _ = GSLErrorHandling.disabled
        return gsl_cdf_tdist_Pinv(p, nu)
    }

    /// The standard normal CDF Φ(x): `gsl_cdf_ugaussian_P`.
    package static func normalCDF(_ x: Double) -> Double { gsl_cdf_ugaussian_P(x) }

    /// The standard normal upper tail 1 − Φ(x), accurate far in the tail: `gsl_cdf_ugaussian_Q`.
    package static func normalSurvival(_ x: Double) -> Double { gsl_cdf_ugaussian_Q(x) }

    /// The complementary error function: `gsl_sf_erfc`.
    package static func erfc(_ x: Double) -> Double { gsl_sf_erfc(x) }

    /// log Γ(x) for x > 0: `gsl_sf_lngamma`.
    package static func logGamma(_ x: Double) -> Double { _ = GSLErrorHandling.disabled; return gsl_sf_lngamma(x) }

    /// The digamma function ψ(x): `gsl_sf_psi`.
    package static func digamma(_ x: Double) -> Double { _ = GSLErrorHandling.disabled; return gsl_sf_psi(x) }

    /// The Hurwitz zeta function ζ(s, q) = Σ_{k≥0} (k + q)^-s: `gsl_sf_hzeta`.
    package static func hurwitzZeta(_ s: Double, _ q: Double) -> Double { _ = GSLErrorHandling.disabled; return gsl_sf_hzeta(s, q) }

    /// The error function: `gsl_sf_erf`.
    package static func erf(_ x: Double) -> Double { gsl_sf_erf(x) }

    /// log erfc(x) without underflow for large x: `gsl_sf_log_erfc`.
    package static func logErfc(_ x: Double) -> Double { _ = GSLErrorHandling.disabled; return gsl_sf_log_erfc(x) }

    /// The scaled complementary error function erfcx(x) = e^{x²} erfc(x) for x ≥ 0,
    /// from GSL's normal hazard h(t) = √(2/π) e^{−t²/2} / erfc(t/√2) (`gsl_sf_hazard`,
    /// an asymptotic series past t = 25): erfcx(x) = √(2/π) / h(x√2). It never
    /// forms e^{−x²}, so differences of erfc far in the tail keep their digits.
    package static func scaledErfc(_ x: Double) -> Double {
        _ = GSLErrorHandling.disabled
        return (2 / Double.pi).squareRoot() / gsl_sf_hazard(x * 2.0.squareRoot())
    }

    /// The regularised lower incomplete gamma function P(a, x): `gsl_sf_gamma_inc_P`.
    /// For integer a = k ≥ 1 it is P(Poisson(x) ≥ k).
    package static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        _ = GSLErrorHandling.disabled
        return gsl_sf_gamma_inc_P(a, x)
    }

    /// log Φ(x) without underflow far in the lower tail.
    package static func logNormalCDF(_ x: Double) -> Double {
        x > -30 ? log(gsl_cdf_ugaussian_P(x)) : gsl_sf_log_erfc(-x / 2.0.squareRoot()) - log(2)
    }

    /// log(1 − Φ(x)) without underflow far in the upper tail.
    package static func logNormalSurvival(_ x: Double) -> Double { logNormalCDF(-x) }
}
