import CGSL
import Foundation

/// How a model uses the machine's cores for one minibatch gradient.
///
/// Measured on the 2-core development machine (Xeon family 6 model 207, OpenBLAS
/// 0.3.21 with its AVX-512 kernels, idle), default tinygpt at B = 8:
///
///     data parallel, 2 workers, 1 BLAS thread each   352 grads/s  (1.88× one core)
///     1 worker, OpenBLAS on 2 threads                 199 grads/s  (1.06× one core)
///     1 worker, 1 BLAS thread                         187 grads/s
///
/// (with OpenBLAS's fallback SSE3 kernels: 122, 89 and 62). Data parallelism wins
/// because the model's matrices are small (256–512 rows by 64–256 columns): OpenBLAS's
/// threading barely engages at these sizes and leaves the LayerNorm, GELU, softmax and
/// attention loops (a third of the time) on one core, whereas two workers with
/// single-threaded BLAS keep both cores busy for the whole pass, at the price of one
/// gradient sum (N additions) at the end. So it is the default.
public enum Parallelism: Sendable, Equatable, Codable {
    /// Split the minibatch across `workers` threads, each with its own workspace and
    /// gradient buffer; OpenBLAS single-threaded; gradients summed at the end.
    case dataParallel(workers: Int)
    /// One worker; OpenBLAS may use `threads` threads inside each matrix product.
    case blasThreads(Int)

    /// The measured winner on this machine: data parallel over all cores.
    public static var `default`: Parallelism {
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
