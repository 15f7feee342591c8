import NoiseScopeCore
import NoiseScopeModels

/// Target classes grouped by how often they occur as targets in the training
/// split: class ranks 1…k₁, k₁+1…k₂, …, k_last+1…(class count), rank 1 the most
/// frequent (ties broken by the smaller class index). For tinygpt on the novel
/// the default edges 8 and 40 give the eight most frequent bytes (space, e, t,
/// a, o, …), the next 32, and the rest (rare letters, capitals, digits and
/// punctuation, and bytes that never occur). With more than 256 classes (word
/// tokens) a third edge at 256 keeps those three buckets and adds one for the
/// ranks beyond the size of the byte alphabet: the rare words.
package struct FrequencyBuckets: Equatable, Sendable {
    /// The last rank of every bucket but the final one (which ends at the class count).
    package let rankEdges: [Int]
    /// The bucket of every class.
    package let bucketOfClass: [Int]
    /// Target positions of each bucket in the training split.
    package let trainingCounts: [Int]

    /// The default edges for `classCount` classes: 8 and 40, and 256 as well
    /// when there are more than 256 classes.
    package static func defaultRankEdges(classCount: Int) -> [Int] {
        classCount > 256 ? [8, 40, 256] : [8, 40]
    }

    /// Buckets from the per-class target counts of the training split.
    /// `rankEdges` must be increasing, ≥ 1 and below the class count; nil: `defaultRankEdges`.
    package init(classCounts: [Int], rankEdges: [Int]? = nil) throws {
        let rankEdges = rankEdges ?? Self.defaultRankEdges(classCount: classCounts.count)
        guard !rankEdges.isEmpty, rankEdges.first! >= 1, rankEdges.last! < classCounts.count,
              zip(rankEdges, rankEdges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw NoiseScopeError.invalidSetting(.data, message: "frequency bucket edges \(rankEdges) must increase, starting at 1 or more and staying below the \(classCounts.count) classes")
        }
        self.rankEdges = rankEdges
        let order = classCounts.indices.sorted { (classCounts[$0], $1) > (classCounts[$1], $0) }
        var bucketOfClass = [Int](repeating: 0, count: classCounts.count)
        var trainingCounts = [Int](repeating: 0, count: rankEdges.count + 1)
        for (rankMinusOne, c) in order.enumerated() {
            let bucket = rankEdges.firstIndex { rankMinusOne + 1 <= $0 } ?? rankEdges.count
            bucketOfClass[c] = bucket
            trainingCounts[bucket] += classCounts[c]
        }
        self.bucketOfClass = bucketOfClass
        self.trainingCounts = trainingCounts
    }

    /// Number of buckets.
    package var count: Int { rankEdges.count + 1 }

    /// "1-8", "9-40", "41-256" (and "257-4096" for word tokens): the ranks of each bucket.
    package var labels: [String] {
        let starts = [1] + rankEdges.map { $0 + 1 }, ends = rankEdges + [bucketOfClass.count]
        return zip(starts, ends).map { "\($0)-\($1)" }
    }

    /// Each bucket's share of the training split's target positions.
    package var trainingShares: [Double] {
        let total = Double(trainingCounts.reduce(0, +))
        return trainingCounts.map { Double($0) / total }
    }

    /// The per-class sums gathered into these buckets.
    package func gather(_ classes: ClassLossSums) -> [BucketLoss] {
        var sums = [Double](repeating: 0, count: count), counts = [Int](repeating: 0, count: count)
        for c in classes.sums.indices {
            sums[bucketOfClass[c]] += classes.sums[c]
            counts[bucketOfClass[c]] += classes.counts[c]
        }
        return zip(sums, counts).map { BucketLoss(sum: $0, count: $1) }
    }
}

/// The loss of one frequency bucket: Σ loss and positions; `mean` is NaN for an empty bucket.
package struct BucketLoss: Equatable, Sendable {
    package var sum: Double
    package var count: Int
    package var mean: Double { count == 0 ? .nan : sum / Double(count) }
}

/// One row of loss_by_frequency.csv: the losses per bucket on a fixed sample of
/// the training split and on the validation windows.
package struct FrequencyLossRow: Equatable, Sendable {
    package var step: Int
    package var training: [BucketLoss]
    package var validation: [BucketLoss]
}

extension Trainer {
    /// The model's per-class losses, or an error for a model without class targets.
    func classTargetModel() throws -> any ClassTargetLosses {
        guard let model = model as? any ClassTargetLosses else {
            throw NoiseScopeError.invalidSetting(.model, message: "\(model.name) has no class targets to split the loss by; the loss by frequency needs a text model (tinygpt, tinygpt-noattn)")
        }
        return model
    }

    /// Buckets by the target frequency of the training split (all its windows,
    /// also when training uses a subset, so that buckets mean the same classes
    /// for every subset); nil edges: `FrequencyBuckets.defaultRankEdges` for the
    /// model's class count.
    package func frequencyBuckets(rankEdges: [Int]? = nil) throws -> FrequencyBuckets {
        try FrequencyBuckets(classCounts: classTargetModel().targetCounts(examples: splitCount), rankEdges: rankEdges)
    }

    /// The training windows the per-bucket training loss is measured on: as many
    /// as there are validation windows, evenly spaced over the examples training
    /// draws from (the training subset when there is one; a fixed set, so rows
    /// are comparable along a run).
    package var frequencyTrainingSample: [Int] {
        let n = min(trainingCount, validationIndices.reduce(0) { $0 + $1.count })
        return (0..<n).map { $0 * trainingCount / n }
    }

    /// The per-bucket losses at the current parameters (parameters untouched).
    package func lossByFrequency(_ buckets: FrequencyBuckets) throws -> FrequencyLossRow {
        let model = try classTargetModel()
        return FrequencyLossRow(step: step,
                                training: buckets.gather(model.lossByTargetClass(indices: frequencyTrainingSample)),
                                validation: buckets.gather(model.lossByTargetClass(indices: validationIndices.flatMap { $0 })))
    }
}
