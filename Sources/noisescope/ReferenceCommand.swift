import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore
import NoiseScopeStatistics

/// `noisescope reference`: synthetic noise norms to compare a histogram with.
struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Write synthetic reference noise norms: √((1/D) Σ X_i²) with Gaussian or symmetric α-stable X_i.",
        usage: "noisescope reference [<options>]",
        discussion: CommandGuide.reference)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case gaussian, stable }

    @Option(help: "gaussian or stable.") var kind: Kind = .gaussian
    @Option(help: "Stability index α of the stable variables, in (0, 2]. (default: 1.5)", transform: decimalFlag) var alpha = 1.5
    @Option(help: "Dimension D (e.g. the model's parameter count).") var dim = 1000
    @Option(help: "Number of samples.") var samples = 1000
    @Option(help: "Seed of GSL's generator.") var seed: UInt64 = 0
    @Flag(help: "Write (1/D) Σ X_i² instead of its square root.") var squared = false
    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of stdout (default: stdout).") var output: String?

    func validate() throws {
        guard dim >= 1, samples >= 1 else { throw ValidationError("--dim and --samples must be at least 1") }
        guard alpha > 0, alpha <= 2 else { throw ValidationError("--alpha must be in (0, 2]") }
        try MemoryBudget.require(bytes: Double(samples) * 40, for: "--samples \(samples)", hint: "lower --samples")
        guard Double(samples) * Double(dim) <= 1e11 else {
            throw ValidationError("--samples × --dim = \(Double(samples) * Double(dim)) draws would run for hours; keep it under 10¹¹")
        }
    }

    func run() throws {
        try runReportingErrors {
            let distribution: SyntheticDistribution = kind == .gaussian
                ? .meanOfSquaredGaussians(dimension: dim) : .meanOfSquaredStable(alpha: alpha, dimension: dim)
            let values = distribution.sample(count: samples, seed: seed)
            let text = values.map { NumberText.exact(squared ? $0 : $0.squareRoot()) }.joined(separator: "\n") + "\n"
            try emit(text, to: output)
        }
    }
}
