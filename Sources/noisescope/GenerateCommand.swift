import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeStatistics
import NoiseScopeCore

/// `noisescope generate`: samples with a known tail, to see the tool give a known answer.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write samples from a distribution with a known tail (GSL generators), one a line.",
        usage: "noisescope generate <kind> [<options>]",
        discussion: CommandGuide.generate)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case pareto, stable, absStable = "abs-stable", absStudentT = "abs-student-t"
        case gaussianNorm = "gaussian-norm", exponential, lognormal
    }

    @Argument(help: "The distribution: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: Kind

    @Option(help: "Number of samples.") var count = 10_000
    @Option(help: "Tail index α for pareto and the stable kinds. (default: 1.5)", transform: decimalFlag) var alpha = 1.5
    @Option(help: "Scale xmin for pareto. (default: 1.0)", transform: decimalFlag) var xmin = 1.0
    @Option(help: "Degrees of freedom ν for abs-student-t. (default: 3.0)", transform: decimalFlag) var nu = 3.0
    @Option(help: "Dimension D for gaussian-norm.") var dimension = 100
    @Option(help: "σ of log X for lognormal. (default: 1.0)", transform: decimalFlag) var sigma = 1.0
    @Option(help: "Seed of GSL's mt19937 generator: same seed, same bytes.") var seed: UInt64 = 0
    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of stdout (default: stdout).") var output: String?

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard alpha.isFinite, nu.isFinite, sigma.isFinite, xmin.isFinite else {
            throw ValidationError("--alpha, --nu, --sigma and --xmin must be finite numbers")
        }
        guard dimension <= 100_000_000 else { throw ValidationError("--dimension must be at most 10⁸ (each sample draws that many Gaussians)") }
        if [.pareto, .stable, .absStable].contains(kind) {
            guard alpha > 0 && alpha <= (kind == .pareto ? .infinity : 2) else {
                throw ValidationError("--alpha must be in (0, 2] for stable kinds and positive for pareto")
            }
        }
        guard nu > 0, sigma > 0, xmin > 0, dimension >= 1 else {
            throw ValidationError("--nu, --sigma, --xmin and --dimension must be positive")
        }
        let overflowing = distribution.overflowFraction
        if overflowing > 0.01 {
            let remedy = kind == .pareto ? "lower --xmin or raise --alpha" : kind == .lognormal ? "lower --sigma" : kind == .absStudentT ? "raise --nu" : "raise --alpha"
            throw ValidationError("about \(String(format: "%.3g", 100 * overflowing)) % of the draws would exceed the largest double (1.8e308); \(remedy)")
        }
    }

    var distribution: SyntheticDistribution {
        switch kind {
        case .pareto: return .pareto(alpha: alpha, xmin: xmin)
        case .stable: return .stable(alpha: alpha)
        case .absStable: return .absoluteStable(alpha: alpha)
        case .absStudentT: return .absoluteStudentT(nu: nu)
        case .gaussianNorm: return .gaussianNorm(dimension: dimension)
        case .exponential: return .exponential
        case .lognormal: return .lognormal(sigma: sigma)
        }
    }

    func run() throws {
        try runReportingErrors {
            Interruption.install()
            let outcome = try SampleGeneration.write(distribution, count: count, seed: seed, to: output,
                                                     write: StandardStreams.writeOutput, shouldStop: { Interruption.isRequested })
            if outcome.overflowed > 0 {
                printError("noisescope: note: \(outcome.overflowed) of \(count) draws exceeded the largest double in size and were written as inf or -inf")
            }
            if outcome.undefined > 0 {
                printError("noisescope: note: \(outcome.undefined) of \(count) draws were not numbers (the generator's arithmetic overflowed) and were written as nan")
            }
        }
    }
}
