import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Atomic file replacement: write everything to a temporary file in the destination's
/// directory, flush it to disk, then `rename(2)` it over the destination.
///
/// Because the temporary file lives in the same directory (hence the same file system), the
/// rename is atomic: readers see either the previous file or the complete new one. On any
/// failure the temporary file is removed and the destination is left untouched.
package enum AtomicFile {
    /// A file being written under a temporary name beside its destination:
    /// `append` as often as needed, then `commit` renames it into place;
    /// dropping it uncommitted (or `abort`) removes the temporary file.
    package final class Writer {
        package let destination: String
        package let temporaryPath: String
        private var descriptor: Int32
        private var finished = false

        package init(path: String) throws {
            destination = URL(fileURLWithPath: path).standardizedFileURL.path
            let directory = (destination as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
                throw NoiseScopeError.cannotWrite(path: destination, reason: "it is a directory; give a file path")
            }
            guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
                  isDirectory.boolValue else {
                throw NoiseScopeError.cannotWrite(path: destination, reason: "directory \(TerminalText.safeForTerminal(directory, limit: 200)) does not exist; create it first")
            }
            let name = (destination as NSString).lastPathComponent
            let templatePath = (directory.isEmpty ? "." : directory) + "/." + name + ".tmp-XXXXXX"
            var template = Array(templatePath.utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            temporaryPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard descriptor >= 0 else { throw NoiseScopeError.cannotWrite(path: temporaryPath, reason: NoiseScopeError.reason(errno: errno)) }
            // mkstemp creates the file as 0600; give it the usual permissions of a new file.
            fchmod(descriptor, 0o644)
        }

        deinit { abort() }

        package func append(_ data: Data) throws {
            if let failure = AtomicFile.writeAll(descriptor, data) {
                abort()
                throw NoiseScopeError.cannotWrite(path: destination, reason: NoiseScopeError.reason(errno: failure))
            }
        }

        /// Flushes the file to disk and renames it over the destination.
        package func commit() throws {
            guard !finished else { return }
            if fsync(descriptor) != 0 {
                let code = errno
                abort()
                throw NoiseScopeError.cannotWrite(path: destination, reason: NoiseScopeError.reason(errno: code))
            }
            close(descriptor)
            finished = true
            guard rename(temporaryPath, destination) == 0 else {
                let code = errno
                unlink(temporaryPath)
                throw NoiseScopeError.cannotWrite(path: destination, reason: "cannot rename the temporary file into place: \(NoiseScopeError.reason(errno: code))")
            }
        }

        /// Removes the temporary file; the destination is untouched.
        package func abort() {
            guard !finished else { return }
            finished = true
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Writes all of `data` to `descriptor`, retrying short writes and EINTR;
    /// the errno of a failure, nil on success.
    package static func writeAll(_ descriptor: Int32, _ data: Data) -> Int32? {
        data.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// Writes several files so that either all of them appear or none: each goes
    /// to its temporary name first, and the renames come only once every
    /// write has succeeded.
    package static func writeAll(_ files: [(url: URL, data: Data)]) throws {
        let writers = try files.map { file -> Writer in
            let writer = try Writer(path: file.url.path)
            try writer.append(file.data)
            return writer
        }
        for writer in writers { try writer.commit() }
    }

    /// Removes the temporary files (`.NAME.tmp-XXXXXX`) that a killed writer left
    /// in `directory`. Call it only where no other writer works at the same time.
    package static func removeAbandonedTemporaries(in directory: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard entry.hasPrefix("."), let marker = entry.range(of: ".tmp-", options: .backwards),
                  entry[marker.upperBound...].count == 6 else { continue }
            var status = stat()
            let path = directory + "/" + entry
            if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG { unlink(path) }
        }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    package static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// Writes `data` to `url` atomically (see the type's documentation).
    package static func write(_ data: Data, to url: URL) throws {
        let writer = try Writer(path: url.path)
        try writer.append(data)
        try writer.commit()
    }
}
