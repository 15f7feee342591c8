import NoiseScopeCore
import Foundation

/// The diabetes regression data (Efron et al. 2004, as shipped by scikit-learn):
/// 442 patients, 10 raw features (space separated) and one target each.
/// Features and target are standardised (zero mean, unit variance) on load,
/// so that least squares is well conditioned in fp32.
package struct DiabetesDataset: Sendable {
    package static let featureCount = 10
    /// Standardised features, row-major (count × 10).
    package let features: [Double]
    /// Standardised targets.
    package let targets: [Double]
    package var count: Int { targets.count }

    /// Reads `diabetes_data_raw.csv` and `diabetes_target.csv` (decompressed) from `directory`.
    package init(directory: URL) throws {
        func rows(_ name: String) throws -> [[Double]] {
            let url = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw NoiseScopeError.unreadable(path: url.path, reason: "missing or not UTF-8")
            }
            return text.split(separator: "\n").map { $0.split(separator: " ").compactMap { Double($0) } }
        }
        let x = try rows("diabetes_data_raw.csv"), y = try rows("diabetes_target.csv").map { $0.first ?? .nan }
        guard x.count == y.count, !x.isEmpty, x.allSatisfy({ $0.count == Self.featureCount }), y.allSatisfy(\.isFinite) else {
            throw NoiseScopeError.unreadable(path: directory.path, reason: "diabetes files do not hold \(Self.featureCount) features and one target per line")
        }
        func standardised(_ column: [Double]) -> [Double] {
            let mean = column.reduce(0, +) / Double(column.count)
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)).squareRoot()
            return column.map { ($0 - mean) / (sd > 0 ? sd : 1) }
        }
        let columns = (0..<Self.featureCount).map { j in standardised(x.map { $0[j] }) }
        features = (0..<x.count).flatMap { i in columns.map { $0[i] } }
        targets = standardised(y)
    }
}
