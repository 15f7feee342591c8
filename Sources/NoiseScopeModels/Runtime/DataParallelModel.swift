/// The shell every bundled data-parallel model shares, so that a model's file
/// holds only its configuration, its parameter layout and its workspace (the
/// forward and backward passes): one flat parameter buffer and one flat
/// gradient buffer of the layout, initialised from the seed, and the
/// `DataParallelEngine` that splits each minibatch over the workers.
///
/// Subclasses (in this module) call `init(name:layout:seed:…:makeWorkspace:)`
/// once. The heavy work runs in the workspace's `run`, which each workspace
/// specialises for Float and Double; the engine's own per-minibatch work (the
/// split, the sum of the workers' gradients through BLAS axpy) is a handful of
/// calls, so the shell itself needs no specialisation.
package class DataParallelModel<T: BLASScalar>: GradientModel, @unchecked Sendable {
    package let layout: ParameterLayout
    package var parameters: UnsafeMutableBufferPointer<T> { parameterStorage.buffer }
    package var gradient: UnsafeMutableBufferPointer<T> { gradientStorage.buffer }
    package let name: String
    package let exampleCount: Int
    package let maxBatchSize: Int
    package let flopsPerExample: Double

    private let parameterStorage: FlatBuffer<T>
    private let gradientStorage: FlatBuffer<T>
    private var engine: (any DataParallelRunner<T>)!

    /// Lays out and initialises the buffers (`layout.initialize` from `seed`),
    /// then builds one workspace per worker with `makeWorkspace(capacity, parameters)`.
    init<W: MinibatchWorkspace>(name: String, layout: ParameterLayout, seed: UInt64, exampleCount: Int, positionsPerExample: Int,
                                flopsPerExample: Double, maxBatchSize: Int, parallelism: Parallelism,
                                makeWorkspace: @escaping (Int, UnsafePointer<T>) -> W) where W.Scalar == T {
        self.name = name
        self.layout = layout
        self.exampleCount = exampleCount
        self.maxBatchSize = maxBatchSize
        self.flopsPerExample = flopsPerExample
        parameterStorage = FlatBuffer(count: layout.count)
        gradientStorage = FlatBuffer(count: layout.count)
        layout.initialize(parameterStorage.buffer, seed: seed)
        let params = UnsafePointer(parameterStorage.pointer)
        engine = DataParallelEngine(parallelism: parallelism, maxBatchSize: maxBatchSize, exampleCount: exampleCount,
                                    positionsPerExample: positionsPerExample, flopsPerExample: flopsPerExample,
                                    gradient: gradientStorage) { makeWorkspace($0, params) }
    }

    package func lossAndGradient(indices: [Int]) -> Double {
        engine.evaluate(indices: indices, output: .minibatch)
    }

    package func loss(indices: [Int]) -> Double {
        engine.evaluate(indices: indices, output: .loss)
    }

    /// One batched forward/backward pass over `indices`, split over the workers as a
    /// minibatch is; each example's parameter gradients are accumulated into its own slot.
    package func perExampleGradients(indices: [Int], into gradients: UnsafeMutableBufferPointer<T>) -> Double {
        precondition(gradients.count >= indices.count * layout.count, "room for \(gradients.count / Swift.max(layout.count, 1)) gradients, \(indices.count) asked for")
        return engine.evaluate(indices: indices, output: .perExample(gradients.baseAddress!))
    }

    /// Nothing readable by default; text models show their window.
    package func describeExample(_ index: Int) -> String? { nil }

    /// Workers used per minibatch.
    package var workerCount: Int { engine.workerCount }

    /// Split threshold of the data-parallel engine (internal: tests set it to 0).
    var minimumFlopsPerWorker: Double {
        get { engine.minimumFlopsPerWorker }
        set { engine.minimumFlopsPerWorker = newValue }
    }
}

/// What the shell needs of its engine, whatever the workspace type.
protocol DataParallelRunner<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    func evaluate(indices: [Int], output: EngineOutput<Scalar>) -> Double
    var workerCount: Int { get }
    var minimumFlopsPerWorker: Double { get set }
}

extension DataParallelEngine: DataParallelRunner {
    typealias Scalar = W.Scalar
}
