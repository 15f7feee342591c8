/// A checkpointable snapshot of an optimizer's internal statistics.
///
/// Settings (learning rate, β's, …) and the kind are not part of the state: a
/// run is resumed by making an optimizer with the same kind and settings (the
/// checkpoint records them) and then assigning the saved state. All numbers
/// are `Double`, so a JSON round trip (Swift writes the shortest
/// representation that reads back exactly) loses nothing as long as the
/// values are finite.
///
/// Names used: `"momentum"` (sgd, momentum, gclip, cclip, acclip and the norm
/// kinds), `"thresholdPower"` (acclip's τ^α), `"firstMoment"` and
/// `"secondMoment"` (adam, adamw), and the scalar `"scaleSquared"` (b² of the
/// norm kinds). Restoring checks that every expected entry is present with the
/// right length and stops with a message otherwise.
package struct OptimizerState: Codable, Equatable, Sendable {
    /// Number of updates taken so far (0 for a fresh optimizer).
    package var step: Int
    /// Per-coordinate statistics.
    package var vectors: [String: [Double]]
    /// Whole-vector statistics.
    package var scalars: [String: Double]

    package init(step: Int, vectors: [String: [Double]] = [:], scalars: [String: Double] = [:]) {
        self.step = step
        self.vectors = vectors
        self.scalars = scalars
    }

    /// The vector called `name`, which must exist and have `count` entries.
    func vector(_ name: String, count: Int) -> [Double] {
        guard let values = vectors[name] else { preconditionFailure("optimizer state has no vector \"\(name)\"") }
        precondition(values.count == count, "optimizer state vector \"\(name)\" has \(values.count) entries, expected \(count)")
        return values
    }

    /// The scalar called `name`, which must exist.
    func scalar(_ name: String) -> Double {
        guard let value = scalars[name] else { preconditionFailure("optimizer state has no scalar \"\(name)\"") }
        return value
    }

    /// The step count, which must be non-negative.
    var checkedStep: Int {
        precondition(step >= 0, "optimizer state step count must be non-negative")
        return step
    }
}
