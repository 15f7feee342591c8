import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An input opened for reading with plain POSIX calls: a regular file, a FIFO,
/// `<(cmd)`, `/dev/stdin`, or standard input for "-". Every failure becomes a
/// `NoiseScopeError` that names the path and the reason (no such file, a
/// directory, permission denied), never a crash.
package final class InputFile {
    /// The name used in messages ("-" for standard input).
    package let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The size in bytes of a regular file; nil for pipes and terminals.
    package let regularFileSize: Int?
    /// The device and inode opened (fstat), to compare with what an earlier lstat saw.
    package let identity: (device: UInt64, inode: UInt64)
    /// Bytes read so far (to size buffers for regular files).
    private var consumed = 0

    /// Opens `path`, or standard input for "-".
    package init(path: String) throws {
        self.path = path
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { throw Self.failure(path, errno: errno) }
            descriptor = opened
            ownsDescriptor = true
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            if ownsDescriptor { close(descriptor) }
            throw Self.failure(path, errno: code)
        }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR {
            if ownsDescriptor { close(descriptor) }
            throw NoiseScopeError("\(TerminalText.safeForTerminal(path, limit: 200)) is a directory; give a file of samples")
        }
        regularFileSize = kind == S_IFREG ? Int(status.st_size) : nil
        identity = (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// The regular file at `relativePath` ("name" or "sub/name") inside
    /// `directory`, reached without following any link below `directory`: each
    /// folder is opened with O_NOFOLLOW | O_DIRECTORY relative to the one
    /// above it, and the file with O_NOFOLLOW, then checked with fstat. A link
    /// swapped in at any moment (even after an lstat said "regular file") is
    /// refused rather than read, so nothing outside the directory gets in.
    package init(regularFileIn directory: String, at relativePath: String) throws {
        let shown = URL(fileURLWithPath: directory).appendingPathComponent(relativePath).path
        path = shown
        ownsDescriptor = true
        var current = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw Self.failure(directory, errno: errno) }
        let parts = relativePath.split(separator: "/").map(String.init)
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last ? O_NONBLOCK : O_DIRECTORY)
            let next = openat(current, part, flags)
            let code = errno
            close(current)
            guard next >= 0 else {
                if code == ELOOP || (!last && code == ENOTDIR) {
                    throw NoiseScopeError("\(TerminalText.safeForTerminal(shown, limit: 200)): \(TerminalText.quoted(part, limit: 100)) is a symbolic link or not a folder; only regular files inside the directory are read")
                }
                throw Self.failure(shown, errno: code)
            }
            current = next
        }
        descriptor = current
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw NoiseScopeError("\(TerminalText.safeForTerminal(shown, limit: 200)) is not a regular file")
        }
        // Reads block as usual: O_NONBLOCK only kept a FIFO from hanging the open.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        regularFileSize = Int(status.st_size)
        identity = (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Up to `count` bytes; an empty array at the end of the input.
    package func read(upTo count: Int) throws -> [UInt8] {
        // A regular file's size bounds the buffer (one byte more, to see its end).
        let size = regularFileSize.map { min(count, max(0, $0 - consumed) + 1) } ?? count
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, size) }
            if got >= 0 { buffer.removeLast(size - got); consumed += got; return buffer }
            if errno == EINTR { continue }
            throw Self.failure(path, errno: errno)
        }
    }

    /// Exactly `count` bytes, or fewer only at the end of the input.
    package func read(exactly count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            let more = try read(upTo: count - bytes.count)
            if more.isEmpty { break }
            bytes += more
        }
        return bytes
    }

    /// The rest of the input. `limit` bytes at most: a larger input is refused
    /// with its size rather than read until memory runs out.
    package func readAll(limit: Int = Int.max) throws -> [UInt8] {
        var bytes: [UInt8] = []
        if let size = regularFileSize {
            guard size <= limit else { throw Self.tooLarge(path, size: size, limit: limit) }
            bytes.reserveCapacity(size)
        }
        while true {
            let chunk = try read(upTo: 1 << 20)
            if chunk.isEmpty { return bytes }
            bytes += chunk
            guard bytes.count <= limit else { throw Self.tooLarge(path, size: nil, limit: limit) }
        }
    }

    static func tooLarge(_ path: String, size: Int?, limit: Int) -> NoiseScopeError {
        let shown = size.map { MemoryBudget.format(bytes: Double($0)) + " " } ?? "more than " + MemoryBudget.format(bytes: Double(limit)) + " "
        return NoiseScopeError("\(TerminalText.safeForTerminal(path, limit: 200)) holds \(shown)of input, more than can be read into memory here; split it (check streams plain text and 1-D .npy with --stream)")
    }

    static func failure(_ path: String, errno code: Int32) -> NoiseScopeError {
        let shown = TerminalText.safeForTerminal(path, limit: 200)
        switch code {
        case ENOENT: return NoiseScopeError("\(shown): no such file; check the path")
        case EACCES, EPERM: return NoiseScopeError("\(shown): permission denied; make it readable")
        case EISDIR: return NoiseScopeError("\(shown) is a directory; give a file of samples")
        case ENOTDIR: return NoiseScopeError("\(shown): a part of the path is not a directory; check the path")
        default: return NoiseScopeError("\(shown): cannot be read (\(String(cString: strerror(code))))")
        }
    }
}
