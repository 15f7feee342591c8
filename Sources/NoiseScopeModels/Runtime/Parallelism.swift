import CGSL
import Foundation

/// How a model uses the machine's cores for one minibatch gradient.
///
/// Data parallelism is the default: `noisescope bench` measures it against
/// OpenBLAS's own threads and one core on the machine at hand (docs/models.md quotes
/// the numbers). It wins
/// because the model's matrices are small (256–512 rows by 64–256 columns): OpenBLAS's
/// threading barely engages at these sizes and leaves the LayerNorm, GELU, softmax and
/// attention loops (a third of the time) on one core, whereas two workers with
/// single-threaded BLAS keep both cores busy for the whole pass, at the price of one
/// gradient sum (N additions) at the end. So it is the default.
package enum Parallelism: Sendable, Equatable, Codable {
    /// Split the minibatch across `workers` threads, each with its own workspace and
    /// gradient buffer; OpenBLAS single-threaded; gradients summed at the end.
    case dataParallel(workers: Int)
    /// One worker; OpenBLAS may use `threads` threads inside each matrix product.
    case blasThreads(Int)

    /// The measured winner on this machine: data parallel over all cores.
    package static var `default`: Parallelism {
        .dataParallel(workers: Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8)))
    }

    /// Number of minibatch workers.
    var workerCount: Int {
        switch self {
        case .dataParallel(let w): return Swift.max(1, w)
        case .blasThreads: return 1
        }
    }

    /// OpenBLAS thread count to use while this model computes.
    var blasThreadCount: Int {
        switch self {
        case .dataParallel: return 1
        case .blasThreads(let n): return Swift.max(1, n)
        }
    }
}

/// Sets OpenBLAS's thread count if it differs (a global of the process).
@inline(__always)
func ensureBLASThreads(_ n: Int) {
    if Int(openblas_get_num_threads()) != n { openblas_set_num_threads(Int32(n)) }
}
