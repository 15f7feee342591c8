/// The output end shared by every model: an optional final LayerNorm, a Linear to
/// class scores (for tinygpt the tied `wte`, no bias), and softmax cross-entropy.

struct ClassifierHead {
    /// Final LayerNorm (nil for logreg, which has none).
    let ln: LayerNormSlot?
    /// Scores = features · Wᵀ (+ b).
    let linear: LinearSlot

    /// Returns Σ_rows cross-entropy; leaves probabilities in `a.logits`.
    @inline(__always)
    func forward<T: BLASScalar>(_ a: HeadActivations<T>, input: UnsafePointer<T>, targets: UnsafePointer<Int32>,
                                params p: UnsafePointer<T>, rows n: Int) -> Double {
        var features = input
        if let ln, let lnActs = a.ln {
            ln.forward(lnActs, input, params: p, rows: n)
            features = UnsafePointer(lnActs.out.pointer)
        }
        linear.forward(a.logits.pointer, features, params: p, rows: n)
        return softmaxCrossEntropyForward(a.logits.pointer, targets: targets, rows: n, classes: linear.outDim)
    }

    /// Gradient of scale · Σ loss. `dres` (n, in) is OVERWRITTEN with ∂/∂input
    /// (nil: not needed, e.g. logreg on pixels); `dln` (n, in) is scratch, needed only
    /// with a LayerNorm.
    @inline(__always)
    func backward<T: BLASScalar>(_ a: HeadActivations<T>, input: UnsafePointer<T>, targets: UnsafePointer<Int32>,
                                 dres: UnsafeMutablePointer<T>?, dln: UnsafeMutablePointer<T>?, scale: T,
                                 params p: UnsafePointer<T>, grad g: GradientTarget<T>, rows n: Int) {
        softmaxCrossEntropyBackward(a.logits.pointer, targets: targets, rows: n, classes: linear.outDim, scale: scale)
        if let ln, let lnActs = a.ln {
            guard let dres, let dln else { preconditionFailure("a LayerNorm head needs dres and dln") }
            linear.backward(dinp: dln, dout: a.logits.pointer, inp: lnActs.out.pointer, params: p, grad: g, rows: n)
            dres.update(repeating: 0, count: n * ln.dim)
            ln.backward(dinp: dres, dout: dln, inp: input, lnActs, params: p, grad: g, rows: n)
        } else {
            linear.backward(dinp: dres, dout: a.logits.pointer, inp: input, params: p, grad: g, rows: n)
        }
    }
}

/// Activations of a `ClassifierHead` for up to `rows` rows.
final class HeadActivations<T: BLASScalar> {
    let ln: LayerNormActivations<T>?
    let logits: FlatBuffer<T>   // (rows, classes): logits, then probabilities, then dlogits
    init(rows: Int, dim: Int, classes: Int, layerNorm: Bool) {
        ln = layerNorm ? LayerNormActivations(rows: rows, dim: dim) : nil
        logits = FlatBuffer(count: rows * classes)
    }
}
