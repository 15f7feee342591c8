import NoiseScopeModels

/// The minibatch gradients a measurement visits, one step at a time, in the
/// order of its `MinibatchSchedule`.
///
/// For B > 1 a step is one `lossAndGradient` call. For B = 1 the steps' single
/// examples are drawn `stepsPerPass` at a time and their gradients come from one
/// batched pass (`perExampleGradients`), so the two workers and the larger
/// GEMMs of a minibatch serve per-example gradients too; each step still sees
/// one example's gradient, the same examples in the same order as one call per
/// step, equal to it up to float rounding.
struct GradientStream {
    let model: any GradientModel<Float>
    private var schedule: MinibatchSchedule
    /// The examples the schedule's positions refer to.
    private let pool: [Int]
    /// B = 1: the current pass's per-example gradients, `stepsPerPass` slots.
    private let slots: FlatBuffer<Float>?
    /// B = 1: the current pass's examples, and how many of them the steps have used.
    private var pending: [Int] = []
    private var used = 0

    /// At most 2²⁴ scalars (64 MiB) of per-example gradients are held at once.
    static let slotBudget = 1 << 24

    /// Steps served by one model call: the model's maximum minibatch (within the
    /// slot budget) at B = 1, else 1.
    let stepsPerPass: Int

    init(model: any GradientModel<Float>, pool: [Int], batchSize: Int, seed: UInt64) {
        self.model = model
        self.pool = pool
        schedule = MinibatchSchedule(exampleCount: pool.count, batchSize: batchSize, seed: seed)
        let dimension = Swift.max(model.parameterCount, 1)
        stepsPerPass = batchSize == 1 ? Swift.max(1, Swift.min(model.maxBatchSize, Self.slotBudget / dimension)) : 1
        slots = batchSize == 1 ? FlatBuffer(count: stepsPerPass * model.parameterCount) : nil
    }

    /// The next step's minibatch and its gradient, valid until the next call.
    /// `remaining` (steps left, this one included) keeps the last B = 1 pass
    /// from computing gradients no step will read.
    mutating func next(remaining: Int = .max) -> (batch: [Int], gradient: UnsafeBufferPointer<Float>) {
        guard let slots else {
            let batch = schedule.next().map { pool[$0] }
            _ = model.lossAndGradient(indices: batch)
            return (batch, UnsafeBufferPointer(model.gradient))
        }
        if used == pending.count {
            pending = (0..<Swift.min(stepsPerPass, Swift.max(remaining, 1))).map { _ in pool[schedule.next()[0]] }
            used = 0
            _ = model.perExampleGradients(indices: pending, into: slots.buffer)
        }
        defer { used += 1 }
        let n = model.parameterCount
        return ([pending[used]], UnsafeBufferPointer(rebasing: slots.buffer[(used * n)..<((used + 1) * n)]))
    }
}
