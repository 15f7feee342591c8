import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore
import NoiseScopeTraining

/// `noisescope simulate`: seed 002's heavy-tailed 1-D experiment.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run SGD, Clip-SGD and the (clipped) AdaGrad-Norm/Adam-Norm methods on a 1-D quadratic with α-stable noise.",
        usage: "noisescope simulate [<options>]",
        discussion: CommandGuide.simulate)

    @Option(help: "Stability index α of the noise, in (0, 2]. (default: 1.5)", transform: decimalFlag) var alpha = 1.5
    @Option(help: "Steps T per replicate.") var steps = 1000
    @Option(help: "Replicates R.") var replicates = 5000
    @Option(help: "Seed.") var seed: UInt64 = 2
    @Option(help: "Base step size η. (default: 0.05)", transform: decimalFlag) var lr = 0.05
    @Option(help: "Clipping level c. (default: 1.0)", transform: decimalFlag) var clip = 1.0
    @Option(help: "Output directory. A re-run replaces an earlier run's directory whole, and refuses, naming them, files and folders noisescope did not write there.") var out = "out/simulate"
    @Flag(help: "Print the JSON result (without the per-replicate errors) instead of the table.") var json = false
    @OptionGroup var figureFormat: FigureFormatOption

    func validate() throws {
        try requireRange(steps, "--steps", 1...100_000_000)
        try requireRange(replicates, "--replicates", 1...100_000_000)
        guard Double(steps) * Double(replicates) <= 1e11 else {
            throw ValidationError("--steps × --replicates = \(Double(steps) * Double(replicates)) steps per method would run for days; keep it under 10¹¹")
        }
        try requirePositive(lr, "--lr")
        try requirePositive(clip, "--clip")
        guard alpha > 0, alpha <= 2 else { throw ValidationError("--alpha must be in (0, 2], got \(alpha)") }
        _ = try figureFormat.formats()
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
            let run = try SimulationRun.simulate(simulation, formats: figureFormat.formats())
            try run.write(to: out)
            try emit(json ? try JSONOutput.encode(SimulationRun.summary(of: run.result)) : run.result.quantileTable + "\n", to: nil)
        }
    }
}
