import Foundation
import NoiseScopeCore

/// Where the data files that ship with noisescope (the novel, digits, diabetes)
/// are found at run time, without the source tree.
///
/// The files are SwiftPM resources of this target (`BundledData/`), so a build
/// puts them in `noisescope_NoiseScopeModels.resources/` beside every
/// executable it links (the command, the test bundles). `scripts/install` puts
/// them in `PREFIX/share/noisescope/data/` beside `PREFIX/bin/noisescope`, and
/// the Python wheel carries that same layout. The search, first match wins:
///
/// 1. `$NOISESCOPE_DATA_DIR` (an override; must hold the files);
/// 2. `<executable's folder>/noisescope_NoiseScopeModels.resources/BundledData`;
/// 3. `<executable's folder>/../share/noisescope/data`.
///
/// The executable is `/proc/self/exe` with links resolved, so a symlink to the
/// binary in another folder (`~/bin/noisescope`) still finds its data.
/// `Bundle.module` is not used: it stops the process when its bundle is missing.
package enum BundledData {
    /// The folder name of this target's resources beside a SwiftPM-built executable.
    package static let resourceBundleName = "noisescope_NoiseScopeModels.resources"
    /// The data's folder inside the resource bundle, and under `share/noisescope/` of an install.
    static let folderInBundle = "BundledData"
    static let folderInShare = "share/noisescope/data"
    /// A file every complete data folder holds; a folder without it is skipped.
    static let marker = "prideprejudice.txt"

    /// The folder of the running executable, links resolved; nil where /proc is absent.
    package static var executableDirectory: URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The folders searched, in order, for the bundled data.
    package static var candidates: [URL] {
        if let override = ProcessInfo.processInfo.environment["NOISESCOPE_DATA_DIR"], !override.isEmpty {
            return [URL(fileURLWithPath: override)]
        }
        guard let executable = executableDirectory else { return [] }
        return [executable.appendingPathComponent(resourceBundleName).appendingPathComponent(folderInBundle),
                executable.deletingLastPathComponent().appendingPathComponent(folderInShare)]
    }

    /// The first candidate folder that holds the data, else the first candidate
    /// (so that an error names where the data was expected).
    package static var directory: URL {
        let all = candidates
        return all.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) }
            ?? all.first ?? URL(fileURLWithPath: folderInBundle)
    }

    /// The bundled file `name`, or an error that names every place searched and the override.
    package static func file(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let searched = candidates.map(\.path).joined(separator: ", ")
            throw NoiseScopeError(description: "bundled data file \(name) not found (searched \(searched.isEmpty ? "nothing: /proc/self/exe is unreadable" : searched)); reinstall with scripts/install, or set NOISESCOPE_DATA_DIR to a folder that holds it")
        }
        return url
    }
}
