import Foundation

/// What a job may allocate on this machine, so that a size that cannot fit is
/// refused up front with its figure ("needs 960 GB; this machine has 24 GB")
/// instead of failing to allocate or growing until the kernel kills it.
package enum MemoryBudget {
    /// Physical memory in bytes.
    package static var physicalBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// The share of physical memory one job may plan to use.
    package static let usableFraction = 0.75

    /// Throws unless `bytes` fits in the usable share of physical memory.
    /// `what` names the job ("tinygpt with width 100000").
    package static func require(bytes: Double, for what: String, hint: String) throws {
        let usable = physicalBytes * usableFraction
        guard bytes.isFinite, bytes <= usable else {
            throw NoiseScopeError("\(what) needs about \(format(bytes: bytes)) of memory; this machine has \(format(bytes: physicalBytes)); \(hint)")
        }
    }

    /// "960 GB", "1.5 MB": decimal units, two significant digits.
    package static func format(bytes: Double) -> String {
        guard bytes.isFinite else { return "an unbounded amount" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == units.count - 1 && value >= 1000 { return String(format: "%.3g %@", value, units[unit]) }
        return value >= 10 || unit == 0 ? String(format: "%.0f %@", value, units[unit]) : String(format: "%.1f %@", value, units[unit])
    }
}
