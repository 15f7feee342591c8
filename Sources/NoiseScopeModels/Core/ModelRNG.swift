import CGSL

/// A GSL Mersenne Twister (`gsl_rng_mt19937`) with Gaussian draws: the one source
/// of randomness in this module, so every initialisation and every Gaussian input is
/// reproducible from a seed.
///
/// Reseeding (`reseed`) does not allocate, so a workspace can own one of these and
/// regenerate per-window Gaussian inputs in the steady state.
public final class ModelRNG: @unchecked Sendable {
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    /// A generator seeded with `seed`. GSL's mt19937 uses the low 32 bits of the
    /// seed (and maps seed 0 to its default seed 4357).
    public init(seed: UInt64) {
        rng = gsl_rng_alloc(gsl_rng_mt19937)!
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(rng) }

    /// Restarts the stream from `seed`.
    public func reseed(_ seed: UInt64) {
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    /// One N(0, sigma²) draw (`gsl_ran_gaussian`, Box–Muller polar method).
    @inline(__always)
    public func gaussian(sigma: Double = 1) -> Double {
        gsl_ran_gaussian(rng, sigma)
    }

    /// One N(0, sigma²) draw by the ziggurat method (`gsl_ran_gaussian_ziggurat`,
    /// several times faster; used where many draws are made per minibatch).
    @inline(__always)
    public func gaussianZiggurat(sigma: Double = 1) -> Double {
        gsl_ran_gaussian_ziggurat(rng, sigma)
    }

    /// A uniform integer in [0, n).
    public func uniformInt(_ n: Int) -> Int {
        Int(gsl_rng_uniform_int(rng, UInt(n)))
    }
}

/// SplitMix64 finaliser: a bijective 64-bit mix used to derive independent-looking
/// sub-seeds (e.g. one per Gaussian-input window) from a user seed.
@inline(__always)
func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
