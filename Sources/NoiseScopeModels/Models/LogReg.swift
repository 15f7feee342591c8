/// logreg: multinomial logistic regression on the 8×8 digits (docs/models.md): logits =
/// W·(pixels/16) + b with W: 10×64, mean cross-entropy. Convex, with the closed-form
/// gradient ∇W = Xᵀ(softmax(XWᵀ + b) − Y)/B that the tests check against.
/// Init: W ~ N(0, 0.02²) (as the other models' weight matrices), b = 0.

/// Settings of logreg.
package struct LogRegConfiguration: Sendable, Equatable, Codable {
    /// Largest minibatch (images) the workspace is sized for.
    package var maxBatchSize = 32
    /// Initialisation seed.
    package var seed: UInt64 = 0
    /// Std of W at init.
    package var initStd = 0.02
    /// How the two cores are used.
    package var parallelism: Parallelism = .default

    package init(maxBatchSize: Int = 32, seed: UInt64 = 0, initStd: Double = 0.02,
                parallelism: Parallelism = .default) {
        self.maxBatchSize = maxBatchSize
        self.seed = seed
        self.initStd = initStd
        self.parallelism = parallelism
    }
}

/// logreg over the digits, computing in `T`.
package final class LogReg<T: BLASScalar>: DataParallelModel<T>, @unchecked Sendable {
    package let configuration: LogRegConfiguration
    package let data: DigitsDataset

    package init(configuration: LogRegConfiguration = LogRegConfiguration(), data: DigitsDataset) {
        var layout = ParameterLayout()
        let linear = LinearSlot.add(to: &layout, "linear", inDim: DigitsDataset.pixelCount,
                                    outDim: DigitsDataset.classCount, std: configuration.initStd)
        let head = ClassifierHead(ln: nil, linear: linear)
        self.configuration = configuration
        self.data = data
        super.init(name: "logreg", layout: layout, seed: configuration.seed, exampleCount: data.count, positionsPerExample: 1,
                   flopsPerExample: 6 * Double(layout.count), maxBatchSize: configuration.maxBatchSize,
                   parallelism: configuration.parallelism) { capacity, params in
            LogRegWorkspace(head: head, data: data, params: params, capacity: capacity)
        }
    }
}

/// One worker's buffers for logreg.
final class LogRegWorkspace<T: BLASScalar>: MinibatchWorkspace {
    let head: ClassifierHead
    let params: UnsafePointer<T>
    let capacity: Int
    private let batch: DigitsBatch<T>
    private let acts: HeadActivations<T>

    init(head: ClassifierHead, data: DigitsDataset, params: UnsafePointer<T>, capacity: Int) {
        self.head = head
        self.params = params
        self.capacity = capacity
        batch = DigitsBatch(data: data, capacity: capacity)
        acts = HeadActivations(rows: capacity, dim: DigitsDataset.pixelCount, classes: DigitsDataset.classCount,
                               layerNorm: false)
    }

    // The one entry point of all heavy work: specialised eagerly, so that callers that
    // reach it through generic code (the worker pool, other modules) run the
    // Float/Double instantiation rather than the witness-table version.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(indices: UnsafeBufferPointer<Int>, gradient: GradientTarget<T>?, lossScale: T) -> Double {
        let n = indices.count
        precondition(n <= capacity)
        batch.load(indices)
        let loss = head.forward(acts, input: batch.features.pointer, targets: batch.labels, params: params, rows: n)
        if let g = gradient {
            g.zero(parameterCount: DigitsDataset.classCount * (DigitsDataset.pixelCount + 1))
            head.backward(acts, input: batch.features.pointer, targets: batch.labels, dres: nil, dln: nil,
                          scale: lossScale, params: params, grad: g, rows: n)
        }
        return loss
    }
}
