import Foundation
import NoiseScopeCore
#if canImport(Glibc)
import Glibc
#endif

/// The files of a run directory that a report may read: regular files inside
/// it. A symbolic link (which could point at any readable file) is refused, so
/// nothing from outside the directory reaches the page; the reads themselves
/// open without following links (`InputFile(regularFileIn:at:)`), so a link
/// swapped in after the check is refused too.
public struct RunDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// True when `name` exists; throws if it exists but is not a regular file.
    public func has(_ name: String) throws -> Bool {
        let full = URL(fileURLWithPath: path).appendingPathComponent(name).path
        var status = stat()
        guard lstat(full, &status) == 0 else { return false }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return true
        case S_IFLNK: throw NoiseScopeError("\(full) is a symbolic link; a report reads only regular files inside the run directory")
        default: throw NoiseScopeError("\(full) is not a regular file")
        }
    }

    /// The path of `name`, which must be a regular file.
    public func file(_ name: String) throws -> String {
        guard try has(name) else { throw NoiseScopeError("\(path) has no \(name); is the run complete?") }
        return URL(fileURLWithPath: path).appendingPathComponent(name).path
    }

    /// The bytes of `name` (at most 64 MB: run documents are small).
    public func data(_ name: String) throws -> Data {
        Data(try open(name).readAll(limit: 64_000_000))
    }

    /// The samples of `name`, read by `reader` without following links.
    public func samples(_ name: String, _ reader: SampleReader = SampleReader()) throws -> ReadSamples {
        try reader.read(try open(name))
    }

    /// `name` opened for reading without following any link below `path`,
    /// and the same file (device and inode) that the check before the open saw:
    /// a file swapped for another between the two is refused, not read.
    func open(_ name: String) throws -> InputFile {
        let full = try file(name)  // the message for a missing file names the run
        var checked = stat()
        guard lstat(full, &checked) == 0 else { throw NoiseScopeError("\(full) disappeared while being read; run again once the run directory is complete") }
        let input = try InputFile(regularFileIn: path, at: name)
        guard input.identity == (UInt64(checked.st_dev), UInt64(checked.st_ino)) else {
            throw NoiseScopeError("\(full) changed while being opened (another file took its place); run again once the run directory is complete")
        }
        return input
    }
}
