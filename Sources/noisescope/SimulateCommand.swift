import ArgumentParser
import Foundation
import NoiseScope

/// `noisescope simulate`: seed 002's heavy-tailed 1-D experiment.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run SGD, Clip-SGD and the (clipped) AdaGrad-Norm/Adam-Norm methods on a 1-D quadratic with α-stable noise.",
        usage: "noisescope simulate [<options>]",
        discussion: """
            f(x) = ½x², gradient x + ξ with ξ symmetric α-stable (GSL), x₀ = 10. R independent \
            replicates of T steps per method, all methods sharing each replicate's noise. Reports \
            the (1 − δ)-quantiles of the final error |x_T| for δ ∈ {0.5, 0.1, 0.01, 0.001}: under \
            heavy tails the unclipped methods' upper quantiles grow polynomially in 1/δ, the clipped \
            ones slowly (Clipping improves Adam-Norm and AdaGrad-Norm…, ICML 2025). The δ = 0.001 \
            quantile rests on R·δ replicates. Step sizes follow one rule (README), never tuned per figure.
            Writes --out/simulation.json, quantiles.csv and quantiles.svg (quantile against 1/δ, log–log).
            """)

    @Option(help: "Stability index α of the noise, in (0, 2].") var alpha = 1.5
    @Option(help: "Steps T per replicate.") var steps = 1000
    @Option(help: "Replicates R.") var replicates = 5000
    @Option(help: "Seed.") var seed: UInt64 = 2
    @Option(help: "Base step size η.") var lr = 0.05
    @Option(help: "Clipping level c.") var clip = 1.0
    @Option(help: "Output directory.") var out = "out/simulate"
    @Flag(help: "Print the JSON result (without the per-replicate errors) instead of the table.") var json = false

    func validate() throws {
        try requireRange(steps, "--steps", 1...100_000_000)
        try requireRange(replicates, "--replicates", 1...100_000_000)
        guard Double(steps) * Double(replicates) <= 1e11 else {
            throw ValidationError("--steps × --replicates = \(Double(steps) * Double(replicates)) steps per method would run for days; keep it under 10¹¹")
        }
        try requirePositive(lr, "--lr")
        try requirePositive(clip, "--clip")
        guard alpha > 0, alpha <= 2 else { throw ValidationError("--alpha must be in (0, 2], got \(alpha)") }
    }

    func run() throws {
        try runReportingErrors {
            var simulation = HeavyTailSimulation()
            simulation.alpha = alpha
            simulation.steps = steps
            simulation.replicates = replicates
            simulation.seed = seed
            simulation.learningRate = lr
            simulation.clipLevel = clip
            let problems = simulation.problems()
            guard problems.isEmpty else { throw ModelCatalog.Failure(description: problems.joined(separator: "; ")) }
            let result = simulation.run()
            var files: [(String, Data)] = []
            var summary = result
            for i in summary.methods.indices { summary.methods[i].finalErrors = [] }
            files.append(("simulation.json", Data(try encodeJSON(summary).utf8)))
            var rows = ["method,delta,quantile_level,final_error"]
            for method in result.methods {
                for q in method.quantiles { rows.append("\(method.method.rawValue),\(q.delta),\(q.level),\(NumberText.exact(q.value))") }
            }
            files.append(("quantiles.csv", Data((rows.joined(separator: "\n") + "\n").utf8)))
            var axes = Axes(title: "Final error quantiles (α = \(alpha), T = \(steps), R = \(replicates), seed \(seed))",
                            xLabel: "1/δ", yLabel: "(1 − δ)-quantile of |x_T|", xScale: .log10, yScale: .log10, legendPlacement: .upperLeft)
            for (index, method) in result.methods.enumerated() {
                axes.add(.line(x: method.quantiles.map { 1 / $0.delta }, y: method.quantiles.map(\.value), label: method.method.rawValue,
                               style: .cycled(index)))
            }
            files.append(("quantiles.svg", Data(Figure(axes, width: 720, height: 520).render().svg.utf8)))
            try AtomicDirectory.write(files, to: out, kind: "simulate")
            try emit(json ? try encodeJSON(summary) : result.quantileTable + "\n", to: nil)
        }
    }
}
