import CGSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A run's output directory written as one step: every file goes into a
/// fresh temporary directory beside the destination, is flushed to disk, and
/// the directory then takes the destination's place by one rename (an
/// atomic exchange where one exists already). A reader, or a run killed at
/// any moment (SIGKILL, a full disk), sees the old directory or the complete
/// new one, never a mixture; a killed run's temporary directory is removed
/// by the next run.
///
/// An existing destination is replaced only if everything in it is
/// noisescope's own: regular files that this run writes, that the marker
/// (`markerName`, a regular file listing them) says an earlier run wrote, or
/// `report.html` of `noisescope report`. Anything else (a user's notes, a
/// subfolder, a link, a home directory given by mistake) is refused in one
/// line that names it: a re-run never deletes what it did not write. A marker
/// that lists a folder cannot make it ours; a marker of a release before 0.5.0
/// lists nothing, and then only this run's own names count.
package enum AtomicDirectory {
    /// The file that marks a directory as a noisescope run.
    package static let markerName = ".noisescope-run"

    /// What `noisescope report` adds to a run directory: ours too.
    package static let reportName = "report.html"

    /// Writes `files` (names without slashes) as the whole contents of `path`.
    /// `kind` (e.g. "measure") and the names written go into the marker file.
    package static func write(_ files: [(name: String, data: Data)], to path: String, kind: String) throws {
        let destination = URL(fileURLWithPath: path).standardizedFileURL.path
        let shown = TerminalText.safeForTerminal(path, limit: 200)
        let parent = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        guard !name.isEmpty, name != "/", name != ".", name != ".." else {
            throw NoiseScopeError("\(shown) cannot be a run directory; give a new directory such as runs/first")
        }
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let ourNames = Set(files.map(\.name) + [markerName])
        try checkReplaceable(destination, shown: shown, ourNames: ourNames)
        removeAbandonedTemporaries(in: parent, name: name)

        var template = Array("\(parent)/.\(name).tmp-\(getpid())-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw NoiseScopeError("cannot create a temporary directory beside \(shown): \(String(cString: strerror(errno)))")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer { if !committed { try? FileManager.default.removeItem(atPath: temporary) } }
        chmod(temporary, 0o755)
        let marker = ([kind] + files.map(\.name).sorted()).joined(separator: "\n") + "\n"
        for (fileName, data) in files + [(markerName, Data(marker.utf8))] {
            try AtomicFile.write(data, to: URL(fileURLWithPath: temporary).appendingPathComponent(fileName))
        }
        let directoryDescriptor = open(temporary, O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 { fsync(directoryDescriptor); close(directoryDescriptor) }

        if rename(temporary, destination) == 0 {
            committed = true
            return
        }
        guard errno == EEXIST || errno == ENOTEMPTY || errno == EISDIR else {
            throw NoiseScopeError("cannot move the new run into \(shown): \(String(cString: strerror(errno)))")
        }
        // The destination exists (and was found replaceable): exchange, then remove the old one.
        if noisescope_exchange_paths(temporary, destination) == 0 {
            committed = true
            try? FileManager.default.removeItem(atPath: temporary)
            return
        }
        // No atomic exchange here: move the old one aside first (a reader may briefly see neither).
        let aside = temporary + "-old"
        guard rename(destination, aside) == 0 else {
            throw NoiseScopeError("cannot replace \(shown): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, destination) == 0 else {
            let code = errno
            rename(aside, destination)
            throw NoiseScopeError("cannot replace \(shown): \(String(cString: strerror(code)))")
        }
        committed = true
        try? FileManager.default.removeItem(atPath: aside)
    }

    static func checkReplaceable(_ destination: String, shown: String, ourNames: Set<String>) throws {
        var status = stat()
        guard lstat(destination, &status) == 0 else { return }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFDIR else {
            throw NoiseScopeError("\(shown) exists and is not a directory\(kind == S_IFLNK ? " (a symbolic link)" : ""); give a new directory name")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []
        // Only regular files are ever ours: a folder or a link named like an output is the user's.
        func regular(_ entry: String) -> Bool { isRegularFile(destination + "/" + entry) }
        guard entries.contains(markerName) else {
            if entries.allSatisfy({ ourNames.contains($0) && regular($0) }) { return }
            throw NoiseScopeError("\(shown) exists and is not a noisescope run directory (it holds \(entries.count) other entries); give a new directory, or remove it first")
        }
        // Ours: a regular file this run writes, one an earlier run listed in its
        // marker (itself a regular file), or report.html.
        let earlier = earlierRunFiles(in: destination).union(ourNames).union([reportName])
        let unknown = entries.filter { !(regular($0) && earlier.contains($0)) }.sorted()
        guard unknown.isEmpty else {
            let named = unknown.prefix(5).map { TerminalText.quoted($0, limit: 60) }.joined(separator: ", ") + (unknown.count > 5 ? ", …" : "")
            throw NoiseScopeError("\(shown) holds \(unknown.count) \(unknown.count == 1 ? "entry" : "entries") noisescope did not write (\(named)); a re-run replaces the whole directory, so move them out or give another --out")
        }
    }

    /// The regular files an earlier run listed in its marker; none when the
    /// marker is not a regular file (a folder, a link) or lists nothing (a
    /// marker of a release before 0.5.0: then only this run's own names count).
    static func earlierRunFiles(in directory: String) -> Set<String> {
        guard let bytes = try? InputFile(regularFileIn: directory, at: markerName).readAll(limit: 1 << 20) else { return [] }
        return Set(bytes.split(separator: UInt8(ascii: "\n")).dropFirst().map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.isEmpty && !$0.contains("/") && $0 != "." && $0 != ".." })
    }

    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    /// Temporary directories of runs that were killed: `.NAME.tmp-PID-*` whose PID is gone.
    static func removeAbandonedTemporaries(in parent: String, name: String) {
        let prefix = ".\(name).tmp-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let pid = Int32(rest.prefix { $0.isNumber }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + entry)
            }
        }
    }
}
