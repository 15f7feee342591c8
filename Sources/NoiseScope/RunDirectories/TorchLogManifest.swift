import Foundation
import NoiseScopeCore
import NoiseScopeFigures
import NoiseScopeModels
import NoiseScopePlot
import NoiseScopeSampling
import NoiseScopeStatistics
import NoiseScopeTraining

/// The manifest of a noisescope_torch log, as far as check and report use it
/// (every field optional), read once with its schema checked.
package struct TorchLogManifest: Decodable, Sendable {
    package var schema: String?
    package var mode: String?
    package var modelClass: String?
    package var parameterCount: Int?
    package var noiseReference: String?
    package var worldSize: Int?
    package var batchSizeSmall: Int?
    package var batchSizeBig: Int?
    package var seed: Int?
    package var created: String?
    package var closed: String?
    package var complete: Bool?
    package var groups: [String]?

    enum CodingKeys: String, CodingKey {
        case schema, mode, seed, created, closed, complete, groups
        case modelClass = "model_class", parameterCount = "parameter_count", noiseReference = "noise_reference"
        case worldSize = "world_size", batchSizeSmall = "batch_size_small", batchSizeBig = "batch_size_big"
    }

    package static func read(_ run: RunDirectory) throws -> TorchLogManifest {
        let manifest: TorchLogManifest
        do { manifest = try JSONDecoder().decode(TorchLogManifest.self, from: try run.data("manifest.json")) } catch let error as NoiseScopeError {
            throw error
        } catch {
            throw NoiseScopeError("\(run.path)/manifest.json is not a noisescope_torch manifest (\(error)); is this a noisescope_torch log?")
        }
        guard manifest.schema == "noisescope-log/1" else {
            throw NoiseScopeError("\(run.path)/manifest.json has schema \(TerminalText.quoted(manifest.schema ?? "none")), not noisescope-log/1; re-record with a matching noisescope_torch, or use the noisescope that reads it")
        }
        return manifest
    }
}

/// The rank-merge rule of noisescope_torch logs (SCHEMA.md), once on the Swift
/// side: which ranks' own files (noise_norms.rank{r}.npy) hold norms of the
/// merged sample. All of them, except in a two-rank train log, where rank 1's
/// norm equals rank 0's at every step (‖g₀ − ḡ‖ = ‖g₁ − ḡ‖ = ‖g₀ − g₁‖/2), so
/// only rank 0's count; reading both would count every norm twice.
package enum TorchLogRanks {
    /// Whether rank `rank`'s own file belongs to the merged sample of a log with this manifest.
    package static func contributes(rank: Int, manifest: TorchLogManifest) -> Bool {
        !(manifest.mode == "train" && manifest.worldSize == 2 && rank != 0)
    }

    /// `files` without the rank files that the merge rule leaves out, and a note for each one left out.
    package static func applyMergeRule(to files: [String]) throws -> (files: [String], notes: [String]) {
        var kept: [String] = [], notes: [String] = []
        // One read per run directory, however many of its rank files are named.
        var manifests: [String: TorchLogManifest?] = [:]
        for file in files {
            let name = (file as NSString).lastPathComponent
            guard name.hasPrefix("noise_norms.rank"), name.hasSuffix(".npy"),
                  let rank = Int(name.dropFirst("noise_norms.rank".count).dropLast(4)) else { kept.append(file); continue }
            let directory = (file as NSString).deletingLastPathComponent.isEmpty ? "." : (file as NSString).deletingLastPathComponent
            if manifests[directory] == nil {
                let run = RunDirectory(path: directory)
                manifests[directory] = try run.has("manifest.json") ? try TorchLogManifest.read(run) : .some(nil)
            }
            guard let manifest = manifests[directory] ?? nil else { kept.append(file); continue }
            if contributes(rank: rank, manifest: manifest) {
                kept.append(file)
            } else {
                notes.append("left out \(TerminalText.safeForTerminal(file, limit: 200)): in a two-rank training log rank \(rank)'s noise norms equal rank 0's, so only rank 0's count")
            }
        }
        return (kept, notes)
    }
}
