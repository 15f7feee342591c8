import NoiseScopeCore
import Foundation
import NoiseScopeModels
import NoiseScopeSampling
import NoiseScopeStatistics

/// A training checkpoint: the model's recipe, its parameters, the optimizer's
/// state and the step, in one file that `train --resume` and
/// `measure --checkpoint` read back.
///
/// Format (little-endian), documented in docs/training.md:
///   8 bytes  magic "NSCKPT01"
///   8 bytes  UInt64 length L of the JSON header
///   L bytes  JSON header: format, recipe, model name, parameter layout
///            (name, shape per tensor), step, optimizer (kind, settings,
///            scalars, names and lengths of its vectors), payload checksum,
///            and when present the pending loss and the training subset
///   payload  parameters as float32, then each optimizer vector as float64,
///            in the header's order
/// The checksum is FNV-1a 64 over the payload, so truncation or corruption is
/// caught before anything is loaded.
package struct Checkpoint: Sendable {
    package struct Header: Codable, Sendable {
        package var format: String
        package var recipe: ModelCatalog.Recipe
        package var model: String
        package var tensors: [TensorShape]
        package var step: Int
        package var optimizer: OptimizerRecord
        package var payloadChecksum: String
        /// The training loss summed since the last loss.csv row, and the number of
        /// steps in it, so that a resumed run writes the same rows as one never
        /// stopped. Absent in checkpoints of earlier versions.
        package var pendingLoss: PendingLoss?
        /// The training subset (the first N examples of the training split) the
        /// run trains on; absent when it trains on the whole split, and in
        /// checkpoints of earlier versions.
        package var trainingExamples: Int?

        package struct PendingLoss: Codable, Equatable, Sendable {
            package var sum: Double
            package var count: Int
        }

        enum CodingKeys: String, CodingKey {
            case format, recipe, model, tensors, step, optimizer
            case payloadChecksum = "payload_checksum"
            case pendingLoss = "pending_loss"
            case trainingExamples = "training_examples"
        }

        /// The parameter count and payload bytes the header promises, every
        /// size and count checked for sign and overflow.
        func validatedSizes(shown: String) throws -> (parameters: Int, payloadBytes: Int) {
            guard step >= 0 else { throw Failure(description: "\(shown): checkpoint step \(step) is negative; the file is damaged") }
            if let pendingLoss, pendingLoss.count < 0 || !pendingLoss.sum.isFinite {
                throw Failure(description: "\(shown): checkpoint's pending loss is invalid; the file is damaged")
            }
            if let trainingExamples, trainingExamples < 1 {
                throw Failure(description: "\(shown): checkpoint's training example count \(trainingExamples) is below 1; the file is damaged")
            }
            var parameters = 0
            for tensor in tensors {
                var size = 1
                for extent in tensor.shape {
                    guard extent >= 0 else { throw Failure(description: "\(shown): tensor \(TerminalText.quoted(tensor.name)) has a negative size; the file is damaged") }
                    let (product, overflow) = size.multipliedReportingOverflow(by: extent)
                    guard !overflow else { throw Failure(description: "\(shown): tensor \(TerminalText.quoted(tensor.name)) is impossibly large; the file is damaged") }
                    size = product
                }
                let (sum, overflow) = parameters.addingReportingOverflow(size)
                guard !overflow else { throw Failure(description: "\(shown): the tensors are impossibly large; the file is damaged") }
                parameters = sum
            }
            var bytes = parameters.multipliedReportingOverflow(by: 4)
            var names = Set<String>()
            for entry in optimizer.vectors {
                guard entry.count >= 0, names.insert(entry.name).inserted else {
                    throw Failure(description: "\(shown): optimizer vector \(TerminalText.quoted(entry.name)) has a negative length or appears twice; the file is damaged")
                }
                let extra = entry.count.multipliedReportingOverflow(by: 8)
                let sum = bytes.partialValue.addingReportingOverflow(extra.partialValue)
                bytes = (sum.partialValue, bytes.overflow || extra.overflow || sum.overflow)
            }
            guard !bytes.overflow else { throw Failure(description: "\(shown): the payload the header promises is impossibly large; the file is damaged") }
            return (parameters, bytes.partialValue)
        }
    }

    package struct TensorShape: Codable, Equatable, Sendable {
        package var name: String
        package var shape: [Int]
    }

    /// The optimizer as stored: kind and settings by name, its scalars, and
    /// the lengths of its vectors (their values are in the payload).
    package struct OptimizerRecord: Codable, Sendable {
        package var kind: String
        package var settings: [String: Double]
        package var scalars: [String: Double]
        package var vectors: [VectorEntry]

        package struct VectorEntry: Codable, Sendable, Equatable {
            package var name: String
            package var count: Int
        }
    }

    package typealias Failure = NoiseScopeError

    package static let magic = Array("NSCKPT01".utf8)
    package static let formatName = "noisescope-checkpoint/1"

    package var header: Header
    package var parameters: [Float]
    package var optimizerVectors: [String: [Double]]

    package init(recipe: ModelCatalog.Recipe, model: any GradientModel<Float>, step: Int, optimizerKind: String,
                optimizerSettings: [String: Double], optimizerScalars: [String: Double], optimizerVectors: [String: [Double]]) {
        let vectorEntries = optimizerVectors.keys.sorted().map { OptimizerRecord.VectorEntry(name: $0, count: optimizerVectors[$0]!.count) }
        header = Header(format: Self.formatName, recipe: recipe, model: model.name,
                        tensors: model.layout.tensors.map { TensorShape(name: $0.name, shape: $0.shape) }, step: step,
                        optimizer: OptimizerRecord(kind: optimizerKind, settings: optimizerSettings, scalars: optimizerScalars, vectors: vectorEntries),
                        payloadChecksum: "")
        parameters = Array(model.parameters)
        self.optimizerVectors = optimizerVectors
    }

    /// The payload bytes in the documented order.
    func payload() -> Data {
        var data = Data(capacity: parameters.count * 4 + optimizerVectors.values.reduce(0) { $0 + $1.count * 8 })
        parameters.withUnsafeBufferPointer { buffer in
            for x in buffer { var bits = x.bitPattern.littleEndian; withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) } }
        }
        for entry in header.optimizer.vectors {
            for x in optimizerVectors[entry.name]! { var bits = x.bitPattern.littleEndian; withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// The file's bytes.
    package func encoded() throws -> Data {
        let body = payload()
        var header = self.header
        header.payloadChecksum = Self.checksum(body)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(Self.magic)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(body)
        return data
    }

    /// The longest header accepted (real ones are a few kilobytes).
    static let maximumHeaderLength = 1 << 24

    /// Reads and verifies a checkpoint file. Every header field is checked
    /// (sizes, counts, the step, the recipe and the memory its model needs)
    /// and the payload's length and checksum verified before anything is
    /// built: a hostile or damaged file is refused with one line.
    package static func read(path: String) throws -> Checkpoint {
        let shown = TerminalText.safeForTerminal(path, limit: 200)
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "\(shown): no such checkpoint; give a .ckpt file written by noisescope train")
        }
        let input = try InputFile(path: path)
        let preamble = try input.read(exactly: 16)
        guard preamble.count == 16, Array(preamble.prefix(8)) == magic else {
            throw Failure(description: "\(shown) is not a noisescope checkpoint (bad magic); give a .ckpt file written by noisescope train")
        }
        let declared = preamble[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared > 0, declared <= UInt64(maximumHeaderLength) else {
            throw Failure(description: "\(shown): checkpoint header length \(declared) is implausible; the file is damaged")
        }
        let length = Int(declared)
        let headerBytes = try input.read(exactly: length)
        guard headerBytes.count == length else { throw Failure(description: "\(shown): truncated checkpoint header") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(headerBytes)) } catch {
            throw Failure(description: "\(shown): corrupted checkpoint header (\(TerminalText.safeForTerminal("\(error)", limit: 200)))")
        }
        guard header.format == formatName else {
            throw Failure(description: "\(shown): checkpoint format \(TerminalText.quoted(header.format)) is not \(formatName); re-create it with this noisescope")
        }
        let (parameterCount, expected) = try header.validatedSizes(shown: shown)
        try ModelCatalog.validate(header.recipe)
        if let size = input.regularFileSize, size - 16 - length != expected {
            throw Failure(description: "\(shown): truncated or padded checkpoint: payload has \(size - 16 - length) bytes, the header promises \(expected)")
        }
        try MemoryBudget.require(bytes: Double(expected), for: "\(shown)'s payload", hint: "the file is damaged or from a bigger machine")
        let body = try input.read(exactly: expected + 1)
        guard body.count == expected else {
            throw Failure(description: "\(shown): truncated or padded checkpoint: payload has \(body.count > expected ? "more than \(expected)" : "\(body.count)") bytes, the header promises \(expected)")
        }
        guard checksum(body) == header.payloadChecksum else {
            throw Failure(description: "\(shown): checkpoint payload is corrupted (checksum mismatch)")
        }
        var checkpoint = Checkpoint(header: header, parameters: [], optimizerVectors: [:])
        body.withUnsafeBytes { raw in
            checkpoint.parameters = (0..<parameterCount).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            var offset = parameterCount * 4
            for entry in header.optimizer.vectors {
                checkpoint.optimizerVectors[entry.name] = (0..<entry.count).map {
                    Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + $0 * 8, as: UInt64.self)))
                }
                offset += entry.count * 8
            }
        }
        return checkpoint
    }

    private init(header: Header, parameters: [Float], optimizerVectors: [String: [Double]]) {
        self.header = header
        self.parameters = parameters
        self.optimizerVectors = optimizerVectors
    }

    /// Builds the model of the recipe and loads the parameters, refusing a
    /// layout that does not match tensor for tensor.
    package func makeModel() throws -> any GradientModel<Float> {
        let model = try ModelCatalog.makeModel(header.recipe)
        let layout = model.layout.tensors.map { TensorShape(name: $0.name, shape: $0.shape) }
        guard layout == header.tensors else {
            throw Failure(description: "checkpoint of \(header.model) does not match the model its recipe builds now (\(model.name), \(model.parameterCount) parameters); was it written by another noisescope version?")
        }
        _ = model.parameters.initialize(from: parameters)
        return model
    }

    static func checksum<Bytes: Sequence<UInt8>>(_ data: Bytes) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }
}
