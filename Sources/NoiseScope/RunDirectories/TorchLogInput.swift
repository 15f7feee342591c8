import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining

/// A noisescope_torch log directory given to `check`: its per-example noise
/// (noise_per_example.npy, one sample per example of every recording step,
/// with the step of each in noise_per_example_steps.npy) where the log has it,
/// else its noise norms (whole model, or one layer group's column of
/// noise_norms_by_group.npy).
package struct TorchLogInput: Equatable, Sendable {
    /// The log directory and the file in it that holds the samples.
    package var directory: String
    package var file: String
    package var column: String?
    /// The file that gives each sample's recording step, for per-example noise.
    package var stepsFile: String?

    package static let perExampleFile = "noise_per_example.npy"
    package static let perExampleStepsFile = "noise_per_example_steps.npy"

    package var path: String { URL(fileURLWithPath: directory).appendingPathComponent(file).path }

    /// The samples, read without following links inside the log directory.
    package func samples(_ reader: SampleReader) throws -> ReadSamples {
        var reader = reader
        reader.column = column
        reader.columnOrigin = column.map { "layer group \($0) of manifest.json" }
        reader.format = .npy
        return try RunDirectory(path: directory).samples(file, reader)
    }

    /// Where each recording step's samples begin among those `keep` marks
    /// (the samples the cleaner keeps, in order), from the steps file's first
    /// `keep.count` rows (a killed run may leave it one step ahead); nil without
    /// a steps file, or when it is shorter than the samples.
    package func groupStarts(keeping keep: [Bool]) throws -> [Int]? {
        guard let stepsFile else { return nil }
        let steps = try RunDirectory(path: directory).samples(stepsFile, SampleReader(format: .npy)).values
        guard steps.count >= keep.count else { return nil }
        var starts: [Int] = [], kept = 0, previous: Double?
        for (step, use) in zip(steps, keep) where use {
            if step != previous { starts.append(kept) }
            previous = step
            kept += 1
        }
        return starts
    }

    /// nil for an ordinary file; the log's file otherwise (a directory with a
    /// manifest, or a noise_norms_by_group.npy or noise_per_example.npy beside one).
    package static func resolve(group: String?) -> (String) throws -> TorchLogInput? {
        { file in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
            let name = (file as NSString).lastPathComponent
            let byGroupFile = name == "noise_norms_by_group.npy", isPerExampleFile = name == perExampleFile
            let directory = exists && isDirectory.boolValue ? file
                : byGroupFile || isPerExampleFile ? folder(of: file) : nil
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
            if group == nil, try run.has(perExampleFile), try run.has(perExampleStepsFile) {
                return TorchLogInput(directory: directory, file: perExampleFile, column: nil, stepsFile: perExampleStepsFile)
            }
            if isPerExampleFile { return nil }  // per-example noise without its steps: an ordinary file
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

    /// The folder that holds `file`: "." for a bare name (cut from "noise_per_example.npy",
    /// the folder would be "", which no open accepts), "/" for a file at the root.
    static func folder(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    /// `name`, after the run directory has checked that it is a regular file.
    private static func checked(_ run: RunDirectory, _ name: String) throws -> String {
        _ = try run.file(name)
        return name
    }
}
