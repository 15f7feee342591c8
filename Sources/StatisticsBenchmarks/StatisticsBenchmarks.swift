import Foundation
import NoiseScopeStatistics

/// Times the pieces of `noisescope check` on generated samples, each against a
/// baseline measured in the same run (sorting the same n doubles), so that the
/// ratios stay comparable across machines and load. Run in release:
///   swift run -c release noisescope-statistics-benchmarks [n ...]
/// With `--csn-file FILE` it times only the CSN fit (exact xmin scan) on that
/// file, for comparison with benchmarks/powerlaw_timing.py on the same data.
@main
enum StatisticsBenchmarks {
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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
