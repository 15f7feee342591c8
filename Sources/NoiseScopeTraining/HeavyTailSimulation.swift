import NoiseScopeCore
import Dispatch
import Foundation
import NoiseScopeStatistics

/// Experiment 7 (seed 002): stochastic optimisation of a 1-D convex quadratic
/// under symmetric α-stable gradient noise, repeated over many independent
/// seeds, to compare the high-probability behaviour (upper quantiles of the
/// final error) of SGD, Clip-SGD, AdaGrad-Norm, Adam-Norm and their clipped
/// versions.
///
/// The problem: f(x) = ½x² (curvature L = 1, minimiser x* = 0, f* = 0), started
/// at x₀ = `start` (default 10, far from x* compared with the noise scale 1, so
/// the run has a descent phase before it reaches the noise floor). Each step
/// draws the stochastic gradient g = x + ξ with ξ symmetric α-stable of scale
/// `noiseScale` (GSL's `gsl_ran_levy`; α = 1.5 by default: finite mean,
/// infinite variance). The error reported is |x_T − x*| = |x_T|; f(x_T) − f* is
/// |x_T|²/2, a monotone function of it, so its quantiles are the squares/2.
///
/// Replicate r draws its noise from `RandomSource.substream(seed:index: r)`,
/// and every method restarts that same stream, so within a replicate all
/// methods see the same noise sequence (common random numbers: their
/// differences are not blurred by different draws). Replicates run in
/// parallel with results stored by index, so the output depends only on the
/// configuration, never on the thread schedule or `chunkCount`.
///
/// Step sizes, one rule for all, set from the SGD step η = `learningRate` and
/// the clip level c = `clipLevel` (not tuned to any figure):
/// - SGD, Clip-SGD: η.
/// - AdaGrad-Norm, Clip-AdaGrad-Norm: γ = η·c·√T. Clip-AdaGrad-Norm's
///   b_t ≤ √(b₀² + t c²) ≤ c√T, so its effective step γ/b_t never falls below
///   Clip-SGD's η during the run.
/// - Adam-Norm, Clip-Adam-Norm: γ = η·c (β₁ = 0.9, β₂ = 0.999 ≈ 1 − 1/T). The
///   clipped EMA keeps b ≤ c, so again γ/b ≥ η.
/// - All norm methods start from b₀ = c and use ε = 1e−8 (the kind defaults).
/// Clipped and unclipped versions share the step size, so each pair differs
/// only by the clipping.
package struct HeavyTailSimulation: Codable, Equatable, Sendable {
    /// Tail index α of the noise, 0 < α ≤ 2 (α = 2: Gaussian with variance 2·scale²).
    package var alpha: Double = 1.5
    /// Scale c_ξ of the α-stable noise (`gsl_ran_levy`'s c).
    package var noiseScale: Double = 1
    /// Steps T per run.
    package var steps: Int = 1000
    /// Independent runs R per method. The (1 − δ)-quantile rests on about R·δ
    /// runs beyond it: 5 at the defaults for δ = 0.001.
    package var replicates: Int = 5000
    /// Seed of the replicate streams.
    package var seed: UInt64 = 2
    /// SGD step size η; the other methods' step sizes follow from it (see above).
    package var learningRate: Double = 0.05
    /// Clip level c of Clip-SGD and the clipped norm methods (and b₀ of all norm methods).
    package var clipLevel: Double = 1
    /// Starting point x₀.
    package var start: Double = 10
    /// Methods to run, in this order in the result.
    package var methods: [HeavyTailMethod] = HeavyTailMethod.allCases
    /// The δ's whose (1 − δ)-quantiles of the final error are reported.
    package var tailProbabilities: [Double] = [0.5, 0.1, 0.01, 0.001]

    package init() {}

    /// The optimizer settings `method` runs with (the step-size rule above).
    package func optimizerSettings(for method: HeavyTailMethod) -> OptimizerSettings {
        var settings = OptimizerSettings.defaults(for: method.optimizerKind)
        settings.clipThreshold = clipLevel
        switch method {
        case .sgd:
            settings.learningRate = learningRate
        case .clipSGD:
            settings.learningRate = learningRate
            settings.beta1 = 0
        case .adagradNorm, .clipAdagradNorm:
            settings.learningRate = learningRate * clipLevel * Double(steps).squareRoot()
            settings.initialAdaptiveScale = clipLevel
        case .adamNorm, .clipAdamNorm:
            settings.learningRate = learningRate * clipLevel
            settings.initialAdaptiveScale = clipLevel
        }
        return settings
    }

    /// Problems with the configuration, one sentence each; empty when it can run.
    package func problems() -> [String] {
        var problems: [String] = []
        if !(alpha > 0 && alpha <= 2) { problems.append("alpha must be in (0, 2]") }
        if !(noiseScale >= 0 && noiseScale.isFinite) { problems.append("noise scale must be finite and ≥ 0") }
        if steps < 1 { problems.append("steps must be ≥ 1") }
        if replicates < 1 { problems.append("replicates must be ≥ 1") }
        let (cells, overflow) = replicates.multipliedReportingOverflow(by: max(1, methods.count))
        if overflow || Double(cells) * 8 > MemoryBudget.physicalBytes * MemoryBudget.usableFraction {
            problems.append("\(replicates) replicates × \(methods.count) methods need about \(MemoryBudget.format(bytes: Double(replicates) * Double(methods.count) * 8)) of memory; this machine has \(MemoryBudget.format(bytes: MemoryBudget.physicalBytes))")
        }
        if !start.isFinite { problems.append("start must be finite") }
        if tailProbabilities.contains(where: { !($0 > 0 && $0 < 1) }) { problems.append("every δ must be in (0, 1)") }
        for method in methods {
            problems += optimizerSettings(for: method).problems(for: method.optimizerKind).map { "\(method.rawValue): \($0)" }
        }
        return problems
    }

    /// A sensible number of work chunks for this machine; results do not depend on it.
    package static var defaultChunkCount: Int { 8 * ProcessInfo.processInfo.activeProcessorCount }

    /// Runs every method on every replicate. An invalid configuration (see
    /// `problems()`) is refused with an error before any work.
    ///
    /// - Parameters:
    ///   - chunkCount: replicates are split into this many contiguous chunks run
    ///     concurrently (1 = serial). The result is identical for every value.
    ///   - progress: called with (replicates finished, replicates in total) after
    ///     each replicate, from worker threads, one call at a time.
    package func run(chunkCount: Int = HeavyTailSimulation.defaultChunkCount,
                    progress: (@Sendable (_ finished: Int, _ total: Int) -> Void)? = nil) throws -> HeavyTailSimulationResult {
        let problems = problems()
        guard problems.isEmpty else { throw NoiseScopeError("invalid heavy-tail simulation: " + problems.joined(separator: "; ")) }
        let settings = methods.map { optimizerSettings(for: $0) }
        // One optimizer per method, made (and so validated) here; each run starts from a copy.
        let prototypes = try methods.indices.map { try makeOptimizer(methods[$0].optimizerKind, settings: settings[$0], parameterCount: 1) }
        let replicates = self.replicates
        let finalErrors = UnsafeMutableBufferPointer<Double>.allocate(capacity: methods.count * replicates)
        defer { finalErrors.deallocate() }
        let chunks = max(1, min(chunkCount, replicates))
        let progressLock = NSLock()
        var finished = 0
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for replicate in (chunk * replicates / chunks)..<((chunk + 1) * replicates / chunks) {
                for (m, method) in methods.enumerated() {
                    finalErrors[m * replicates + replicate] = finalError(of: method, optimizer: prototypes[m], replicate: replicate)
                }
                if let progress {
                    progressLock.lock()
                    finished += 1
                    progress(finished, replicates)
                    progressLock.unlock()
                }
            }
        }
        let outcomes = methods.enumerated().map { m, method in
            HeavyTailSimulationResult.MethodOutcome(
                method: method, optimizer: method.optimizerKind, settings: settings[m],
                finalErrors: Array(finalErrors[(m * replicates)..<((m + 1) * replicates)]),
                tailProbabilities: tailProbabilities)
        }
        return HeavyTailSimulationResult(simulation: self, methods: outcomes)
    }

    /// |x_T − x*| of one run of `method` on replicate `replicate`'s noise stream.
    func finalError(of method: HeavyTailMethod, optimizer prototype: any Optimizer, replicate: Int) -> Double {
        let noise = RandomSource.substream(seed: seed, index: replicate)
        var optimizer = prototype  // the optimizers are value types: a copy of the unstepped one is a fresh one
        var position = start
        var gradient = 0.0
        withUnsafeMutablePointer(to: &position) { x in
            withUnsafeMutablePointer(to: &gradient) { g in
                let parameters = UnsafeMutableBufferPointer(start: x, count: 1)
                let gradientView = UnsafeBufferPointer(start: g, count: 1)
                for _ in 0..<steps {
                    // ∇f(x) = x − x* with x* = 0.
                    g.pointee = x.pointee + noise.symmetricStable(alpha: alpha, scale: noiseScale)
                    optimizer.step(parameters: parameters, gradient: gradientView)
                }
            }
        }
        return abs(position)
    }
}
