/// A first-order optimizer that updates a flat parameter vector in place.
///
/// Every optimizer in noisescope works element-wise on one contiguous vector
/// (the models expose their parameters and gradients as single flat buffers),
/// so the same implementation serves the neural models (`Float` parameters)
/// and the 1-D heavy-tail simulation (`Double`, dimension 1). Whatever the
/// parameter scalar, the optimizer's own statistics (momentum, moment
/// estimates, step-size accumulators) are kept in `Double`.
///
/// Create one with `makeOptimizer(_:settings:parameterCount:)`.
package protocol Optimizer {
    /// The kind's command-line name, e.g. `"clip-adam-norm"`.
    var name: String { get }

    /// One update of `parameters` in place from `gradient` (same count as the
    /// optimizer was made for). Steps count from 1: the first call is step 1.
    mutating func step<T: BinaryFloatingPoint>(parameters: UnsafeMutableBufferPointer<T>,
                                               gradient: UnsafeBufferPointer<T>)

    /// Everything needed to resume exactly: the step count and the named
    /// `Double` vectors and scalars. Setting it on a fresh optimizer of the same
    /// kind, settings and size continues the run bit for bit.
    var state: OptimizerState { get set }
}
