import Foundation
import NoiseScopeModels
import NoiseScopeStatistics

/// How often each target class occurs in the training data, and the tail of
/// those counts fitted with Clauset–Shalizi–Newman's discrete power law.
/// Kunstner et al. (NeurIPS 2024) trace the Adam–SGD gap on language models to
/// heavy-tailed class frequencies, so `measure` reports this tail beside the
/// noise tail: two different heavy tails, each with its own evidence.
package struct ClassFrequencyTail: Codable, Sendable {
    /// The model's number of target classes (256 bytes, or the word vocabulary).
    package var classes: Int
    /// Classes that occur at least once as a target: the counts fitted.
    package var occurringClasses: Int
    /// Target positions counted (every window's targets).
    package var targets: Int
    /// The discrete power law on the per-class counts; nil when it cannot be fitted.
    package var fit: DiscretePowerLawFit?

    enum CodingKeys: String, CodingKey {
        case classes, targets, fit = "discrete_powerlaw"
        case occurringClasses = "occurring_classes"
    }

    /// Counts the targets of every example of a text model and fits their tail
    /// (`bootstrap` goodness-of-fit replicates at most, seeded by `seed`); nil
    /// for a model without class targets.
    package static func measure(_ model: AnyObject, examples: Int, bootstrap: Int, seed: UInt64) -> ClassFrequencyTail? {
        guard let model = model as? any ClassTargetLosses else { return nil }
        let counts = model.targetCounts(examples: examples)
        let occurring = counts.filter { $0 > 0 }
        let fit = DiscretePowerLawFitter(bootstrapReplicates: bootstrap, seed: seed).fit(occurring.map(Double.init))
        return ClassFrequencyTail(classes: counts.count, occurringClasses: occurring.count, targets: occurring.reduce(0, +), fit: fit)
    }

    /// One line for `measure`'s text.
    package var summaryLine: String {
        let head = "target classes: \(occurringClasses) of \(classes) occur, \(targets) targets"
        guard let fit else { return head + "; their frequencies fit no discrete power law (too few distinct counts)" }
        var line = head + String(format: "; class frequencies: discrete power law, tail index %.3g ± %.2g (P(count ≥ c) ∝ c^−α) above %d occurrences (%d classes)",
                                 fit.alpha, fit.sigma, fit.xmin, fit.tailCount)
        if let p = fit.goodnessOfFitP { line += String(format: ", goodness of fit p = %.2g", p) }
        line += String(format: ", vs lognormal R = %.3g (p = %.2g)", fit.versusLognormal.R, fit.versusLognormal.p)
        return line
    }
}
