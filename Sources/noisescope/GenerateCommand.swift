import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope generate`: samples with a known tail, to see the tool give a known answer.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write samples from a distribution with a known tail (GSL generators), one a line.",
        usage: "noisescope generate <kind> [<options>]",
        discussion: """
            Distributions and their true tail index α:
              pareto         P(X > x) = (x/xmin)^-α           α = --alpha
              stable         symmetric α-stable, signed       for check --signed
              abs-stable     |symmetric α-stable|             α = --alpha (< 2)
              abs-student-t  |Student t|                      α = --nu
              gaussian-norm  norm of a --dimension Gaussian   light (no power law)
              exponential    mean 1                           light
              lognormal      exp(N(0, --sigma²))              all moments finite
                                                              (the hard case)
            Example:
              noisescope generate abs-student-t --nu 3 --count 100000 --seed 1 > t3.txt
            """)

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
        // Draws beyond the largest double are written as inf (or -inf); refuse parameters
        // where more than 1 % of them would be. Pareto: P(X > max) = (max/xmin)^-α;
        // lognormal: P(σZ > log max); the stable and Student-t kinds, whose tails fall
        // as x^-α and x^-ν: about max^-α (max^-ν).
        let logMaximum = log(Double.greatestFiniteMagnitude)
        let overflowing: Double
        switch kind {
        case .pareto: overflowing = exp(-alpha * max(0, logMaximum - log(xmin)))
        case .lognormal: overflowing = 0.5 * erfc(logMaximum / sigma / 2.0.squareRoot())
        case .stable, .absStable: overflowing = exp(-alpha * logMaximum)
        case .absStudentT: overflowing = exp(-nu * logMaximum)
        case .gaussianNorm, .exponential: overflowing = 0
        }
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
            // Written in chunks so that 10⁸ samples stream through a pipe in bounded memory;
            // a file goes to a temporary name first and is renamed only when complete.
            Interruption.install()
            let random = RandomSource(seed: seed)
            let distribution = self.distribution
            let file = try output.map { try AtomicFile.Writer(path: $0) }
            var remaining = count
            var overflowed = 0, undefined = 0
            while remaining > 0 {
                if Interruption.isRequested { throw NoiseScopeError.interrupted(detail: "nothing was written") }
                let chunk = min(remaining, 100_000)
                var text = ""
                text.reserveCapacity(chunk * 24)
                for _ in 0..<chunk {
                    let x = distribution.draw(random)
                    if x.isNaN { undefined += 1 } else if !x.isFinite { overflowed += 1 }
                    text += NumberText.exact(x) + "\n"
                }
                if let file { try file.append(Data(text.utf8)) } else { StandardStreams.writeOutput(Data(text.utf8)) }
                remaining -= chunk
            }
            try file?.commit()
            if overflowed > 0 {
                printError("noisescope: note: \(overflowed) of \(count) draws exceeded the largest double in size and were written as inf or -inf")
            }
            if undefined > 0 {
                printError("noisescope: note: \(undefined) of \(count) draws were not numbers (the generator's arithmetic overflowed) and were written as nan")
            }
        }
    }
}
