import ArgumentParser
import Foundation

/// The `noisescope` command: a thin shell over the NoiseScope library.
@main
struct NoiseScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noisescope",
        abstract: "Is my stochastic-gradient noise heavy-tailed, and what should I do about it?",
        discussion: """
            noisescope measure      the noise ‖g_B − ∇f‖ of a bundled model (tinygpt on a novel by
                                    default), its variance against sample size, the verdict
            noisescope check FILE   the same verdict on noise norms (or any positive samples)
                                    logged from your own training run
            The verdict on the tail index α of P(X > x) ~ x^-α: infinite-variance (α < 2 at 95%),
            heavy (a power-law tail with finite variance) or light.
            Try check on a sample with a known answer:
              noisescope generate pareto --alpha 1.5 --count 10000 > pareto.txt
              noisescope check pareto.txt
            Every command explains itself: noisescope help <command>.
            """,
        subcommands: [MeasureCommand.self, CheckCommand.self, TrainCommand.self, FigureCommand.self, SimulateCommand.self, ReportCommand.self, ReferenceCommand.self, BenchCommand.self, GenerateCommand.self])
}
