import Foundation

/// The loss split by the class of the target: Σ loss and the number of
/// positions, for every class (a token, byte or word, for the text models).
package struct ClassLossSums: Equatable, Sendable {
    /// Σ −log p(target) over the positions whose target is class c.
    package var sums: [Double]
    /// Positions whose target is class c.
    package var counts: [Int]

    package init(classCount: Int) {
        sums = [Double](repeating: 0, count: classCount)
        counts = [Int](repeating: 0, count: classCount)
    }

    /// Σ loss / positions over all classes: the model's mean loss on the same examples.
    package var meanLoss: Double {
        let n = counts.reduce(0, +)
        return n == 0 ? .nan : sums.reduce(0, +) / Double(n)
    }

    /// Adds `other` (same class count) to these sums.
    package mutating func add(_ other: ClassLossSums) {
        precondition(other.sums.count == sums.count, "class counts differ")
        for c in sums.indices { sums[c] += other.sums[c]; counts[c] += other.counts[c] }
    }
}

/// A model whose examples are sequences of class targets (the text models):
/// what the loss-by-frequency analysis needs. Kunstner et al. (NeurIPS 2024)
/// trace the Adam–SGD gap on language models to the heavy-tailed frequency of
/// the target classes; this splits the loss by target class so that can be seen.
package protocol ClassTargetLosses: AnyObject {
    /// Number of target classes (tinygpt's vocabulary: 256 bytes, or the word vocabulary).
    var classCount: Int { get }
    /// The target class at every position of example `index`.
    func targetClasses(ofExample index: Int) -> [Int]
    /// The loss summed per target class over the examples `indices` (forward
    /// only; parameters and gradient are untouched). Σ sums / Σ counts equals
    /// `loss(indices:)` up to rounding in the model's scalar.
    func lossByTargetClass(indices: [Int]) -> ClassLossSums
}

extension ClassTargetLosses {
    /// How often each class is a target over examples 0..<`examples`: the class
    /// frequencies the loss-by-frequency buckets and `measure`'s class-frequency tail read.
    package func targetCounts(examples: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for i in 0..<examples {
            for c in targetClasses(ofExample: i) where counts.indices.contains(c) { counts[c] += 1 }
        }
        return counts
    }
}

extension TinyGPT: ClassTargetLosses {
    package var classCount: Int { configuration.vocabularySize }

    package func targetClasses(ofExample index: Int) -> [Int] {
        corpus.window(index).targets.map(Int.init)
    }

    /// Runs the forward pass on the calling thread in its own small workspace
    /// (at most 32 windows at a time, so a large training minibatch does not
    /// double the memory), and reads −log p(target) from the probabilities the
    /// forward pass leaves. A probability that underflowed to 0 counts as the
    /// smallest positive value of the scalar (a loss of about 103 in Float).
    package func lossByTargetClass(indices: [Int]) -> ClassLossSums {
        let c = configuration
        var result = ClassLossSums(classCount: c.vocabularySize)
        guard !indices.isEmpty else { return result }
        let capacity = min(indices.count, 32)
        let workspace = TinyGPTWorkspace<T>(arch: TinyGPTArchitecture(c), corpus: corpus, gaussian: gaussianInputs,
                                            params: UnsafePointer(parameters.baseAddress!), capacity: capacity)
        let v = c.vocabularySize
        for start in stride(from: 0, to: indices.count, by: capacity) {
            let chunk = Array(indices[start..<min(start + capacity, indices.count)])
            _ = chunk.withUnsafeBufferPointer { workspace.run(indices: $0, gradient: nil, lossScale: 1) }
            let probabilities = workspace.head.logits.pointer
            for row in 0..<(chunk.count * c.contextLength) {
                let target = Int(workspace.targets[row])
                let p = max(probabilities[row * v + target], T.leastNonzeroMagnitude)
                result.sums[target] -= Foundation.log(Double(p))
                result.counts[target] += 1
            }
        }
        return result
    }
}
