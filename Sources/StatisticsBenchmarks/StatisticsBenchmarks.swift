import Foundation
import NoiseScopeStatistics

/// Times the pieces of `noisescope check` on generated samples, each against a
/// baseline measured in the same run (sorting the same n doubles), so that the
/// ratios stay comparable across machines and load. Run in release:
///   swift run -c release noisescope-statistics-benchmarks [n ...]
/// With `--csn-file FILE` it times only the CSN fit (exact xmin scan) on that
/// file, for comparison with benchmarks/powerlaw_timing.py on the same data.
/// With `--parse FILE ...` it times reading each text/CSV/JSONL file against
/// strtod and a line split over the same bytes (`ParseBenchmark`); with
/// `--gof FILE` the CSN fit with and without its goodness-of-fit bootstrap.
@main
enum StatisticsBenchmarks {
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The shortest of `runs` timings: the least disturbed by other work on the machine.
    static func best(of runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var shortest = Double.infinity
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            shortest = min(shortest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return shortest
    }

    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let index = arguments.firstIndex(of: "--csn-file"), index + 1 < arguments.count {
            let samples = try SampleReader().read(path: arguments[index + 1]).values
            let data = OrderStatistics(samples: samples)
            var fit: PowerLawFit?
            let time = seconds { fit = PowerLawFitter(xminSearch: .exact, bootstrapReplicates: 0).fit(data) }
            print(#"{"n": \#(samples.count), "seconds": \#(time), "xmin": \#(fit!.xmin), "density_exponent": \#(fit!.densityExponent)}"#)
            return
        }
        if let index = arguments.firstIndex(of: "--parse"), index + 1 < arguments.count {
            try ParseBenchmark.run(paths: Array(arguments[(index + 1)...]))
            return
        }
        if let index = arguments.firstIndex(of: "--gof"), index + 1 < arguments.count {
            let samples = try SampleReader().read(path: arguments[index + 1]).values.filter { $0 > 0 && $0.isFinite }
            let data = OrderStatistics(samples: samples)
            let withoutBootstrap = best(of: 3) { _ = PowerLawFitter(bootstrapReplicates: 0).fit(data) }
            var p: Double? = nil
            let withBootstrap = best(of: 3) { p = PowerLawFitter(bootstrapReplicates: 100).fit(data)?.goodnessOfFitP }
            print(String(format: "CSN fit on n=%d: %.3fs without the bootstrap, %.3fs with 100 replicates (%.1f ms a replicate on %d cores), p = %@",
                         samples.count, withoutBootstrap, withBootstrap, (withBootstrap - withoutBootstrap) * 10,
                         ProcessInfo.processInfo.activeProcessorCount, p.map { "\($0)" } ?? "none"))
            return
        }
        arguments.removeAll { $0.hasPrefix("--") }
        let sizes = arguments.compactMap { Int($0) }.isEmpty ? [100_000, 1_000_000] : arguments.compactMap { Int($0) }
        let distributions: [(String, SyntheticDistribution)] = [("|t3|", .absoluteStudentT(nu: 3)), ("pareto1.5", .pareto(alpha: 1.5, xmin: 1))]
        for n in sizes {
          for (name, distribution) in distributions {
            let samples = distribution.sample(count: n, seed: 1)
            let sortBaseline = seconds { _ = samples.sorted(by: >) }
            var data = OrderStatistics(sortedDescending: [])
            let orderStatistics = seconds { data = OrderStatistics(samples: samples) }
            var k = 0
            let bootstrap = seconds { k = DoubleBootstrap().chooseK(data).k }
            let estimators = seconds {
                _ = HillEstimator.estimate(data, k: k)
                _ = MomentEstimator.estimate(data, k: k)
            }
            let exact = seconds { _ = PowerLawFitter(xminSearch: .exact, bootstrapReplicates: 0).fit(data) }
            let grid = seconds { _ = PowerLawFitter(xminSearch: .grid(candidates: 400), bootstrapReplicates: 0).fit(data) }
            let hillMomentsBootstrap = orderStatistics + bootstrap + estimators
            print(String(format: "%@ n=%d  sort %.3fs | order statistics %.3fs, double bootstrap %.3fs, Hill+moments %.4fs: total %.3fs (%.1f× sort) | CSN exact %.3fs (%.1f× sort), grid %.3fs",
                         name, n, sortBaseline, orderStatistics, bootstrap, estimators, hillMomentsBootstrap, hillMomentsBootstrap / sortBaseline,
                         exact, exact / sortBaseline, grid))
          }
        }
    }
}
