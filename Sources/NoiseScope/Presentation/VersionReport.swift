import Foundation
import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeFigures
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining

/// What `noisescope --version` prints: this release, the commit it was built
/// from (recorded by `scripts/install`; a plain `swift build` records none),
/// the native libraries linked in and the BLAS kernels in use, and where the
/// bundled data was found. Users paste it into bug reports.
package struct VersionReport: Codable, Equatable, Sendable {
    /// The release, the same number as the Python wheel's.
    package static let release = "0.5.0"
    /// The file, in the bundled data's folder, where `scripts/install` records the commit.
    package static let commitFileName = "build-commit.txt"

    package let version: String
    package let commit: String?
    package let gsl: String
    package let openblas: String
    package let blasKernels: String
    package let cblasLibrary: String?
    package let dataDirectory: String
    /// Whether the bundled data is there.
    package let dataFound: Bool

    enum CodingKeys: String, CodingKey {
        case version, commit, gsl, openblas
        case blasKernels = "blas_kernels"
        case cblasLibrary = "cblas_library"
        case dataDirectory = "data_directory"
        case dataFound = "data_found"
    }

    /// Every key always present: a development build's commit is written as null.
    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(commit, forKey: .commit)
        try container.encode(gsl, forKey: .gsl)
        try container.encode(openblas, forKey: .openblas)
        try container.encode(blasKernels, forKey: .blasKernels)
        try container.encode(cblasLibrary, forKey: .cblasLibrary)
        try container.encode(dataDirectory, forKey: .dataDirectory)
        try container.encode(dataFound, forKey: .dataFound)
    }

    /// Reads everything from the running process and its files.
    package static func current() -> VersionReport {
        let data = BundledData.directory
        let recorded = try? String(contentsOf: data.appendingPathComponent(commitFileName), encoding: .utf8)
        // Recorded by scripts/install as HEAD, with "-dirty" appended when the tree had changes.
        let commit = recorded.map { String($0.prefix(64)).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { text -> String? in
                let hex = text.hasSuffix("-dirty") ? String(text.dropLast(6)) : text
                return hex.isEmpty || !hex.allSatisfy(\.isHexDigit) ? nil : text
            }
        return VersionReport(version: release, commit: commit, gsl: NativeLibraries.gslVersion,
                             openblas: NativeLibraries.openBLASConfiguration, blasKernels: OpenBLASCore.current,
                             cblasLibrary: NativeLibraries.cblasLibraryPath, dataDirectory: data.path,
                             dataFound: (try? BundledData.file("prideprejudice.txt")) != nil)
    }

    /// The lines for a person.
    package var text: String {
        """
        noisescope \(version)
        commit        \(commit ?? "not recorded (a development build; scripts/install records it)")
        GSL           \(gsl)
        OpenBLAS      \(openblas)
        BLAS kernels  \(blasKernels)
        cblas from    \(cblasLibrary ?? "unknown")
        bundled data  \(dataDirectory)\(dataFound ? "" : " (missing: measure, train and figure need it; reinstall, or set NOISESCOPE_DATA_DIR)")

        """
    }
}
