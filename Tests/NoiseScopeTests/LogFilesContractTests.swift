import Foundation
import NoiseScope
import XCTest

/// schemas/noisescope-log.files.json: the file names of a noisescope_torch log
/// directory and the cases of the rank-merge rule, the contract that the
/// companion's tests (integrations/pytorch/tests/test_log_files.py) hold its
/// writer and reader to as well. Every case of the table goes through
/// `TorchLogRanks.contributes` (a manifest of that mode and world size) and
/// through `TorchLogRanks.applyMergeRule` (the rank files, named by the
/// contract's template, of a log directory whose manifest the contract names);
/// `TorchLogInput` finds the other files of a log directory by the contract's names.
final class LogFilesContractTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Contract: Decodable {
        struct MergeRule: Decodable {
            var cases: [Case]
        }

        struct Case: Decodable, CustomStringConvertible {
            var mode: String
            var worldSize: Int
            var rank: Int
            var included: Bool
            var why: String

            enum CodingKeys: String, CodingKey {
                case mode, rank, included, why
                case worldSize = "world_size"
            }

            var description: String { "\(mode) log, world size \(worldSize), rank \(rank) (\(why))" }
        }

        var schema: String
        var files: [String: String]
        var mergeRule: MergeRule

        enum CodingKeys: String, CodingKey {
            case schema, files
            case mergeRule = "merge_rule"
        }

        func name(_ key: String) throws -> String {
            try XCTUnwrap(files[key], "schemas/noisescope-log.files.json names no file \(key)")
        }

        /// The rank file of rank `rank`: the template with {r} replaced.
        func rankFile(_ rank: Int) throws -> String {
            try name("rank_noise_norms").replacingOccurrences(of: "{r}", with: String(rank))
        }
    }

    func contract() throws -> Contract {
        let url = Self.repository.appendingPathComponent("schemas/noisescope-log.files.json")
        return try JSONDecoder().decode(Contract.self, from: Data(contentsOf: url))
    }

    func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("log-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// A manifest as the companion writes one, with only the fields the rule reads.
    func manifestData(_ contract: Contract, mode: String, worldSize: Int, groups: [String]? = nil) throws -> Data {
        var object: [String: Any] = ["schema": contract.schema, "mode": mode, "world_size": worldSize]
        if let groups { object["groups"] = groups }
        return try JSONSerialization.data(withJSONObject: object)
    }

    func testTheTableCoversEveryBranchOfTheRule() throws {
        let cases = try contract().mergeRule.cases
        XCTAssertEqual(Set(cases.map(\.mode)), ["train", "measure"])
        for mode in ["train", "measure"] {
            let sizes = Set(cases.filter { $0.mode == mode }.map(\.worldSize))
            XCTAssertTrue(sizes.contains(1) && sizes.contains(2) && sizes.contains { $0 > 2 }, "\(mode): world sizes \(sizes.sorted())")
        }
        XCTAssertTrue(cases.contains { !$0.included }, "the two-rank train case that is left out")
        for example in cases {
            XCTAssertTrue((0..<example.worldSize).contains(example.rank), "\(example): a rank outside the world")
            XCTAssertFalse(example.why.isEmpty, "\(example)")
        }
    }

    func testEveryCaseThroughContributes() throws {
        let contract = try contract()
        XCTAssertEqual(contract.schema, "noisescope-log/1")
        for example in contract.mergeRule.cases {
            let data = try manifestData(contract, mode: example.mode, worldSize: example.worldSize)
            let manifest = try JSONDecoder().decode(TorchLogManifest.self, from: data)
            XCTAssertEqual(TorchLogRanks.contributes(rank: example.rank, manifest: manifest), example.included, "\(example)")
        }
    }

    func testEveryCaseThroughTheRankFilesOfALogDirectory() throws {
        let contract = try contract()
        // One log directory per mode and world size of the table: its manifest and every rank's file.
        let logs = Dictionary(grouping: contract.mergeRule.cases) { "\($0.mode) \($0.worldSize)" }
        for key in logs.keys.sorted() {
            let cases = try XCTUnwrap(logs[key])
            let mode = cases[0].mode, worldSize = cases[0].worldSize
            let directory = URL(fileURLWithPath: try temporaryDirectory())
            try manifestData(contract, mode: mode, worldSize: worldSize).write(to: directory.appendingPathComponent(try contract.name("manifest")))
            let files = try (0..<worldSize).map { directory.appendingPathComponent(try contract.rankFile($0)).path }
            for file in files { try Data().write(to: URL(fileURLWithPath: file)) }
            let merged = try TorchLogRanks.applyMergeRule(to: files)
            for example in cases {
                XCTAssertEqual(merged.files.contains(files[example.rank]), example.included, "\(example)")
            }
            XCTAssertEqual(merged.files.count + merged.notes.count, files.count, key)
        }
    }

    func testTorchLogInputFindsTheFilesTheContractNames() throws {
        let contract = try contract()
        XCTAssertEqual(TorchLogInput.perExampleFile, try contract.name("noise_per_example"))
        XCTAssertEqual(TorchLogInput.perExampleStepsFile, try contract.name("noise_per_example_steps"))
        let path = try temporaryDirectory()
        let directory = URL(fileURLWithPath: path)
        try manifestData(contract, mode: "train", worldSize: 1, groups: ["mlp"]).write(to: directory.appendingPathComponent(try contract.name("manifest")))
        for key in ["steps", "noise_norms", "noise_norms_by_group"] {
            try Data().write(to: directory.appendingPathComponent(try contract.name(key)))
        }
        // The whole model's noise norms, and a layer group's column.
        var input = try XCTUnwrap(try TorchLogInput.resolve(group: nil)(path))
        XCTAssertEqual(input.file, try contract.name("noise_norms"))
        input = try XCTUnwrap(try TorchLogInput.resolve(group: "mlp")(path))
        XCTAssertEqual(input.file, try contract.name("noise_norms_by_group"))
        XCTAssertEqual(input.column, "1")
        // With per-example noise, its samples and their steps.
        for key in ["noise_per_example", "noise_per_example_steps"] {
            try Data().write(to: directory.appendingPathComponent(try contract.name(key)))
        }
        input = try XCTUnwrap(try TorchLogInput.resolve(group: nil)(path))
        XCTAssertEqual(input.file, try contract.name("noise_per_example"))
        XCTAssertEqual(input.stepsFile, try contract.name("noise_per_example_steps"))
    }
}
