import CGSL

/// A seeded random stream backed by GSL's Mersenne Twister (`gsl_rng_mt19937`).
///
/// Every random draw in noisescope goes through one of these, so the same seed
/// gives the same bytes on every run: model initialisation, Gaussian inputs,
/// minibatch orders, bootstraps, synthetic samples. The distributions are
/// GSL's own generators; nothing here re-implements a sampler GSL provides.
///
/// Substreams: work that runs in parallel or per item (bootstrap replicate r,
/// Gaussian-input window i) draws from `substream(seed:index:)`, a stream
/// seeded with `SplitMix64.mix(seed + 0x9E3779B97F4A7C15·index)`, so its
/// numbers do not depend on the thread schedule or on the other items.
/// mt19937 uses the low 32 bits of a seed, and maps seed 0 to its default 4357.
package final class RandomSource: @unchecked Sendable {
    @usableFromInline let generator: UnsafeMutablePointer<gsl_rng>

    /// Creates a stream; equal seeds give equal streams.
    package init(seed: UInt64) {
        _ = GSLErrorHandling.disabled
        generator = gsl_rng_alloc(gsl_rng_mt19937)!
        // mt19937 takes an unsigned long seed; GSL maps seed 0 to its default 4357.
        gsl_rng_set(generator, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(generator) }

    /// Restarts the stream from `seed` without allocating (a workspace can own
    /// one stream and regenerate per-window inputs in the steady state).
    package func reseed(_ seed: UInt64) {
        gsl_rng_set(generator, UInt(truncatingIfNeeded: seed))
    }

    /// A derived, independent-looking stream for replicate `index`, so that
    /// parallel work stays deterministic whatever the thread schedule.
    package static func substream(seed: UInt64, index: Int) -> RandomSource {
        RandomSource(seed: SplitMix64.mix(seed &+ SplitMix64.increment &* UInt64(index)))
    }

    /// Uniform on (0, 1), never 0.
    package func uniformPositive() -> Double { gsl_rng_uniform_pos(generator) }

    /// Uniform integer in 0..<n.
    package func index(below n: Int) -> Int { Int(gsl_rng_uniform_int(generator, UInt(n))) }

    /// The draws of `uniformPositive()` and `index(below: n)` for one fixed n,
    /// for loops that make millions of them (the goodness-of-fit bootstrap).
    /// The same numbers from the same generator state: GSL's generator is
    /// called through its own function pointers, as GSL's inline functions do,
    /// and only `gsl_rng_uniform_int`'s arithmetic is done here, with its
    /// division by a loop-invariant `scale` replaced by an exact multiply.
    package func draws(indexBelow n: Int) -> Draws { Draws(generator, n: n) }

    package struct Draws {
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
        @inline(__always) package func uniformPositive() -> Double {
            var x: Double
            repeat { x = getDouble(state) } while x == 0
            return x
        }

        /// `gsl_rng_uniform_int(n)`: uniform in 0..<n.
        @inline(__always) package func index() -> Int {
            var k: UInt
            repeat {
                let v = get(state) &- offset
                k = reciprocal != 0 ? UInt(UInt64(v).multipliedFullWidth(by: reciprocal).high) : v / scale
            } while k >= n
            return Int(k)
        }
    }


    /// N(0, sigma²) by the ziggurat method (`gsl_ran_gaussian_ziggurat`, the
    /// fast one: inputs, references, bootstraps).
    @inlinable @inline(__always)
    package func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(generator, sigma) }

    /// N(0, sigma²) by the Box–Muller polar method (`gsl_ran_gaussian`): the
    /// draws of the models' weight initialisation, kept so that a seed builds
    /// the same model as in earlier versions.
    @inlinable @inline(__always)
    package func gaussianPolar(sigma: Double = 1) -> Double { gsl_ran_gaussian(generator, sigma) }

    /// Exponential with the given mean.
    package func exponential(mean: Double = 1) -> Double { gsl_ran_exponential(generator, mean) }

    /// Pareto with tail index `alpha` and scale `xmin`: P(X > x) = (x/xmin)^-alpha.
    package func pareto(alpha: Double, xmin: Double = 1) -> Double { gsl_ran_pareto(generator, alpha, xmin) }

    /// Symmetric α-stable with scale `c` (GSL's `gsl_ran_levy`), 0 < α ≤ 2.
    package func symmetricStable(alpha: Double, scale: Double = 1) -> Double {
        gsl_ran_levy(generator, scale, alpha)
    }

    /// Student's t with `nu` degrees of freedom.
    package func studentT(nu: Double) -> Double { gsl_ran_tdist(generator, nu) }

    /// Lognormal: exp of N(mu, sigma²).
    package func lognormal(mu: Double, sigma: Double) -> Double { gsl_ran_lognormal(generator, mu, sigma) }

    /// Chi-squared with `nu` degrees of freedom.
    package func chiSquared(nu: Double) -> Double { gsl_ran_chisq(generator, nu) }

    /// Gamma with shape `shape` and scale `scale` (GSL's `gsl_ran_gamma`).
    package func gamma(shape: Double, scale: Double = 1) -> Double { gsl_ran_gamma(generator, shape, scale) }

    /// Weibull with scale 1 and shape `shape`: P(X > x) = exp(−x^shape).
    package func weibull(shape: Double) -> Double { gsl_ran_weibull(generator, 1, shape) }
}

/// The SplitMix64 step: a bijective 64-bit mix that turns (seed, index) pairs
/// into independent-looking sub-seeds.
package enum SplitMix64 {
    /// The golden-ratio increment of SplitMix64.
    package static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// One SplitMix64 output for state `x` (the state is advanced by `increment` first).
    @inline(__always)
    package static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ increment
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// SplitMix64 as a generator (Steele, Lea & Flood 2014): the state advances by
/// the golden-ratio increment and each output is `SplitMix64.mix` of it. It is
/// inline and a few instructions a draw, for the loops that draw hundreds of
/// millions of numbers (the goodness-of-fit bootstrap), where GSL's generator,
/// called through a function pointer, was a third of the time. It passes
/// BigCrush; it is not for cryptography.
package struct SplitMix64Stream {
    private var state: UInt64

    /// The stream of `seed`'s `index`-th substream, as `RandomSource.substream` seeds its own.
    package init(seed: UInt64, index: Int) {
        state = SplitMix64.mix(seed &+ SplitMix64.increment &* UInt64(truncatingIfNeeded: index))
    }

    @inline(__always) package mutating func next() -> UInt64 {
        let output = SplitMix64.mix(state)
        state &+= SplitMix64.increment
        return output
    }

    /// Uniform in 0..<n, exactly (Lemire's multiply-shift with rejection of the
    /// few low products that would favour some values).
    @inline(__always) package mutating func index(below n: Int) -> Int {
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// Uniform on (0, 1), never 0 or 1: the 52-bit grid shifted by half a step
    /// (on the 53-bit grid the top value, 2⁵³ − ½, would round up to exactly 1).
    @inline(__always) package mutating func uniformPositive() -> Double {
        (Double(next() >> 12) + 0.5) * 0x1p-52
    }
}

/// GSL's default error handler aborts the process; noisescope checks its
/// inputs itself and reads GSL's return values, so the handler is turned off
/// once, before the first GSL call that could report an error.
package enum GSLErrorHandling {
    package static let disabled: Void = { _ = gsl_set_error_handler_off() }()
}
