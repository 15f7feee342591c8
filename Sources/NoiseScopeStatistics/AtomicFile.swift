import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic file replacement: write everything to a temporary file in the destination's
/// directory, flush it to disk, then `rename(2)` it over the destination.
///
/// Because the temporary file lives in the same directory (hence the same file system), the
/// rename is atomic: readers see either the previous file or the complete new one. On any
/// failure the temporary file is removed and the destination is left untouched.
public enum AtomicFile {
    /// Errors from `write(_:to:)`.
    public enum WriteError: Error, Equatable, CustomStringConvertible {
        case cannotCreateTemporaryFile(path: String, errno: Int32)
        case cannotWrite(path: String, errno: Int32)
        case cannotRename(from: String, to: String, errno: Int32)
        case missingDirectory(path: String, directory: String)

        public var description: String {
            switch self {
            case let .cannotCreateTemporaryFile(path, code):
                return "cannot create temporary file \(path): \(String(cString: strerror(code)))"
            case let .cannotWrite(path, code):
                return "cannot write \(path): \(String(cString: strerror(code)))"
            case let .missingDirectory(path, directory):
                return "cannot write \(path): directory \(directory) does not exist; create it first"
            case let .cannotRename(from, to, code):
                return "cannot rename \(from) to \(to): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// Writes `data` to `url` atomically (see the type's documentation).
    public static func write(_ data: Data, to url: URL) throws {
        let destination = url.standardizedFileURL.path
        let directory = (destination as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw WriteError.missingDirectory(path: destination, directory: directory)
        }
        let name = (destination as NSString).lastPathComponent
        let templatePath = (directory.isEmpty ? "." : directory) + "/." + name + ".tmp-XXXXXX"
        var template = Array(templatePath.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard descriptor >= 0 else {
            throw WriteError.cannotCreateTemporaryFile(path: temporary, errno: errno)
        }
        var succeeded = false
        defer { if !succeeded { unlink(temporary) } }

        let writeError: Int32? = data.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        // mkstemp creates the file as 0600; give it the usual permissions of a new file.
        fchmod(descriptor, 0o644)
        close(descriptor)
        if let code = writeError { throw WriteError.cannotWrite(path: temporary, errno: code) }
        guard rename(temporary, destination) == 0 else {
            throw WriteError.cannotRename(from: temporary, to: destination, errno: errno)
        }
        succeeded = true
    }
}

/// `write(2)`, named so it does not clash with `AtomicFile.write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, bytes, count)
    #else
    return Darwin.write(descriptor, bytes, count)
    #endif
}
