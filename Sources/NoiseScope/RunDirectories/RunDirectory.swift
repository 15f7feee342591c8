import Foundation
import NoiseScopeCore
#if canImport(Glibc)
import Glibc
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining
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
    public func has(_ name: String) throws -> Bool { try regularFileStatus(name) != nil }

    /// lstat of `name`: nil when absent; throws when it is not a regular file.
    private func regularFileStatus(_ name: String) throws -> stat? {
        let full = URL(fileURLWithPath: path).appendingPathComponent(name).path
        var status = stat()
        guard lstat(full, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return status
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
        // One lstat: it checks the kind, names the run when the file is missing, and gives the inode.
        guard let checked = try regularFileStatus(name) else { throw NoiseScopeError("\(path) has no \(name); is the run complete?") }
        let full = URL(fileURLWithPath: path).appendingPathComponent(name).path
        let input = try InputFile(regularFileIn: path, at: name)
        guard input.identity == (UInt64(checked.st_dev), UInt64(checked.st_ino)) else {
            throw NoiseScopeError("\(full) changed while being opened (another file took its place); run again once the run directory is complete")
        }
        return input
    }
}
