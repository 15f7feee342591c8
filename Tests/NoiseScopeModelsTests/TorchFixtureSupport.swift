import Foundation
import XCTest
@testable import NoiseScopeModels

/// The models compared against PyTorch, and the exporter that hands their initial
/// parameters (Swift is the source of truth for initialisation) and minibatches to
/// `tools/fixtures/make_torch_fixture.py`.
///
/// Regenerate the fixture (see the script's header):
///   NOISESCOPE_EXPORT_TORCH_INPUT=/tmp/torch_input.json swift test --filter TorchFixtureExport
///   python3 tools/fixtures/make_torch_fixture.py /tmp/torch_input.json Tests/NoiseScopeModelsTests/Fixtures
enum TorchCases {
    /// One exported case: a model configuration plus the minibatch.
    struct Case {
        let name: String
        let gpt: TinyGPTConfiguration?
        let resmlp: ResMLPConfiguration?
        let logreg: LogRegConfiguration?
        let indices: [Int]
    }

    static let cases: [Case] = {
        func gpt(_ attention: Bool, _ gaussian: Bool) -> TinyGPTConfiguration {
            TinyGPTConfiguration(contextLength: 16, width: 32, layers: 2, heads: 2, maxBatchSize: 2,
                                 attention: attention, gaussianInput: gaussian, seed: 7)
        }
        return [
            Case(name: "tinygpt", gpt: gpt(true, false), resmlp: nil, logreg: nil, indices: [3, 250]),
            Case(name: "tinygpt-noattn", gpt: gpt(false, false), resmlp: nil, logreg: nil, indices: [3, 250]),
            Case(name: "tinygpt-gaussian", gpt: gpt(true, true), resmlp: nil, logreg: nil, indices: [3, 250]),
            Case(name: "resmlp", gpt: nil,
                 resmlp: ResMLPConfiguration(width: 32, hiddenWidth: 64, blocks: 2, maxBatchSize: 8, seed: 7),
                 logreg: nil, indices: [0, 1, 2, 100, 500, 900, 1300, 1796]),
            Case(name: "logreg", gpt: nil, resmlp: nil, logreg: LogRegConfiguration(maxBatchSize: 8, seed: 7),
                 indices: [0, 1, 2, 100, 500, 900, 1300, 1796]),
        ]
    }()

    /// Builds the case's model in precision `T` (as `any GradientModel`).
    static func model<T: BLASScalar>(_ c: Case, _: T.Type) throws -> any GradientModel<T> {
        if let g = c.gpt { return TinyGPT<T>(configuration: g, corpus: try TestData.corpus(context: g.contextLength)) }
        if let r = c.resmlp { return ResMLP<T>(configuration: r, data: TestData.digits) }
        return LogReg<T>(configuration: c.logreg!, data: TestData.digits)
    }
}

/// Writes the exporter's JSON to NOISESCOPE_EXPORT_TORCH_INPUT when set (to
/// regenerate the fixture), else to a temporary file; either way it reads the
/// export back and checks that every case carries all of its parameters.
final class TorchFixtureExport: XCTestCase {
    func testExportTorchInputs() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("torch_input-\(UUID().uuidString).json").path
        let path = ProcessInfo.processInfo.environment["NOISESCOPE_EXPORT_TORCH_INPUT"] ?? temporary
        defer { if path == temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        var out: [[String: Any]] = []
        var expectedCounts: [Int] = []
        for c in TorchCases.cases {
            let m = try TorchCases.model(c, Double.self)
            var entry: [String: Any] = [
                "name": c.name,
                "indices": c.indices,
                "tensors": m.layout.tensors.map { ["name": $0.name, "shape": $0.shape, "offset": $0.offset] },
                "parameters": Array(m.parameters),
            ]
            if let g = c.gpt, let gpt = m as? TinyGPT<Double> {
                entry["kind"] = "tinygpt"
                entry["config"] = ["vocab": g.vocabularySize, "context": g.contextLength, "width": g.width,
                                   "layers": g.layers, "heads": g.heads, "attention": g.attention,
                                   "gaussian_input": g.gaussianInput, "seed": g.seed]
                entry["inputs"] = c.indices.map { gpt.corpus.window($0).inputs.map(Int.init) }
                entry["targets"] = c.indices.map { gpt.corpus.window($0).targets.map(Int.init) }
                if let gi = gpt.gaussianInputs { entry["gaussian_inputs"] = c.indices.map { gi.vectors(window: $0) } }
            } else {
                let digits = TestData.digits
                entry["kind"] = c.resmlp != nil ? "resmlp" : "logreg"
                if let r = c.resmlp {
                    entry["config"] = ["width": r.width, "hidden": r.hiddenWidth, "blocks": r.blocks, "seed": r.seed]
                } else {
                    entry["config"] = ["seed": c.logreg!.seed]
                }
                entry["pixels"] = c.indices.map { i in (0..<64).map { Int(digits.pixels[i * 64 + $0]) } }
                entry["targets"] = c.indices.map { Int(digits.labels[$0]) }
            }
            out.append(entry)
            expectedCounts.append(m.parameterCount)
        }
        let data = try JSONSerialization.data(withJSONObject: ["cases": out], options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        let readBack = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let cases = try XCTUnwrap(readBack["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.map { ($0["parameters"] as? [Double])?.count ?? -1 }, expectedCounts)
    }
}
