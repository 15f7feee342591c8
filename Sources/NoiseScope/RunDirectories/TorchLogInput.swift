import Foundation
import NoiseScopeCore

/// A noisescope_torch log directory given to `check`: its noise norms (whole
/// model, or one layer group's column of noise_norms_by_group.npy).
public struct TorchLogInput: Equatable, Sendable {
    /// The log directory and the file in it that holds the samples.
    public var directory: String
    public var file: String
    public var column: String?

    public var path: String { URL(fileURLWithPath: directory).appendingPathComponent(file).path }

    /// The samples, read without following links inside the log directory.
    public func samples(_ reader: SampleReader) throws -> ReadSamples {
        var reader = reader
        reader.column = column
        reader.columnOrigin = column.map { "layer group \($0) of manifest.json" }
        reader.format = .npy
        return try RunDirectory(path: directory).samples(file, reader)
    }

    /// nil for an ordinary file; the log's file otherwise (a directory with a
    /// manifest, or a noise_norms_by_group.npy beside one).
    public static func resolve(group: String?) -> (String) throws -> TorchLogInput? {
        { file in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
            let byGroupFile = (file as NSString).lastPathComponent == "noise_norms_by_group.npy"
            let directory = exists && isDirectory.boolValue ? file : byGroupFile ? (file as NSString).deletingLastPathComponent : nil
            guard let directory else {
                if group != nil { throw NoiseScopeError.invalidSetting(.group, message: "a layer group needs a noisescope_torch log directory (or its noise_norms_by_group.npy); \(TerminalText.quoted(file, limit: 200)) is neither") }
                return nil
            }
            let run = RunDirectory(path: directory)
            guard try run.has("manifest.json") else {
                if byGroupFile || group != nil { throw NoiseScopeError("\(directory) has no manifest.json: not a noisescope_torch log") }
                return nil
            }
            let manifest = try TorchLogManifest.read(run)
            guard let group else { return TorchLogInput(directory: directory, file: try checked(run, "noise_norms.npy"), column: nil) }
            guard let groups = manifest.groups, try run.has("noise_norms_by_group.npy") else {
                throw NoiseScopeError("\(directory) was recorded without per-layer groups; record with per-layer recording on (noisescope_torch) to read a layer group")
            }
            guard let index = groups.firstIndex(of: group) else {
                throw NoiseScopeError("\(directory) has no group \(TerminalText.quoted(group)); its groups are \(TerminalText.safeForTerminal(groups.joined(separator: ", "), limit: 200))")
            }
            return TorchLogInput(directory: directory, file: try checked(run, "noise_norms_by_group.npy"), column: String(index + 1))
        }
    }

    /// `name`, after the run directory has checked that it is a regular file.
    private static func checked(_ run: RunDirectory, _ name: String) throws -> String {
        _ = try run.file(name)
        return name
    }
}
