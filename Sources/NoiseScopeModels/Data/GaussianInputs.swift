import NoiseScopeCore

/// The Gaussian-input variant of the text models: instead of looking up `wte` for
/// each input byte, position t of window i gets a fixed random vector g(i, t) ∈ R^d
/// with i.i.d. N(0, 1) entries, scaled to unit Euclidean norm. The targets stay the
/// corpus bytes. This separates the effect of the architecture from that of the data.
///
/// The vectors are a pure function of (seed, window): window i's T·d draws come from
/// a `gsl_rng_mt19937` stream seeded with `base + i` (mod 2³²), where `base` is a
/// SplitMix64 hash of the seed, so distinct windows of one corpus never share a
/// stream. They are regenerated when a window is used (ziggurat sampler, about 0.1 ms
/// per window) rather than stored, which keeps memory independent of the corpus
/// size. Draws and normalisation are in Double, then rounded to the model's scalar.
package struct GaussianInputs: Sendable, Equatable {
    /// The seed everything is derived from.
    package let seed: UInt64
    /// Vectors per window (T).
    package let contextLength: Int
    /// Vector dimension (the model width d).
    package let dimension: Int

    package init(seed: UInt64, contextLength: Int, dimension: Int) {
        self.seed = seed
        self.contextLength = contextLength
        self.dimension = dimension
    }

    /// The 32-bit mt19937 seed of window `i`.
    package func streamSeed(window i: Int) -> UInt64 {
        let base = UInt32(truncatingIfNeeded: SplitMix64.mix(seed ^ 0x6761_7573_7369_616E))  // "gaussian"
        return UInt64(base &+ UInt32(truncatingIfNeeded: i))
    }

    /// Writes window `i`'s T unit vectors (T, d) into `out`, reseeding `rng`;
    /// `scratch` holds d Doubles (one vector before rounding). Allocates nothing.
    @inline(__always)
    func fill<T: BLASScalar>(window i: Int, into out: UnsafeMutablePointer<T>, rng: RandomSource,
                             scratch: UnsafeMutablePointer<Double>) {
        rng.reseed(streamSeed(window: i))
        let d = dimension
        for t in 0..<contextLength {
            var norm2 = 0.0
            for j in 0..<d {
                let g = rng.gaussian()
                scratch[j] = g
                norm2 += g * g
            }
            let inv = 1 / norm2.squareRoot()
            let row = out + t * d
            for j in 0..<d { row[j] = T(scratch[j] * inv) }
        }
    }

    /// Window `i`'s vectors as a Double array (T·d), for tests and export (allocates).
    package func vectors(window i: Int) -> [Double] {
        var out = [Double](repeating: 0, count: contextLength * dimension)
        var scratch = [Double](repeating: 0, count: dimension)
        let rng = RandomSource(seed: 0)
        out.withUnsafeMutableBufferPointer { o in
            scratch.withUnsafeMutableBufferPointer { s in
                fill(window: i, into: o.baseAddress!, rng: rng, scratch: s.baseAddress!)
            }
        }
        return out
    }
}
