import CGSL
import Foundation

/// Which OpenBLAS kernel set ("core") is active, and a way to change it at run time.
///
/// Debian's OpenBLAS 0.3.21 is a DYNAMIC_ARCH build: at load time it picks kernels
/// from the CPU's family/model. It does not know recent Xeons (family 6, model 207,
/// Emerald Rapids, among this project's machines) and falls back to **Prescott** (SSE3)
/// kernels: sgemm then runs several times slower than with the AVX-512 (`SkylakeX`)
/// kernels (`noisescope bench` measures both). `OPENBLAS_CORETYPE` fixes that, but is read only while the
/// library loads, i.e. before `main`. `select(_:)` sets it and re-runs OpenBLAS's
/// own dynamic initialisation (`gotoblas_dynamic_quit` / `gotoblas_dynamic_init`,
/// exported by the library but in no header; the CGSL shim declares them weak, so
/// this works in a statically linked binary too),
/// which swaps the kernel table. Call it once at start-up, before any BLAS work runs on
/// other threads.
package enum OpenBLASCore {
    /// The active kernel set, e.g. "Prescott", "Haswell", "SkylakeX".
    package static var current: String {
        guard let name = noisescope_openblas_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Switches to kernel set `name` (any value OPENBLAS_CORETYPE accepts). Returns the
    /// kernel set now active (OpenBLAS may substitute), or nil when the library has no
    /// dynamic initialisation to re-run (not a DYNAMIC_ARCH build).
    @discardableResult
    package static func select(_ name: String) -> String? {
        let previous = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        setenv("OPENBLAS_CORETYPE", name, 1)
        guard noisescope_openblas_reinitialise() != 0 else {
            if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
            return nil
        }
        return current
    }

    /// Kernel set this CPU should use: "SkylakeX" with AVX-512F, "Haswell" with AVX2 +
    /// FMA, nil otherwise (from /proc/cpuinfo's flags).
    package static func recommendedForThisCPU() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if flags.contains("avx512f") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Kernel sets OpenBLAS falls back to when it does not recognise a CPU.
    static let genericFallbacks: Set<String> = ["Prescott", "Core2", "Nehalem", "Katmai", "Banias"]

    /// If the user has not set OPENBLAS_CORETYPE and OpenBLAS fell back to a generic
    /// kernel set on a CPU with AVX2 or AVX-512, switches to the matching kernels.
    /// Returns a one-line account of what was (or was not) done, for logs.
    @discardableResult
    package static func useBestKernelsForThisCPU() -> String {
        let before = current
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            return "OpenBLAS kernels: \(before) (OPENBLAS_CORETYPE set by the user)"
        }
        guard genericFallbacks.contains(before), let wanted = recommendedForThisCPU() else {
            return "OpenBLAS kernels: \(before)"
        }
        guard let now = select(wanted) else { return "OpenBLAS kernels: \(before) (cannot switch)" }
        return "OpenBLAS kernels: \(now) (switched from the generic \(before) fallback)"
    }
}
