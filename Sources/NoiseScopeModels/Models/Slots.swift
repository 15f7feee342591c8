/// Parameter slots: where one layer's tensors sit in a model's flat buffer, with
/// forward/backward wrappers that resolve the offsets against the parameter and
/// gradient base pointers. Models are written in terms of these so that no offset
/// arithmetic is repeated.

/// A Linear layer's weight `[out, in]` and optional bias `[out]`.
struct LinearSlot {
    let weight: Int
    let bias: Int?
    let inDim: Int
    let outDim: Int

    /// Registers `name.weight` (N(0, std²)) and, if wanted, `name.bias` (zeros).
    static func add(to layout: inout ParameterLayout, _ name: String, inDim: Int, outDim: Int,
                    bias: Bool = true, std: Double) -> LinearSlot {
        let w = layout.add("\(name).weight", [outDim, inDim], .normal(std: std))
        let b = bias ? layout.add("\(name).bias", [outDim], .zeros) : nil
        return LinearSlot(weight: w, bias: b, inDim: inDim, outDim: outDim)
    }

    /// out (n, outDim) = inp (n, inDim) · Wᵀ + b.
    @inline(__always)
    func forward<T: BLASScalar>(_ out: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>,
                                params p: UnsafePointer<T>, rows n: Int) {
        linearForward(out, inp, p + weight, bias.map { p + $0 }, rows: n, inDim: inDim, outDim: outDim)
    }

    /// dinp (overwritten, if non-nil), dW and db (accumulated into `g`'s groups).
    @inline(__always)
    func backward<T: BLASScalar>(dinp: UnsafeMutablePointer<T>?, dout: UnsafePointer<T>, inp: UnsafePointer<T>,
                                 params p: UnsafePointer<T>, grad g: GradientTarget<T>, rows n: Int) {
        linearBackward(dinp: dinp, dweight: g.base + weight, dbias: bias.map { g.base + $0 }, dout: dout, inp: inp,
                       weight: p + weight, rows: n, inDim: inDim, outDim: outDim, groups: g.groups)
    }
}

/// A LayerNorm's gamma `[dim]` (ones) and beta `[dim]` (zeros).
struct LayerNormSlot {
    let weight: Int
    let bias: Int
    let dim: Int

    static func add(to layout: inout ParameterLayout, _ name: String, dim: Int) -> LayerNormSlot {
        let w = layout.add("\(name).weight", [dim], .ones)
        let b = layout.add("\(name).bias", [dim], .zeros)
        return LayerNormSlot(weight: w, bias: b, dim: dim)
    }

    @inline(__always)
    func forward<T: BLASScalar>(_ a: LayerNormActivations<T>, _ inp: UnsafePointer<T>,
                                params p: UnsafePointer<T>, rows n: Int) {
        layerNormForward(a.out.pointer, mean: a.mean.pointer, rstd: a.rstd.pointer, inp,
                         weight: p + weight, bias: p + bias, rows: n, dim: dim)
    }

    /// dinp ACCUMULATES (it is a residual stream).
    @inline(__always)
    func backward<T: BLASScalar>(dinp: UnsafeMutablePointer<T>, dout: UnsafePointer<T>, inp: UnsafePointer<T>,
                                 _ a: LayerNormActivations<T>, params p: UnsafePointer<T>,
                                 grad g: GradientTarget<T>, rows n: Int) {
        layerNormBackward(dinp: dinp, dweight: g.base + weight, dbias: g.base + bias, dout: dout, inp: inp,
                          weight: p + weight, mean: a.mean.pointer, rstd: a.rstd.pointer, rows: n, dim: dim,
                          groups: g.groups)
    }
}

/// A LayerNorm's output and cached row statistics for up to `rows` rows.
final class LayerNormActivations<T: BLASScalar> {
    let out: FlatBuffer<T>
    let mean: FlatBuffer<T>
    let rstd: FlatBuffer<T>
    init(rows: Int, dim: Int) {
        out = FlatBuffer(count: rows * dim)
        mean = FlatBuffer(count: rows)
        rstd = FlatBuffer(count: rows)
    }
}
