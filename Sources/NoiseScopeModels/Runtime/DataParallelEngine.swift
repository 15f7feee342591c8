/// One worker's private state for forward/backward passes over up to `capacity`
/// examples: activations, scratch and index buffers, all allocated at construction.
protocol MinibatchWorkspace: AnyObject {
    associatedtype Scalar: BLASScalar
    /// Examples this workspace can hold.
    var capacity: Int { get }
    /// Runs the examples `indices` through the model and returns the SUM of their
    /// per-position losses. If `gradient` is non-nil, OVERWRITES each of its groups'
    /// buffers with ∂(lossScale · the sum over that group's examples)/∂θ (flat layout;
    /// one group: the whole minibatch, one per example: per-example gradients).
    func run(indices: UnsafeBufferPointer<Int>, gradient: GradientTarget<Scalar>?,
             lossScale: Scalar) -> Double
}

/// What one round of the engine computes besides the loss.
enum EngineOutput<T: BLASScalar> {
    /// The loss only.
    case loss
    /// The gradient of the mean loss, into the model's gradient buffer.
    case minibatch
    /// Example k's gradient of its own mean loss at `slots + k · parameters`.
    case perExample(UnsafeMutablePointer<T>)
}

/// Splits a minibatch across workers (see `Parallelism`), runs them on a persistent
/// `WorkerPool`, and sums their losses and gradients into the model's buffers.
///
/// Worker 0 writes straight into the model's gradient buffer; workers 1… have their
/// own buffers, added in at the end in a fixed order, so the result is deterministic.
/// Each worker scales its loss by 1/(B·positions), so the sum is the gradient of the
/// mean over the whole minibatch. Per-example gradients (`.perExample`) run the same
/// split: each worker writes its examples' gradients (scaled by 1/positions) into
/// their own slots, and nothing is summed.
final class DataParallelEngine<W: MinibatchWorkspace>: @unchecked Sendable {
    typealias T = W.Scalar
    let parallelism: Parallelism
    let maxBatchSize: Int
    let exampleCount: Int
    /// Loss terms per example (T for text windows, 1 for images).
    let positionsPerExample: Int
    /// Training FLOPs per example, to decide whether a minibatch is worth splitting.
    let flopsPerExample: Double
    /// Work a worker must get before a second worker is woken: waking a sleeping
    /// thread costs tens of microseconds, so a minibatch is split only into parts of at
    /// least this many FLOPs (~40 µs at this machine's per-core rate). logreg (125
    /// kFLOP per B = 32 minibatch) ran 7× slower split than serial on an idle machine.
    /// Tests set it to 0 to exercise the split path on tiny models.
    var minimumFlopsPerWorker = 4e6
    private let workspaces: [W]
    private let gradient: FlatBuffer<T>
    private let workerGradients: [FlatBuffer<T>]
    private var pool: WorkerPool!

    // Arguments of the current round, read by the workers.
    private var roundIndices = UnsafeBufferPointer<Int>(start: nil, count: 0)
    private var roundActive = 1
    private var roundOutput = EngineOutput<T>.loss
    private var roundScale: T = 0
    private let roundLosses: UnsafeMutablePointer<Double>

    /// `makeWorkspace(capacity)` builds one worker's workspace.
    init(parallelism: Parallelism, maxBatchSize: Int, exampleCount: Int, positionsPerExample: Int,
         flopsPerExample: Double, gradient: FlatBuffer<T>, makeWorkspace: (Int) -> W) {
        precondition(maxBatchSize >= 1, "maxBatchSize must be at least 1")
        self.parallelism = parallelism
        self.maxBatchSize = maxBatchSize
        self.exampleCount = exampleCount
        self.positionsPerExample = positionsPerExample
        self.flopsPerExample = flopsPerExample
        self.gradient = gradient
        let workers = Swift.min(parallelism.workerCount, maxBatchSize)
        // Worker 0 may take a whole minibatch alone (small work is not split); when
        // split, a minibatch may go to as few as 2 workers, so the others hold ⌈B/2⌉.
        let share = (maxBatchSize + 1) / 2
        workspaces = (0..<workers).map { makeWorkspace($0 == 0 ? maxBatchSize : share) }
        workerGradients = (1..<workers).map { _ in FlatBuffer<T>(count: gradient.count) }
        roundLosses = .allocate(capacity: workers)
        roundLosses.initialize(repeating: 0, count: workers)
        pool = WorkerPool(count: workers) { [unowned self] i in self.work(i) }
    }

    deinit { roundLosses.deallocate() }

    /// Number of workers.
    var workerCount: Int { workspaces.count }

    /// Mean loss over `indices`; writes the gradients `output` asks for.
    func evaluate(indices: [Int], output: EngineOutput<T>) -> Double {
        let b = indices.count
        precondition(b >= 1, "empty minibatch")
        precondition(b <= maxBatchSize, "minibatch of \(b) exceeds maxBatchSize \(maxBatchSize)")
        for i in indices {
            precondition(i >= 0 && i < exampleCount, "example index \(i) out of 0..<\(exampleCount)")
        }
        ensureBLASThreads(parallelism.blasThreadCount)
        let worthwhile = minimumFlopsPerWorker > 0 ? Int(flopsPerExample * Double(b) / minimumFlopsPerWorker) : b
        let active = Swift.max(1, Swift.min(workspaces.count, b, worthwhile))
        return indices.withUnsafeBufferPointer { ptr in
            roundIndices = ptr
            roundActive = active
            roundOutput = output
            let invPositions = 1 / Double(b * positionsPerExample)
            if case .perExample = output {
                roundScale = T(1 / Double(positionsPerExample))
            } else {
                roundScale = T(invPositions)
            }
            pool.run(active: active)
            roundIndices = UnsafeBufferPointer(start: nil, count: 0)
            var total = 0.0
            for w in 0..<active { total += roundLosses[w] }
            if case .minibatch = output {
                // g += other (BLAS axpy with α = 1: one rounding per element, as g[j] += other[j]).
                let g = gradient.pointer, n = gradient.count
                for w in 1..<active { T.axpy(count: n, alpha: 1, x: workerGradients[w - 1].pointer, y: g) }
            }
            return total * invPositions
        }
    }

    /// Worker `w`'s share: examples [w·B/active, (w+1)·B/active).
    private func work(_ w: Int) {
        guard w < roundActive else { return }
        let b = roundIndices.count
        let lo = w * b / roundActive, hi = (w + 1) * b / roundActive
        let mine = UnsafeBufferPointer(rebasing: roundIndices[lo..<hi])
        var g: GradientTarget<T>? = nil
        switch roundOutput {
        case .loss: break
        case .minibatch:
            g = GradientTarget(base: w == 0 ? gradient.pointer : workerGradients[w - 1].pointer, groups: .single)
        case .perExample(let slots):
            g = GradientTarget(base: slots + lo * gradient.count, groups: GradientGroups(count: hi - lo, stride: gradient.count))
        }
        roundLosses[w] = workspaces[w].run(indices: mine, gradient: g, lossScale: roundScale)
    }
}
