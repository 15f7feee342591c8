/// resmlp: a residual MLP on the 8×8 digits (docs/models.md), the small stand-in for a
/// ResNet. x = Linear(64→width)(pixels/16); `blocks` times x = x + W2 gelu(W1 LN(x))
/// (W1: width→hidden, W2: hidden→width, both with bias); logits = Linear(width→10)(LN(x));
/// loss = mean cross-entropy. Init as tinygpt: weights N(0, 0.02²), W2 weights
/// N(0, (0.02/√(2·blocks))²), biases 0, LayerNorm gamma 1, beta 0.

/// Architecture and run settings of resmlp; defaults are the docs/models.md numbers.
package struct ResMLPConfiguration: Sendable, Equatable, Codable {
    /// Residual width.
    package var width = 128
    /// Hidden width of each block's MLP.
    package var hiddenWidth = 512
    /// Number of residual blocks.
    package var blocks = 3
    /// Largest minibatch (images) the workspace is sized for.
    package var maxBatchSize = 32
    /// Initialisation seed.
    package var seed: UInt64 = 0
    /// Std of the weight matrices at init (W2: std/√(2·blocks)).
    package var initStd = 0.02
    /// How the two cores are used.
    package var parallelism: Parallelism = .default

    package init(width: Int = 128, hiddenWidth: Int = 512, blocks: Int = 3, maxBatchSize: Int = 32,
                seed: UInt64 = 0, initStd: Double = 0.02, parallelism: Parallelism = .default) {
        self.width = width
        self.hiddenWidth = hiddenWidth
        self.blocks = blocks
        self.maxBatchSize = maxBatchSize
        self.seed = seed
        self.initStd = initStd
        self.parallelism = parallelism
    }
}

/// The parameter layout and layer slots of a resmlp configuration.
struct ResMLPArchitecture {
    let config: ResMLPConfiguration
    let layout: ParameterLayout
    let input: LinearSlot
    let blocks: [MLPSublayer]
    let head: ClassifierHead

    init(_ c: ResMLPConfiguration) {
        config = c
        var layout = ParameterLayout()
        let std = c.initStd, outStd = c.initStd / (2 * Double(Swift.max(c.blocks, 1))).squareRoot()
        input = .add(to: &layout, "input", inDim: DigitsDataset.pixelCount, outDim: c.width, std: std)
        blocks = (0..<c.blocks).map { l in
            MLPSublayer.add(to: &layout, prefix: "blocks.\(l)", names: ("ln", "fc1", "fc2"),
                            dim: c.width, hidden: c.hiddenWidth, std: std, outStd: outStd)
        }
        let lnf = LayerNormSlot.add(to: &layout, "lnf", dim: c.width)
        let out = LinearSlot.add(to: &layout, "head", inDim: c.width, outDim: DigitsDataset.classCount, std: std)
        head = ClassifierHead(ln: lnf, linear: out)
        self.layout = layout
    }
}

/// resmlp over the digits, computing in `T`. 6 FLOPs per weight per example (2 forward, 4 backward).
package final class ResMLP<T: BLASScalar>: DataParallelModel<T>, @unchecked Sendable {
    package let configuration: ResMLPConfiguration
    package let data: DigitsDataset

    package init(configuration: ResMLPConfiguration = ResMLPConfiguration(), data: DigitsDataset) {
        let arch = ResMLPArchitecture(configuration)
        self.configuration = configuration
        self.data = data
        super.init(name: "resmlp", layout: arch.layout, seed: configuration.seed, exampleCount: data.count, positionsPerExample: 1,
                   flopsPerExample: 6 * Double(arch.layout.count), maxBatchSize: configuration.maxBatchSize,
                   parallelism: configuration.parallelism) { capacity, params in
            ResMLPWorkspace(arch: arch, data: data, params: params, capacity: capacity)
        }
    }
}

/// One worker's activations and scratch for resmlp.
final class ResMLPWorkspace<T: BLASScalar>: MinibatchWorkspace {
    let arch: ResMLPArchitecture
    let params: UnsafePointer<T>
    let capacity: Int
    private let batch: DigitsBatch<T>
    private let x0: FlatBuffer<T>
    private let blocks: [MLPActivations<T>]
    private let head: HeadActivations<T>
    private let scratch: BackwardScratch<T>

    init(arch: ResMLPArchitecture, data: DigitsDataset, params: UnsafePointer<T>, capacity: Int) {
        let c = arch.config
        self.arch = arch
        self.params = params
        self.capacity = capacity
        batch = DigitsBatch(data: data, capacity: capacity)
        x0 = FlatBuffer(count: capacity * c.width)
        blocks = (0..<c.blocks).map { _ in MLPActivations(rows: capacity, dim: c.width, hidden: c.hiddenWidth) }
        head = HeadActivations(rows: capacity, dim: c.width, classes: DigitsDataset.classCount, layerNorm: true)
        scratch = BackwardScratch(rows: capacity, dim: c.width, hidden: c.hiddenWidth, attention: false, context: 0)
    }

    // The one entry point of all heavy work: specialised eagerly, so that callers that
    // reach it through generic code (the worker pool, other modules) run the
    // Float/Double instantiation rather than the witness-table version.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(indices: UnsafeBufferPointer<Int>, gradient: GradientTarget<T>?, lossScale: T) -> Double {
        let n = indices.count, p = params
        precondition(n <= capacity)
        batch.load(indices)
        arch.input.forward(x0.pointer, batch.features.pointer, params: p, rows: n)
        var x = UnsafePointer(x0.pointer)
        for (sub, a) in zip(arch.blocks, blocks) {
            sub.forward(a, input: x, params: p, rows: n)
            x = UnsafePointer(a.out.pointer)
        }
        let loss = arch.head.forward(head, input: x, targets: batch.labels, params: p, rows: n)
        guard let g = gradient else { return loss }
        g.zero(parameterCount: arch.layout.count)

        let dres = scratch.dres.pointer
        arch.head.backward(head, input: x, targets: batch.labels, dres: dres, dln: scratch.dln.pointer,
                           scale: lossScale, params: p, grad: g, rows: n)
        for l in stride(from: blocks.count - 1, through: 0, by: -1) {
            let input = l == 0 ? UnsafePointer(x0.pointer) : UnsafePointer(blocks[l - 1].out.pointer)
            arch.blocks[l].backward(blocks[l], input: input, dres: dres, scratch: scratch, params: p, grad: g, rows: n)
        }
        arch.input.backward(dinp: nil, dout: dres, inp: batch.features.pointer, params: p, grad: g, rows: n)
        return loss
    }
}
