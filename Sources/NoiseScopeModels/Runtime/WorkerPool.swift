import Foundation

/// A fixed set of persistent threads that run one task together and wait for each
/// other: the caller runs `task(0)` itself while threads 1..<count run `task(1)`,
/// `task(2)`, … Start/finish hand-offs are semaphores, so a round allocates nothing
/// and costs a few microseconds (a gradient takes milliseconds).
///
/// The task is fixed at construction; per-round arguments live in the owner (which
/// the task closure captures `unowned`, so the pool never keeps its owner alive).
final class WorkerPool: @unchecked Sendable {
    private final class Shared: @unchecked Sendable {
        let task: (Int) -> Void
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        var stop = false
        init(task: @escaping (Int) -> Void, threads: Int) {
            self.task = task
            start = (0..<threads).map { _ in DispatchSemaphore(value: 0) }
        }
    }

    /// Total participants including the calling thread.
    let count: Int
    private let shared: Shared

    init(count: Int, task: @escaping (Int) -> Void) {
        precondition(count >= 1)
        self.count = count
        shared = Shared(task: task, threads: count - 1)
        for i in 1..<Swift.max(count, 1) {
            let s = shared
            let thread = Thread {
                while true {
                    s.start[i - 1].wait()
                    if s.stop { return }
                    s.task(i)
                    s.done.signal()
                }
            }
            thread.name = "noisescope-model-worker-\(i)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    deinit {
        shared.stop = true
        for s in shared.start { s.signal() }
    }

    /// Runs `task(i)` for i in 0..<active (active ≤ count) and returns when all are done.
    func run(active: Int) {
        precondition(active >= 1 && active <= count)
        for i in 1..<active { shared.start[i - 1].signal() }
        shared.task(0)
        for _ in 1..<active { shared.done.wait() }
    }
}
