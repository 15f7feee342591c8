import CGSL
import Foundation

/// Which shared libraries the native calls resolve to at run time.
///
/// GSL's own package pulls in its reference CBLAS (libgslcblas) as a
/// dependency; CGSL links OpenBLAS ahead of it, so every cblas_* symbol should
/// bind to OpenBLAS. This asks the dynamic linker where `cblas_sgemm` really
/// lives, so the tests (and `noisescope bench`) can prove it.
package enum NativeLibraries {
    /// The path of the shared object that provides `cblas_sgemm`: the
    /// dynamic linker's global lookup (dlsym with RTLD_DEFAULT, a null handle
    /// on glibc), which is what every call from this process binds to.
    /// In a statically linked binary (the wheel's) dlsym finds nothing, and
    /// the answer is the executable itself.
    package static var cblasLibraryPath: String? {
        _ = cblas_sgemm  // keep the link to the library that declares it
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_sgemm") else {
            return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map { $0 + " (linked in)" }
        }
        return mappedFile(containing: UInt(bitPattern: address))
    }

    /// GSL's version string (e.g. "2.7.1"), from the library linked in.
    package static var gslVersion: String { String(cString: gsl_version) }

    /// The file mapped at `address` in this process, from /proc/self/maps
    /// (lines "start-end perms offset dev inode path", addresses in hex).
    static func mappedFile(containing address: UInt) -> String? {
        // /proc files report size 0, so read to end of file rather than by size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return nil }
        defer { try? handle.close() }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if bounds.count == 2, bounds[0] <= address, address < bounds[1] {
                return URL(fileURLWithPath: String(fields[5])).resolvingSymlinksInPath().path
            }
        }
        return nil
    }

    /// OpenBLAS's build configuration string (kernel, threading), for reports.
    package static var openBLASConfiguration: String { String(cString: openblas_get_config()) }
}
