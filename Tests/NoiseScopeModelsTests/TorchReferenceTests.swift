import Foundation
import XCTest
@testable import NoiseScopeModels

/// Loss and every per-tensor gradient against PyTorch autograd (float64) on models
/// written independently in PyTorch (tools/fixtures/make_torch_fixture.py), for small
/// tinygpt (d=32, L=2, H=2, T=16, B=2) with attention, without, and with Gaussian
/// input, plus small resmlp and logreg. The fixture holds PyTorch's gradients; the
/// parameters are the Swift initialisation itself, which the test first checks is
/// unchanged since the fixture was made (checksums).
///
/// Tolerances, per tensor, as max|Δ| relative to that tensor's max|g_torch| (floored
/// at 1e-3 of the whole gradient's max, so near-zero tensors are not judged on noise):
///  - Double path: 1e-10. Both sides are float64 and differ only in summation order
///    and libm vs ATen transcendental functions (≤ 1 ulp each): measured ≤ 1.2e-15
///    (torch 2.15, OpenBLAS 0.3.21), so the bound leaves five orders for other BLAS
///    kernels and summation orders while still catching any real error.
///  - Float path: 3e-6. fp32 unit roundoff 6e-8 through a dozen layers plus the fast
///    exp/tanh (≤ 3e-7): measured ≤ 4.8e-7 (blocks.1.ln2.weight of tinygpt-noattn).
/// Loss: relative 1e-12 (Double; measured ≤ 3.3e-16) and 1e-6 (Float; measured
/// ≤ 1.6e-8, the loss sum being accumulated in Double).
final class TorchReferenceTests: XCTestCase {
    struct Header: Decodable {
        struct Checksum: Decodable {
            let sum: Double
            let sum_squares: Double
            let probe_indices: [Int]
            let probe_values: [Double]
        }
        struct Tensor: Decodable {
            let name: String
            let shape: [Int]
            let offset: Int
        }
        struct Case: Decodable {
            let name: String
            let indices: [Int]
            let loss: Double
            let offset: Int
            let count: Int
            let parameter_checksum: Checksum
            let tensors: [Tensor]
        }
        let torch: String
        let cases: [Case]
    }

    static func load() throws -> (Header, [Double]) {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let header = try JSONDecoder().decode(Header.self,
                                              from: Data(contentsOf: dir.appendingPathComponent("torch_reference.json")))
        let raw = try Data(contentsOf: dir.appendingPathComponent("torch_reference.f64"))
        let values = raw.withUnsafeBytes { bytes in
            (0..<(raw.count / 8)).map { Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
        return (header, values)
    }

    func compare<T: BLASScalar>(_: T.Type, gradientTolerance: Double, lossTolerance: Double) throws {
        let (header, values) = try Self.load()
        XCTAssertEqual(header.cases.map(\.name), TorchCases.cases.map(\.name))
        for (fixture, c) in zip(header.cases, TorchCases.cases) {
            XCTAssertEqual(fixture.indices, c.indices)
            let model = try TorchCases.model(c, T.self)
            XCTAssertEqual(model.parameterCount, fixture.count, "\(c.name): parameter count differs from PyTorch's")
            // The fixture was made from this very initialisation (checked in Double).
            let reference = try TorchCases.model(c, Double.self)
            let theta = Array(reference.parameters)
            let sum = theta.reduce(0, +), sum2 = theta.reduce(0) { $0 + $1 * $1 }
            XCTAssertEqual(sum, fixture.parameter_checksum.sum, accuracy: 1e-12 * max(1, abs(sum)),
                           "\(c.name): initialisation changed since the fixture was made; regenerate it")
            XCTAssertEqual(sum2, fixture.parameter_checksum.sum_squares, accuracy: 1e-12 * sum2)
            XCTAssertEqual(fixture.parameter_checksum.probe_indices.map { theta[$0] },
                           fixture.parameter_checksum.probe_values)
            XCTAssertEqual(model.layout.tensors.map(\.name), fixture.tensors.map(\.name))
            XCTAssertEqual(model.layout.tensors.map(\.shape), fixture.tensors.map(\.shape))

            let loss = model.lossAndGradient(indices: c.indices)
            XCTAssertEqual(loss, fixture.loss, accuracy: lossTolerance * fixture.loss, "\(c.name) loss")
            let torchGrad = Array(values[fixture.offset..<(fixture.offset + fixture.count)])
            let globalMax = torchGrad.map(abs).max()!
            var worst = (0.0, "")
            for slot in model.layout.tensors {
                let ours = slot.range.map { Double(model.gradient[$0]) }
                let theirs = Array(torchGrad[slot.range])
                let maxAbsErr = zip(ours, theirs).map { abs($0 - $1) }.max()!
                let scale = max(theirs.map(abs).max()!, 1e-3 * globalMax)
                let rel = maxAbsErr / scale
                if rel > worst.0 { worst = (rel, slot.name) }
                XCTAssertLessThanOrEqual(rel, gradientTolerance,
                                         "\(c.name) \(slot.name): max|Δ| \(maxAbsErr) vs max|g| \(scale)")
            }
            print("\(c.name) [\(T.precisionName)] vs torch \(header.torch): loss \(loss) vs \(fixture.loss)"
                  + " (rel \(abs(loss - fixture.loss) / fixture.loss)); worst tensor \(worst.1) at \(worst.0)")
        }
    }

    func testDoublePathMatchesPyTorch() throws {
        try compare(Double.self, gradientTolerance: 1e-10, lossTolerance: 1e-12)
    }

    func testFloatPathMatchesPyTorch() throws {
        try compare(Float.self, gradientTolerance: 3e-6, lossTolerance: 1e-6)
    }
}
