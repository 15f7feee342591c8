/// The residual sublayers the models are built from. Each owns its parameter slots;
/// its activations live in a matching `…Activations` object inside a workspace.
/// Backward passes follow one convention: `dres` holds ∂loss/∂(sublayer output) on
/// entry and ∂loss/∂(sublayer input) on exit — the residual path passes it through
/// unchanged and the branch ADDS its contribution (via `layerNormBackward`).

/// Pre-LN residual MLP: x + fc2(gelu(fc1(LN(x)))). tinygpt's second sublayer
/// (`ln2`, `fc`, `fcp`) and resmlp's block (`ln`, `fc1`, `fc2`) are both this.
struct MLPSublayer {
    let ln: LayerNormSlot
    let fc1: LinearSlot
    let fc2: LinearSlot

    /// Registers the three layers under `prefix` with the given names; fc1 weights get
    /// N(0, std²), fc2 weights N(0, outStd²), biases zero.
    static func add(to layout: inout ParameterLayout, prefix: String, names: (String, String, String),
                    dim: Int, hidden: Int, std: Double, outStd: Double) -> MLPSublayer {
        MLPSublayer(
            ln: .add(to: &layout, "\(prefix).\(names.0)", dim: dim),
            fc1: .add(to: &layout, "\(prefix).\(names.1)", inDim: dim, outDim: hidden, std: std),
            fc2: .add(to: &layout, "\(prefix).\(names.2)", inDim: hidden, outDim: dim, std: outStd))
    }

    /// a.out (n, dim) = input + fc2(gelu(fc1(LN(input)))).
    @inline(__always)
    func forward<T: BLASScalar>(_ a: MLPActivations<T>, input: UnsafePointer<T>,
                                params p: UnsafePointer<T>, rows n: Int) {
        ln.forward(a.ln, input, params: p, rows: n)
        fc1.forward(a.h.pointer, a.ln.out.pointer, params: p, rows: n)
        geluForward(a.hGelu.pointer, sigmoidCache: a.hSigmoid.pointer, a.h.pointer, count: n * fc1.outDim)
        fc2.forward(a.out.pointer, a.hGelu.pointer, params: p, rows: n)
        residualForward(a.out.pointer, input, a.out.pointer, count: n * ln.dim)
    }

    /// dres: ∂/∂out in, ∂/∂input out. `dln` (n, dim) and `dh` (n, hidden) are scratch.
    @inline(__always)
    func backward<T: BLASScalar>(_ a: MLPActivations<T>, input: UnsafePointer<T>, dres: UnsafeMutablePointer<T>,
                                 scratch s: BackwardScratch<T>, params p: UnsafePointer<T>,
                                 grad g: GradientTarget<T>, rows n: Int) {
        fc2.backward(dinp: s.dh.pointer, dout: dres, inp: a.hGelu.pointer, params: p, grad: g, rows: n)
        geluBackward(dinp: s.dh.pointer, inp: a.h.pointer, sigmoidCache: a.hSigmoid.pointer, dout: s.dh.pointer,
                     count: n * fc1.outDim)
        fc1.backward(dinp: s.dln.pointer, dout: s.dh.pointer, inp: a.ln.out.pointer, params: p, grad: g, rows: n)
        ln.backward(dinp: dres, dout: s.dln.pointer, inp: input, a.ln, params: p, grad: g, rows: n)
    }
}

/// Activations of one `MLPSublayer` for up to `rows` rows.
final class MLPActivations<T: BLASScalar> {
    let ln: LayerNormActivations<T>
    let h: FlatBuffer<T>       // fc1 output (rows, hidden)
    let hGelu: FlatBuffer<T>   // gelu(h)
    let hSigmoid: FlatBuffer<T>   // σ(2u) inside gelu(h), cached for the backward pass
    let out: FlatBuffer<T>     // sublayer output = next residual (rows, dim)
    init(rows: Int, dim: Int, hidden: Int) {
        ln = LayerNormActivations(rows: rows, dim: dim)
        h = FlatBuffer(count: rows * hidden)
        hGelu = FlatBuffer(count: rows * hidden)
        hSigmoid = FlatBuffer(count: rows * hidden)
        out = FlatBuffer(count: rows * dim)
    }
}

/// Pre-LN residual causal self-attention: x + proj(attention(qkv(LN1(x)))).
struct AttentionSublayer {
    let ln: LayerNormSlot
    let qkv: LinearSlot
    let proj: LinearSlot
    let heads: Int

    static func add(to layout: inout ParameterLayout, prefix: String, dim: Int, heads: Int,
                    std: Double, outStd: Double) -> AttentionSublayer {
        AttentionSublayer(
            ln: .add(to: &layout, "\(prefix).ln1", dim: dim),
            qkv: .add(to: &layout, "\(prefix).qkv", inDim: dim, outDim: 3 * dim, std: std),
            proj: .add(to: &layout, "\(prefix).proj", inDim: dim, outDim: dim, std: outStd),
            heads: heads)
    }

    /// a.out (B·T, dim) = input + proj(attention(qkv(LN1(input)))).
    @inline(__always)
    func forward<T: BLASScalar>(_ a: AttentionActivations<T>, input: UnsafePointer<T>, params p: UnsafePointer<T>,
                                batch b: Int, context t: Int) {
        let n = b * t, c = ln.dim
        ln.forward(a.ln, input, params: p, rows: n)
        qkv.forward(a.qkv.pointer, a.ln.out.pointer, params: p, rows: n)
        attentionForward(a.y.pointer, att: a.att.pointer, qkv: a.qkv.pointer, batch: b, context: t, dim: c, heads: heads)
        proj.forward(a.out.pointer, a.y.pointer, params: p, rows: n)
        residualForward(a.out.pointer, input, a.out.pointer, count: n * c)
    }

    /// dres: ∂/∂out in, ∂/∂input out; uses `s.dy`, `s.dqkv`, `s.dln`, `s.datt` as scratch.
    @inline(__always)
    func backward<T: BLASScalar>(_ a: AttentionActivations<T>, input: UnsafePointer<T>, dres: UnsafeMutablePointer<T>,
                                 scratch s: BackwardScratch<T>, params p: UnsafePointer<T>,
                                 grad g: GradientTarget<T>, batch b: Int, context t: Int) {
        let n = b * t
        proj.backward(dinp: s.dy.pointer, dout: dres, inp: a.y.pointer, params: p, grad: g, rows: n)
        attentionBackward(dqkv: s.dqkv.pointer, scratch: s.datt.pointer, dout: s.dy.pointer, qkv: a.qkv.pointer,
                          att: a.att.pointer, batch: b, context: t, dim: ln.dim, heads: heads)
        qkv.backward(dinp: s.dln.pointer, dout: s.dqkv.pointer, inp: a.ln.out.pointer, params: p, grad: g, rows: n)
        ln.backward(dinp: dres, dout: s.dln.pointer, inp: input, a.ln, params: p, grad: g, rows: n)
    }
}

/// Activations of one `AttentionSublayer` for up to `batch` windows of `context`.
final class AttentionActivations<T: BLASScalar> {
    let ln: LayerNormActivations<T>
    let qkv: FlatBuffer<T>   // (B·T, 3C)
    let att: FlatBuffer<T>   // (B, H, T, T) softmax weights
    let y: FlatBuffer<T>     // attention output before proj (B·T, C)
    let out: FlatBuffer<T>   // sublayer output (B·T, C)
    init(batch: Int, context: Int, dim: Int, heads: Int) {
        let n = batch * context
        ln = LayerNormActivations(rows: n, dim: dim)
        qkv = FlatBuffer(count: n * 3 * dim)
        att = FlatBuffer(count: batch * heads * context * context)
        y = FlatBuffer(count: n * dim)
        out = FlatBuffer(count: n * dim)
    }
}

/// Backward scratch shared by all sublayers of one workspace (reused layer after layer).
final class BackwardScratch<T: BLASScalar> {
    let dres: FlatBuffer<T>   // residual-stream gradient (rows, dim)
    let dln: FlatBuffer<T>    // gradient at a LayerNorm output (rows, dim)
    let dh: FlatBuffer<T>     // MLP hidden gradient (rows, hidden)
    let dy: FlatBuffer<T>     // attention output gradient (rows, dim)
    let dqkv: FlatBuffer<T>   // (rows, 3·dim)
    let datt: FlatBuffer<T>   // one head's score gradients (T, T)
    init(rows: Int, dim: Int, hidden: Int, attention: Bool, context: Int) {
        dres = FlatBuffer(count: rows * dim)
        dln = FlatBuffer(count: rows * dim)
        dh = FlatBuffer(count: rows * hidden)
        dy = FlatBuffer(count: attention ? rows * dim : 0)
        dqkv = FlatBuffer(count: attention ? rows * 3 * dim : 0)
        datt = FlatBuffer(count: attention ? context * context : 0)
    }
}
