import CGSL

/// A seeded random stream backed by GSL's Mersenne Twister (`gsl_rng_mt19937`).
///
/// Every random draw in noisescope goes through one of these, so the same seed
/// gives the same bytes on every run. The distributions are GSL's own
/// generators; nothing here re-implements a sampler GSL already provides.
public final class RandomSource {
    private let generator: UnsafeMutablePointer<gsl_rng>

    /// Creates a stream; equal seeds give equal streams.
    public init(seed: UInt64) {
        _ = GSLErrorHandling.disabled
        generator = gsl_rng_alloc(gsl_rng_mt19937)!
        // mt19937 takes an unsigned long seed; GSL maps seed 0 to its default 4357.
        gsl_rng_set(generator, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(generator) }

    /// A derived, independent-looking stream for replicate `index`, so that
    /// parallel work stays deterministic whatever the thread schedule.
    public static func substream(seed: UInt64, index: Int) -> RandomSource {
        // SplitMix64 finaliser: decorrelates neighbouring (seed, index) pairs.
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return RandomSource(seed: z ^ (z >> 31))
    }

    /// Uniform on (0, 1), never 0.
    public func uniformPositive() -> Double { gsl_rng_uniform_pos(generator) }

    /// Uniform integer in 0..<n.
    public func index(below n: Int) -> Int { Int(gsl_rng_uniform_int(generator, UInt(n))) }

    /// The draws of `uniformPositive()` and `index(below: n)` for one fixed n,
    /// for loops that make millions of them (the goodness-of-fit bootstrap).
    /// The same numbers from the same generator state: GSL's generator is
    /// called through its own function pointers, as GSL's inline functions do,
    /// and only `gsl_rng_uniform_int`'s arithmetic is done here, with its
    /// division by a loop-invariant `scale` replaced by an exact multiply.
    func draws(indexBelow n: Int) -> Draws { Draws(generator, n: n) }

    struct Draws {
        private let get: @convention(c) (UnsafeMutableRawPointer?) -> UInt
        private let getDouble: @convention(c) (UnsafeMutableRawPointer?) -> Double
        private let state: UnsafeMutableRawPointer?
        private let offset: UInt, n: UInt, scale: UInt
        /// ⌊2⁶⁴/scale⌋ + 1 (or 2⁶⁴/scale when exact): for v < 2³², ⌊v/scale⌋ =
        /// the high word of v·reciprocal, since the error v·(reciprocal − 2⁶⁴/scale)/2⁶⁴
        /// is below 2⁻³² ≤ 1/scale, too little to carry past the next multiple.
        /// Zero when that does not apply (generators wider than 32 bits, scale 1).
        private let reciprocal: UInt64

        fileprivate init(_ generator: UnsafeMutablePointer<gsl_rng>, n: Int) {
            let type = generator.pointee.type.pointee
            get = type.get
            getDouble = type.get_double
            state = generator.pointee.state
            offset = type.min
            let range = type.max - type.min
            precondition(n > 0 && UInt(n) <= range, "index(below:) needs 0 < n ≤ the generator's range")
            self.n = UInt(n)
            scale = range / UInt(n)
            reciprocal = range <= UInt(UInt32.max) && scale > 1 ? UInt64.max / UInt64(scale) &+ 1 : 0
        }

        /// `gsl_rng_uniform_pos`: uniform on (0, 1).
        @inline(__always) func uniformPositive() -> Double {
            var x: Double
            repeat { x = getDouble(state) } while x == 0
            return x
        }

        /// `gsl_rng_uniform_int(n)`: uniform in 0..<n.
        @inline(__always) func index() -> Int {
            var k: UInt
            repeat {
                let v = get(state) &- offset
                k = reciprocal != 0 ? UInt(UInt64(v).multipliedFullWidth(by: reciprocal).high) : v / scale
            } while k >= n
            return Int(k)
        }
    }

    /// Standard normal with the given standard deviation.
    public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(generator, sigma) }

    /// Exponential with the given mean.
    public func exponential(mean: Double = 1) -> Double { gsl_ran_exponential(generator, mean) }

    /// Pareto with tail index `alpha` and scale `xmin`: P(X > x) = (x/xmin)^-alpha.
    public func pareto(alpha: Double, xmin: Double = 1) -> Double { gsl_ran_pareto(generator, alpha, xmin) }

    /// Symmetric α-stable with scale `c` (GSL's `gsl_ran_levy`), 0 < α ≤ 2.
    public func symmetricStable(alpha: Double, scale: Double = 1) -> Double {
        gsl_ran_levy(generator, scale, alpha)
    }

    /// Student's t with `nu` degrees of freedom.
    public func studentT(nu: Double) -> Double { gsl_ran_tdist(generator, nu) }

    /// Lognormal: exp of N(mu, sigma²).
    public func lognormal(mu: Double, sigma: Double) -> Double { gsl_ran_lognormal(generator, mu, sigma) }

    /// Chi-squared with `nu` degrees of freedom.
    public func chiSquared(nu: Double) -> Double { gsl_ran_chisq(generator, nu) }

    /// Gamma with shape `shape` and scale `scale` (GSL's `gsl_ran_gamma`).
    public func gamma(shape: Double, scale: Double = 1) -> Double { gsl_ran_gamma(generator, shape, scale) }

    /// Weibull with scale 1 and shape `shape`: P(X > x) = exp(−x^shape).
    public func weibull(shape: Double) -> Double { gsl_ran_weibull(generator, 1, shape) }
}
