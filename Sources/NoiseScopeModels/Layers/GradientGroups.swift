/// Where a backward pass accumulates parameter gradients: either one buffer for
/// all rows (the minibatch gradient) or one buffer per example (per-example
/// gradients from one batched pass). Activations and their gradients are batched
/// the same way in both; only the parameter-gradient reductions (dW = doutᵀ·inp,
/// Σ dout, the LayerNorm and embedding sums) are cut into groups of rows.

/// The rows of a pass split evenly, in order, into `count` groups; group e's
/// parameter gradients go `e · stride` scalars after group 0's.
struct GradientGroups: Equatable, Sendable {
    /// Number of groups (1: all rows together; B: one per example).
    let count: Int
    /// Scalars from one group's gradient buffer to the next.
    let stride: Int

    /// All rows into one buffer.
    static let single = GradientGroups(count: 1, stride: 0)

    /// Rows per group for a pass over `rows` rows (`rows` is a multiple of `count`).
    @inline(__always)
    func rowsPerGroup(_ rows: Int) -> Int { rows / count }
}

/// A pass's whole parameter-gradient destination: group 0's flat buffer (the
/// model's layout) and the grouping. Slots add their tensor offsets to `base`.
struct GradientTarget<T: BLASScalar> {
    let base: UnsafeMutablePointer<T>
    let groups: GradientGroups

    /// Zeroes every group's buffer of `parameterCount` scalars.
    @inline(__always)
    func zero(parameterCount n: Int) {
        for e in 0..<groups.count { (base + e * groups.stride).update(repeating: 0, count: n) }
    }
}
