import NoiseScopeCore
import Foundation

/// The 8×8 handwritten digits (UCI, as shipped by scikit-learn): one example per CSV
/// line, 64 pixel intensities 0...16 then the label 0...9, no header. The models
/// read the pixels scaled to [0, 1] (pixels/16).
package struct DigitsDataset: Sendable {
    /// Pixels per image.
    package static let pixelCount = 64
    /// Number of classes.
    package static let classCount = 10

    /// Raw pixels, row-major (count × 64), values 0...16.
    package let pixels: [UInt8]
    /// Labels 0...9.
    package let labels: [Int32]

    /// Number of examples.
    package var count: Int { labels.count }

    /// Wraps pixels (count × 64) and labels, checking sizes and ranges.
    package init(pixels: [UInt8], labels: [Int32]) {
        precondition(pixels.count == labels.count * Self.pixelCount, "pixels must be count × 64")
        precondition(labels.allSatisfy { (0..<Int32(Self.classCount)).contains($0) }, "labels must be 0...9")
        self.pixels = pixels
        self.labels = labels
    }

    /// Parses the CSV at `url`; throws `NoiseScopeError` with the line number on malformed input.
    package init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw NoiseScopeError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var pixels: [UInt8] = []
        var labels: [Int32] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",")
            guard fields.count == Self.pixelCount + 1 else {
                throw NoiseScopeError.malformedDigits(path: url.path, line: lineNumber,
                                                reason: "\(fields.count) fields")
            }
            for (k, f) in fields.enumerated() {
                guard let v = Int(f.trimmingCharacters(in: .whitespaces)) else {
                    throw NoiseScopeError.malformedDigits(path: url.path, line: lineNumber,
                                                    reason: "field \(k + 1) is not an integer")
                }
                if k < Self.pixelCount {
                    guard (0...16).contains(v) else {
                        throw NoiseScopeError.malformedDigits(path: url.path, line: lineNumber,
                                                        reason: "pixel \(v) out of 0...16")
                    }
                    pixels.append(UInt8(v))
                } else {
                    guard (0..<Self.classCount).contains(v) else {
                        throw NoiseScopeError.malformedDigits(path: url.path, line: lineNumber,
                                                        reason: "label \(v) out of 0...9")
                    }
                    labels.append(Int32(v))
                }
            }
        }
        self.init(pixels: pixels, labels: labels)
    }

    /// Writes example `i`'s 64 features (pixels/16, exact in both precisions) and label.
    @inline(__always)
    func copyExample<T: BLASScalar>(_ i: Int, features: UnsafeMutablePointer<T>, label: UnsafeMutablePointer<Int32>) {
        pixels.withUnsafeBufferPointer { px in
            let row = i * Self.pixelCount
            for j in 0..<Self.pixelCount { features[j] = T(px[row + j]) / 16 }
        }
        label.pointee = labels[i]
    }
}
