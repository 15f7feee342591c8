import Foundation
import NoiseScopeCore

/// The manifest of a noisescope_torch log, as far as check and report use it
/// (every field optional), read once with its schema checked.
public struct TorchLogManifest: Decodable, Sendable {
    public var schema: String?
    public var mode: String?
    public var modelClass: String?
    public var parameterCount: Int?
    public var noiseReference: String?
    public var worldSize: Int?
    public var batchSizeSmall: Int?
    public var batchSizeBig: Int?
    public var seed: Int?
    public var created: String?
    public var closed: String?
    public var complete: Bool?
    public var groups: [String]?

    enum CodingKeys: String, CodingKey {
        case schema, mode, seed, created, closed, complete, groups
        case modelClass = "model_class", parameterCount = "parameter_count", noiseReference = "noise_reference"
        case worldSize = "world_size", batchSizeSmall = "batch_size_small", batchSizeBig = "batch_size_big"
    }

    public static func read(_ run: RunDirectory) throws -> TorchLogManifest {
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
