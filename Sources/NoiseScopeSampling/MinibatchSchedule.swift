import NoiseScopeCore
import NoiseScopeStatistics

/// The order in which minibatches visit the data: a fresh seeded permutation
/// of the examples each epoch, cut into consecutive minibatches, so that no
/// example repeats within an epoch. The last incomplete minibatch of an epoch
/// is dropped, so every minibatch has exactly `batchSize` examples (noise
/// norms of different batch sizes are not comparable).
package struct MinibatchSchedule {
    package let exampleCount: Int
    package let batchSize: Int
    private let random: RandomSource
    private var permutation: [Int]
    private var position: Int

    package init(exampleCount: Int, batchSize: Int, seed: UInt64) {
        precondition(batchSize >= 1 && batchSize <= exampleCount, "batch size must be in 1...exampleCount")
        self.exampleCount = exampleCount
        self.batchSize = batchSize
        random = RandomSource(seed: seed)
        permutation = Array(0..<exampleCount)
        position = exampleCount  // forces a shuffle on the first call
    }

    /// Minibatches per epoch.
    package var batchesPerEpoch: Int { exampleCount / batchSize }

    /// The next minibatch's example indices.
    package mutating func next() -> [Int] {
        if position + batchSize > exampleCount {
            // Fisher–Yates with GSL's uniform integers.
            for i in stride(from: exampleCount - 1, to: 0, by: -1) {
                permutation.swapAt(i, random.index(below: i + 1))
            }
            position = 0
        }
        defer { position += batchSize }
        return Array(permutation[position..<(position + batchSize)])
    }
}
