// The few pieces of arithmetic that several optimizers share: the clipping
// factor, exponential moving averages, squared norms and the decoupled-decay
// descent step. Keeping them in one place keeps every algorithm's definition
// to one formula each.

/// The clipping factor min(threshold / magnitude, 1).
///
/// Multiplying a vector (or coordinate) of size `magnitude` by it gives a size
/// of at most `threshold`, and never increases the size. This one helper serves
/// every clipping rule here: GClip (magnitude ‖m‖), CClip (|m_i|), ACClip
/// (|m_i| + ε against an adaptive τ_i) and clip(g, c) (‖g‖) of the norm methods.
/// A NaN magnitude gives 1 (no clipping), so a NaN is passed on, not hidden.
@inline(__always)
func clipFactor(magnitude: Double, threshold: Double) -> Double {
    magnitude > threshold ? threshold / magnitude : 1
}

/// β·previous + (1 − β)·sample, the exponential moving average every
/// momentum and moment estimate uses. β = 0 returns `sample` and β = 1 returns
/// `previous` exactly, even when the other value is infinite.
@inline(__always)
func exponentialAverage(previous: Double, sample: Double, decay: Double) -> Double {
    if decay == 0 { return sample }
    if decay == 1 { return previous }
    return decay * previous + (1 - decay) * sample
}

/// Σ v_i², accumulated in `Double`.
func squaredNorm(_ vector: UnsafeBufferPointer<Double>) -> Double {
    var sum = 0.0
    for value in vector { sum += value * value }
    return sum
}

/// x − η(u + λx): a step of length η along the update direction `u` with
/// decoupled weight decay λ (Loshchilov & Hutter's AdamW form), which is the
/// same as first shrinking x by (1 − ηλ) and then stepping along u.
/// With λ = 0 this is exactly x − ηu.
@inline(__always)
func descend(_ parameter: Double, along direction: Double, learningRate: Double, decoupledDecay: Double) -> Double {
    parameter - learningRate * (direction + decoupledDecay * parameter)
}
