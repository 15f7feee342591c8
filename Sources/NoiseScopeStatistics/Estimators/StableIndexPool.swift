import NoiseScopeCore
import Foundation

/// The per-coordinate α-stable index of gradient noise, done as Simsekli et
/// al. (2019) intend and with the care their setting needs:
///
/// - pooled over many noise vectors g_B − ∇f (one per measured minibatch),
///   streamed: only the estimator's running sums are kept, O(parameters) memory;
/// - coordinates visited in a fixed seeded random order, so that a block sum
///   never adds up a row of a weight matrix (LayerNorm makes such rows sum to
///   zero in memory order, which fakes a light tail);
/// - each coordinate standardised by its own scale, the root mean square of
///   its previous values after a burn-in of `burnIn` vectors (coordinates of
///   one tensor differ in scale by orders of magnitude, e.g. the embedding rows
///   of rare and common bytes, and a mixture of Gaussians of different scales
///   reads as α < 2: a tensor-wide scale is not enough). With `burnIn` = 0
///   (one vector only, as `check --signed` has) each group is divided by its
///   mean |x| instead;
/// - the index per tensor and overall, and never a number outside (0, 2]:
///   outside, the coordinates are not α-stable and the value is reported as such.
///
/// The estimator (Mohammadi, Mohammadpour & Ogata 2015): blocks of K2
/// permuted coordinates, 1/α̂ = (mean log|block sum| − mean log|x|)/log K2.
package struct StableIndexPool: Sendable {
    /// One named group of coordinates (a parameter tensor), as a range of the flat vector.
    package struct Group: Sendable {
        package var name: String
        package var range: Range<Int>
        package init(name: String, range: Range<Int>) { self.name = name; self.range = range }
    }

    /// The index of one group (or of all coordinates).
    package struct Estimate: Codable, Equatable, Sendable {
        package var name: String
        package var coordinates: Int
        package var vectors: Int
        package var blockSize: Int
        /// α̂ where it lies in (0, 2]; nil otherwise (see `rawAlpha`).
        package var alpha: Double?
        /// The estimator's raw value, also when it says "not α-stable".
        package var rawAlpha: Double
        /// The sampling standard deviation of α̂ (delta method over the blocks:
        /// α̂²·sd(Y)/(√blocks·log K2), Y a block's log|sum| less its mean log|x|);
        /// nil when not α-stable. It measures sampling noise only, not the shape
        /// bias of coordinates that are not stable (see `shapeCaveat`).
        package var standardError: Double?
        package var note: String?

        /// What α̂ cannot say: the estimator assumes α-stable coordinates, and
        /// finite-variance coordinates that are not Gaussian read below 2.
        package static let shapeCaveat = "the estimator assumes α-stable coordinates: finite-variance ones that are not Gaussian read below 2 (Laplace about 1.6, Student t₃ about 1.65 at 64 coordinates and 80 vectors), so α̂ < 2 is not by itself evidence of infinite variance; the running variance against n (variance.csv) is"

        enum CodingKeys: String, CodingKey {
            case name, coordinates, vectors, alpha, note
            case blockSize = "block_size", rawAlpha = "raw_alpha", standardError = "standard_error"
        }

        package init(name: String, coordinates: Int, vectors: Int, blockSize: Int, alpha: Double?, rawAlpha: Double,
                     standardError: Double? = nil, note: String?) {
            self.name = name; self.coordinates = coordinates; self.vectors = vectors; self.blockSize = blockSize
            self.alpha = alpha; self.rawAlpha = rawAlpha; self.standardError = standardError; self.note = note
        }

        /// Also reads the one-minibatch estimate of earlier versions (alpha and block_size only).
        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? "all"
            coordinates = try c.decodeIfPresent(Int.self, forKey: .coordinates) ?? 0
            vectors = try c.decodeIfPresent(Int.self, forKey: .vectors) ?? 1
            blockSize = try c.decode(Int.self, forKey: .blockSize)
            let alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
            rawAlpha = try c.decodeIfPresent(Double.self, forKey: .rawAlpha) ?? alpha ?? .nan
            self.alpha = rawAlpha > 0 && rawAlpha <= 2 ? rawAlpha : nil
            standardError = try c.decodeIfPresent(Double.self, forKey: .standardError)
            note = try c.decodeIfPresent(String.self, forKey: .note)
                ?? (c.contains(.rawAlpha) ? nil : "written by an earlier version: one minibatch in memory order, not pooled")
        }
    }

    struct Sums: Sendable {
        var logSample = 0.0, samples = 0
        var logBlock = 0.0, blocks = 0
        /// Σ Y and Σ Y² over the blocks, Y = log|block sum| − mean log|x| of the block.
        var blockY = 0.0, blockYSquares = 0.0
    }

    package let groups: [Group]
    let permutations: [[Int]]
    let overallPermutation: [Int]
    let blockSizes: [Int]
    let overallBlockSize: Int
    var scales: [Double]? = nil
    /// Vectors that only set the per-coordinate scales.
    package let burnIn: Int
    var sumOfSquares: [Double]
    var seen = 0
    var groupSums: [Sums]
    var overallSums = Sums()
    package private(set) var vectors = 0

    /// `groups` partition 0..<dimension; `seed` fixes the coordinate order.
    package init(groups: [Group], seed: UInt64, burnIn: Int = 20) {
        self.groups = groups
        self.burnIn = burnIn
        let random = RandomSource(seed: seed ^ 0x57AB_1E00)
        func shuffled(_ range: Range<Int>) -> [Int] {
            var order = Array(range)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.index(below: i + 1)) }
            return order
        }
        permutations = groups.map { shuffled($0.range) }
        let dimension = groups.map(\.range.upperBound).max() ?? 0
        overallPermutation = shuffled(0..<dimension)
        blockSizes = groups.map { max(1, Int(Double($0.range.count).squareRoot())) }
        overallBlockSize = max(1, Int(Double(dimension).squareRoot()))
        groupSums = Array(repeating: Sums(), count: groups.count)
        sumOfSquares = burnIn > 0 ? [Double](repeating: 0, count: dimension) : []
    }

    /// Adds one noise vector (coordinate i is `noise(i)`).
    package mutating func add(_ noise: (Int) -> Double) {
        if burnIn > 0 {
            addStandardisedByCoordinate(noise)
            return
        }
        if scales == nil {
            scales = groups.map { group in
                let mean = group.range.reduce(0.0) { $0 + abs(noise($1)) } / Double(max(1, group.range.count))
                return mean > 0 && mean.isFinite ? mean : 1
            }
        }
        // Each coordinate standardised by its tensor's scale, and its log-magnitude, once.
        var z = [Double](repeating: 0, count: overallPermutation.count)
        var logs = z
        for (g, group) in groups.enumerated() {
            let scale = scales![g]
            for i in group.range {
                z[i] = noise(i) / scale
                logs[i] = log(abs(z[i]))
            }
        }
        for g in groups.indices { Self.accumulate(permutations[g], blockSize: blockSizes[g], z, logs, into: &groupSums[g]) }
        Self.accumulate(overallPermutation, blockSize: overallBlockSize, z, logs, into: &overallSums)
        vectors += 1
    }

    /// Per-coordinate scales: the first `burnIn` vectors only set them; every
    /// later one is divided, coordinate by coordinate, by the root mean square
    /// of that coordinate's earlier values, then pooled.
    mutating func addStandardisedByCoordinate(_ noise: (Int) -> Double) {
        let dimension = sumOfSquares.count
        if seen >= burnIn {
            var z = [Double](repeating: 0, count: dimension)
            var logs = z
            let count = Double(seen)
            for i in 0..<dimension where sumOfSquares[i] > 0 {
                z[i] = noise(i) / (sumOfSquares[i] / count).squareRoot()
                logs[i] = log(abs(z[i]))
            }
            for g in groups.indices { Self.accumulate(permutations[g], blockSize: blockSizes[g], z, logs, into: &groupSums[g]) }
            Self.accumulate(overallPermutation, blockSize: overallBlockSize, z, logs, into: &overallSums)
            vectors += 1
        }
        for i in 0..<dimension {
            let x = noise(i)
            if x.isFinite { sumOfSquares[i] += x * x }
        }
        seen += 1
    }

    static func accumulate(_ order: [Int], blockSize: Int, _ z: [Double], _ logs: [Double], into sums: inout Sums) {
        var position = 0
        while position + blockSize <= order.count {
            var blockSum = 0.0, logSum = 0.0, complete = true
            for i in order[position..<(position + blockSize)] {
                let x = z[i]
                guard x != 0, x.isFinite else { complete = false; break }
                blockSum += x
                logSum += logs[i]
            }
            position += blockSize
            guard complete, blockSum != 0 else { continue }
            sums.logSample += logSum
            sums.samples += blockSize
            let y = log(abs(blockSum)) - logSum / Double(blockSize)
            sums.logBlock += log(abs(blockSum))
            sums.blocks += 1
            sums.blockY += y
            sums.blockYSquares += y * y
        }
    }

    func estimate(_ sums: Sums, name: String, coordinates: Int, blockSize: Int) -> Estimate? {
        guard sums.blocks >= 4, blockSize >= 2 else { return nil }
        let inverse = (sums.logBlock / Double(sums.blocks) - sums.logSample / Double(sums.samples)) / log(Double(blockSize))
        let raw = 1 / inverse
        let stable = raw > 0 && raw <= 2 && raw.isFinite
        let blocks = Double(sums.blocks)
        let meanY = sums.blockY / blocks
        let varianceY = max(0, (sums.blockYSquares - blocks * meanY * meanY) / (blocks - 1))
        let standardError = raw * raw * (varianceY / blocks).squareRoot() / log(Double(blockSize))
        return Estimate(name: name, coordinates: coordinates, vectors: vectors, blockSize: blockSize, alpha: stable ? raw : nil,
                        rawAlpha: raw, standardError: stable && standardError.isFinite ? standardError : nil,
                        note: stable ? nil : "not α-stable: the estimator reads \(String(format: "%.3g", raw)), outside (0, 2] (a finite-variance sum scales as √K2, giving 2; more than 2 means the coordinates cancel within blocks)")
    }

    /// The index over all coordinates.
    package var overall: Estimate? {
        estimate(overallSums, name: "all", coordinates: overallPermutation.count, blockSize: overallBlockSize)
    }

    /// The index of each tensor.
    package var perGroup: [Estimate] {
        groups.indices.compactMap { estimate(groupSums[$0], name: groups[$0].name, coordinates: groups[$0].range.count, blockSize: blockSizes[$0]) }
    }
}
