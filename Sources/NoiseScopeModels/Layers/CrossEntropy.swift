/// Softmax cross-entropy over a vocabulary, fused: the forward pass turns logits into
/// probabilities in place and returns the summed loss; the backward pass turns the
/// probabilities into dloss/dlogits in place. The loss of a row is computed as
/// log Σ exp(z − max) − (z_target − max), which never takes the log of an underflowed
/// probability. Losses are summed in Double (the models' statistics precision).

/// logits (N, V) → probs (N, V) in place; returns Σ_rows −log p[target] in Double.
@inline(__always)
func softmaxCrossEntropyForward<T: BLASScalar>(
    _ logits: UnsafeMutablePointer<T>, targets: UnsafePointer<Int32>, rows n: Int, classes v: Int
) -> Double {
    var total = 0.0
    for r in 0..<n {
        let z = logits + r * v
        let zt = z[Int(targets[r])]
        let (maxZ, sum) = softmaxInPlace(z, count: v)
        total += Double(T.log(sum)) - Double(zt - maxZ)
    }
    return total
}

/// probs (N, V) → dlogits = (probs − onehot(target)) · scale, in place; scale is
/// 1/(number of positions in the whole minibatch) for a mean loss.
@inline(__always)
func softmaxCrossEntropyBackward<T: BLASScalar>(
    _ probs: UnsafeMutablePointer<T>, targets: UnsafePointer<Int32>, rows n: Int, classes v: Int, scale: T
) {
    for r in 0..<n {
        let p = probs + r * v
        p[Int(targets[r])] -= 1
        for i in 0..<v { p[i] *= scale }
    }
}
