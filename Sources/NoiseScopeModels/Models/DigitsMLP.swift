/// mlp: a one-hidden-layer perceptron on the 8×8 digits (docs/models.md):
/// h = gelu(W1·(pixels/16) + b1) with W1: width×64 (`fc1`); logits = W2·h + b2 with
/// W2: 10×width (`head`); mean cross-entropy. The smallest nonlinear model: between
/// logreg (convex) and resmlp (deep, residual). Init: weights N(0, 0.02²), biases 0.

/// Settings of mlp.
package struct DigitsMLPConfiguration: Sendable, Equatable, Codable {
    /// Hidden units.
    package var width = 64
    /// Largest minibatch (images) the workspace is sized for.
    package var maxBatchSize = 32
    /// Initialisation seed.
    package var seed: UInt64 = 0
    /// Std of the weight matrices at init.
    package var initStd = 0.02
    /// How the two cores are used.
    package var parallelism: Parallelism = .default

    package init(width: Int = 64, maxBatchSize: Int = 32, seed: UInt64 = 0, initStd: Double = 0.02,
                parallelism: Parallelism = .default) {
        self.width = width
        self.maxBatchSize = maxBatchSize
        self.seed = seed
        self.initStd = initStd
        self.parallelism = parallelism
    }
}

/// mlp over the digits, computing in `T`.
package final class DigitsMLP<T: BLASScalar>: DataParallelModel<T>, @unchecked Sendable {
    package let configuration: DigitsMLPConfiguration
    package let data: DigitsDataset

    package init(configuration: DigitsMLPConfiguration = DigitsMLPConfiguration(), data: DigitsDataset) {
        var layout = ParameterLayout()
        let hidden = LinearSlot.add(to: &layout, "fc1", inDim: DigitsDataset.pixelCount, outDim: configuration.width, std: configuration.initStd)
        let output = LinearSlot.add(to: &layout, "head", inDim: configuration.width, outDim: DigitsDataset.classCount, std: configuration.initStd)
        let head = ClassifierHead(ln: nil, linear: output)
        self.configuration = configuration
        self.data = data
        super.init(name: "mlp", layout: layout, seed: configuration.seed, exampleCount: data.count, positionsPerExample: 1,
                   flopsPerExample: 6 * Double(layout.count), maxBatchSize: configuration.maxBatchSize,
                   parallelism: configuration.parallelism) { capacity, params in
            DigitsMLPWorkspace(hidden: hidden, head: head, width: configuration.width, data: data, params: params, capacity: capacity)
        }
    }
}

/// One worker's buffers for mlp.
final class DigitsMLPWorkspace<T: BLASScalar>: MinibatchWorkspace {
    let hidden: LinearSlot
    let head: ClassifierHead
    let width: Int
    let params: UnsafePointer<T>
    let capacity: Int
    private let batch: DigitsBatch<T>
    private let preActivation: FlatBuffer<T>  // (capacity, width): W1·x + b1
    private let activation: FlatBuffer<T>     // (capacity, width): gelu of it
    private let sigmoidCache: FlatBuffer<T>   // (capacity, width): GELU's σ(2u)
    private let dActivation: FlatBuffer<T>    // (capacity, width): ∂loss/∂h, then ∂loss/∂(W1·x + b1)
    private let acts: HeadActivations<T>

    init(hidden: LinearSlot, head: ClassifierHead, width: Int, data: DigitsDataset, params: UnsafePointer<T>, capacity: Int) {
        self.hidden = hidden
        self.head = head
        self.width = width
        self.params = params
        self.capacity = capacity
        batch = DigitsBatch(data: data, capacity: capacity)
        preActivation = FlatBuffer(count: capacity * width)
        activation = FlatBuffer(count: capacity * width)
        sigmoidCache = FlatBuffer(count: capacity * width)
        dActivation = FlatBuffer(count: capacity * width)
        acts = HeadActivations(rows: capacity, dim: width, classes: DigitsDataset.classCount, layerNorm: false)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(indices: UnsafeBufferPointer<Int>, gradient: GradientTarget<T>?, lossScale: T) -> Double {
        let n = indices.count
        precondition(n <= capacity)
        batch.load(indices)
        hidden.forward(preActivation.pointer, batch.features.pointer, params: params, rows: n)
        geluForward(activation.pointer, sigmoidCache: sigmoidCache.pointer, preActivation.pointer, count: n * width)
        let loss = head.forward(acts, input: activation.pointer, targets: batch.labels, params: params, rows: n)
        guard let g = gradient else { return loss }
        g.zero(parameterCount: hidden.outDim * (hidden.inDim + 1) + head.linear.outDim * (head.linear.inDim + 1))  // the whole layout
        head.backward(acts, input: activation.pointer, targets: batch.labels, dres: dActivation.pointer, dln: nil,
                      scale: lossScale, params: params, grad: g, rows: n)
        geluBackward(dinp: dActivation.pointer, inp: preActivation.pointer, sigmoidCache: sigmoidCache.pointer,
                     dout: dActivation.pointer, count: n * width)
        hidden.backward(dinp: nil, dout: dActivation.pointer, inp: batch.features.pointer, params: params, grad: g, rows: n)
        return loss
    }
}
