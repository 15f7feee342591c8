import ArgumentParser
import Foundation

/// The `noisescope` command: a thin shell over the NoiseScope library.
@main
struct NoiseScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noisescope",
        abstract: "Is my stochastic-gradient noise heavy-tailed, and what should I do about it?",
        discussion: """
            Start with `noisescope check FILE` on noise norms (or any positive samples) \
            logged from your own training run: it estimates the tail index α of \
            P(X > x) ~ x^-α with several estimators and gives a verdict: \
            infinite-variance (α < 2), heavy (power-law tail, finite variance) or light.
            Try it on a sample with a known answer:
              noisescope generate pareto --alpha 1.5 --count 10000 > pareto.txt
              noisescope check pareto.txt
            """,
        subcommands: [MeasureCommand.self, CheckCommand.self, TrainCommand.self, FigureCommand.self, SimulateCommand.self, ReferenceCommand.self, BenchCommand.self, GenerateCommand.self])
}
