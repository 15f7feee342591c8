import NoiseScopeCore

/// How one parameter tensor is initialised.
package enum ParameterInit: Sendable, Equatable, Codable {
    /// Entries drawn i.i.d. N(0, std²).
    case normal(std: Double)
    /// All zeros (biases, LayerNorm beta).
    case zeros
    /// All ones (LayerNorm gamma).
    case ones
}

/// One named tensor inside the flat parameter (and gradient) buffer.
package struct TensorSlot: Sendable, Equatable, Codable {
    /// Name in PyTorch style, e.g. `blocks.0.qkv.weight`.
    package let name: String
    /// Shape, row-major; Linear weights are `[out, in]` as in `torch.nn.Linear`.
    package let shape: [Int]
    /// Offset of the first element in the flat buffer.
    package let offset: Int
    /// How the tensor is initialised.
    package let initialization: ParameterInit
    /// Number of elements.
    package var count: Int { shape.reduce(1, *) }
    /// The tensor's index range in the flat buffer.
    package var range: Range<Int> { offset..<(offset + count) }
}

/// The layout of a model's single flat parameter buffer: an ordered list of named
/// tensors packed back to back. The gradient buffer has the same layout, so the
/// gradient of tensor `name` is at `gradient[layout[name].range]`.
package struct ParameterLayout: Sendable, Equatable, Codable {
    /// The tensors in buffer order.
    package private(set) var tensors: [TensorSlot] = []
    /// Total number of scalars.
    package private(set) var count = 0

    package init() {}

    /// Appends a tensor and returns its offset.
    @discardableResult
    package mutating func add(_ name: String, _ shape: [Int], _ initialization: ParameterInit) -> Int {
        precondition(!tensors.contains { $0.name == name }, "duplicate tensor \(name)")
        let slot = TensorSlot(name: name, shape: shape, offset: count, initialization: initialization)
        tensors.append(slot)
        count += slot.count
        return slot.offset
    }

    /// The tensor called `name`, or nil.
    package subscript(name: String) -> TensorSlot? {
        tensors.first { $0.name == name }
    }

    /// The offset of tensor `name`; traps if there is none (a programming error).
    package func offset(of name: String) -> Int {
        guard let slot = self[name] else { preconditionFailure("no tensor named \(name)") }
        return slot.offset
    }

    /// Fills `buffer` following each tensor's rule, drawing the normal entries in
    /// layout order from one `gsl_rng_mt19937` stream seeded with `seed` (draws are
    /// made in Double and rounded to `T`, so the Float and Double models built from
    /// the same seed agree up to rounding).
    package func initialize<T: BLASScalar>(_ buffer: UnsafeMutableBufferPointer<T>, seed: UInt64) {
        precondition(buffer.count == count, "buffer size \(buffer.count) != layout size \(count)")
        let rng = RandomSource(seed: seed)
        for slot in tensors {
            for i in slot.range {
                switch slot.initialization {
                case .normal(let std): buffer[i] = T(rng.gaussianPolar(sigma: std))
                case .zeros: buffer[i] = 0
                case .ones: buffer[i] = 1
                }
            }
        }
    }
}
