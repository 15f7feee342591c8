import NoiseScopeCore
import CGSL
import NoiseScopeModels
import Foundation

/// CPU time used by other processes while a measurement runs, from /proc/stat
/// (all busy jiffies) minus this process's own CPU time (getrusage): the number of
/// cores' worth of foreign work. On a shared 2-core machine a value near 1 means the
/// measurement had one core, not two. Linux only; 0 where /proc/stat is missing.
struct LoadProbe {
    private let busy: Double
    private let own: Double
    private let wall: Double

    init() {
        busy = LoadProbe.systemBusySeconds()
        own = LoadProbe.ownCPUSeconds()
        wall = Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }

    /// Mean number of cores busy with other processes since `init`.
    func backgroundCores() -> Double {
        let dWall = Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 - wall
        guard dWall > 0, busy > 0 else { return 0 }
        let foreign = (LoadProbe.systemBusySeconds() - busy) - (LoadProbe.ownCPUSeconds() - own)
        return Swift.max(0, foreign / dWall)
    }

    static func systemBusySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return 0 }
        let busyJiffies = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  // user nice system irq softirq steal
        return busyJiffies / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    }
}

/// Throughput measurement for `noisescope bench`: this machine's single-precision
/// matrix-multiply rate and the models' minibatch-gradient rate, in the same run, so
/// that `fraction_of_sgemm` compares like with like (both use all cores).
package enum Benchmark {
    /// Best-of-`repeats` rate of a square sgemm C = A·B of side `size`.
    package struct SGEMMResult: Codable, Sendable {
        package let size: Int
        package let threads: Int
        package let gflops: Double
        /// Cores' worth of other processes' work during the measurement.
        package let backgroundLoad: Double

        enum CodingKeys: String, CodingKey {
            case size, threads, gflops
            case backgroundLoad = "background_load"
        }
    }

    /// Gradient throughput of one model at one minibatch size.
    package struct ModelResult: Codable, Sendable {
        package let model: String
        package let parameters: Int
        package let batchSize: Int
        package let parallelism: String
        package let gradients: Int
        package let seconds: Double
        /// Best round's rate (see `throughput`).
        package let gradsPerSecond: Double
        /// Median round's rate.
        package let medianGradsPerSecond: Double
        package let flopsPerGradient: Double
        package let gflops: Double
        package let fractionOfSgemm: Double
        /// Cores' worth of other processes' work during the measurement.
        package let backgroundLoad: Double

        enum CodingKeys: String, CodingKey {
            case model, parameters, parallelism, gradients, seconds, gflops
            case backgroundLoad = "background_load"
            case batchSize = "batch_size"
            case gradsPerSecond = "grads_per_second"
            case medianGradsPerSecond = "median_grads_per_second"
            case flopsPerGradient = "flops_per_gradient"
            case fractionOfSgemm = "fraction_of_sgemm"
        }
    }

    /// Everything `noisescope bench` reports.
    package struct Report: Codable, Sendable {
        package let cores: Int
        package let openblas: String
        /// Active OpenBLAS kernel set (see `OpenBLASCore`).
        package let openblasCore: String
        /// The reference rate: sgemm on all cores.
        package let sgemmGflops: Double
        package let sgemm: [SGEMMResult]
        package let models: [ModelResult]
        /// `measure`'s loop against bare gradients of the same model (filled in by the bench workflow).
        package var measureOverhead: SamplerOverhead?

        enum CodingKeys: String, CodingKey {
            case cores, openblas, sgemm, models
            case sgemmGflops = "sgemm_gflops"
            case openblasCore = "openblas_core"
            case measureOverhead = "measure_overhead"
        }

        /// Pretty-printed JSON with sorted keys.
        package func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }

        /// A fixed-width table for terminals.
        package func table() -> String {
            var lines = ["OpenBLAS kernels: \(openblasCore); \(cores) cores"]
            lines.append("sgemm (best of runs): " + sgemm.map {
                "\($0.size)² on \($0.threads) thread\($0.threads == 1 ? "" : "s"): \(format($0.gflops, 1)) GFLOP/s"
                    + " (background \(format($0.backgroundLoad, 2)))"
            }.joined(separator: "; "))
            lines.append("model                     params   B  parallelism          grads/s  (median)   GFLOP/s  of sgemm  background")
            for m in models {
                lines.append(pad(m.model, 24) + pad(String(m.parameters), 8, left: true) + pad(String(m.batchSize), 4, left: true)
                             + "  " + pad(m.parallelism, 18) + pad(format(m.gradsPerSecond, 1), 10, left: true)
                             + pad("(" + format(m.medianGradsPerSecond, 1) + ")", 10, left: true)
                             + pad(format(m.gflops, 1), 10, left: true) + pad(format(m.fractionOfSgemm, 3), 10, left: true)
                             + pad(format(m.backgroundLoad, 2), 12, left: true))
            }
            if let o = measureOverhead {
                lines.append("measure loop on \(o.model) B=\(o.batchSize): \(format(o.measureGradsPerSecond, 1)) grads/s against "
                             + "\(format(o.gradsPerSecond, 1)) bare, interleaved: ratio \(format(o.ratio, 3)); with the rank-\(o.spectrumSketchRank) "
                             + "covariance sketch: ratio \(format(o.ratioWithSpectrumSketch, 3))")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `measure`'s throughput against bare gradients of the same model, measured interleaved.
    package struct SamplerOverhead: Codable, Sendable {
        package var model: String
        package var batchSize: Int
        package var gradsPerSecond: Double
        package var measureGradsPerSecond: Double
        package var ratio: Double
        /// The ratio again with `measure`'s covariance sketch (of this rank) in the loop.
        package var ratioWithSpectrumSketch: Double
        package var spectrumSketchRank: Int

        package init(model: String, batchSize: Int, gradsPerSecond: Double, measureGradsPerSecond: Double,
                     ratio: Double, ratioWithSpectrumSketch: Double, spectrumSketchRank: Int) {
            self.model = model; self.batchSize = batchSize; self.gradsPerSecond = gradsPerSecond
            self.measureGradsPerSecond = measureGradsPerSecond; self.ratio = ratio
            self.ratioWithSpectrumSketch = ratioWithSpectrumSketch; self.spectrumSketchRank = spectrumSketchRank
        }

        enum CodingKeys: String, CodingKey {
            case model, ratio
            case ratioWithSpectrumSketch = "ratio_with_spectrum_sketch"
            case spectrumSketchRank = "spectrum_sketch_rank"
            case batchSize = "batch_size"
            case gradsPerSecond = "grads_per_second"
            case measureGradsPerSecond = "measure_grads_per_second"
        }
    }

    /// Measures a square sgemm of side `size` with OpenBLAS on `threads` threads,
    /// best of `repeats` timed runs after one warm-up (2·size³ FLOPs per run).
    package static func sgemmRate(size: Int = 1536, threads: Int, repeats: Int = 10) -> SGEMMResult {
        openblas_set_num_threads(Int32(threads))
        let n = size
        let a = FlatBuffer<Float>(count: n * n), b = FlatBuffer<Float>(count: n * n), c = FlatBuffer<Float>(count: n * n)
        let rng = RandomSource(seed: 1)
        for i in 0..<(n * n) {
            a.buffer[i] = Float(rng.gaussianPolar())
            b.buffer[i] = Float(rng.gaussianPolar())
        }
        var best = Double.infinity
        let probe = LoadProbe()
        for run in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            Float.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a.pointer, lda: n,
                       b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if run > 0 { best = Swift.min(best, elapsed) }
        }
        return SGEMMResult(size: n, threads: threads, gflops: 2 * Double(n * n * n) / best * 1e-9,
                           backgroundLoad: probe.backgroundCores())
    }

    /// Gradient throughput of `model` at minibatch size `batchSize` (≤ maxBatchSize):
    /// random minibatches (fixed seed), `warmup` untimed calls, then `rounds` timed
    /// rounds of at least `seconds/rounds` each (and at least 3 calls). The reported
    /// rate is the BEST round's, as for sgemm, so that a burst of load from other
    /// processes on a shared machine lowers the median (also reported), not the result.
    package static func throughput<M: GradientModel>(
        _ model: M, batchSize: Int, parallelism: String, sgemmGflops: Double,
        seconds: Double = 2, rounds: Int = 8, warmup: Int = 3
    ) -> ModelResult {
        let rng = RandomSource(seed: 42)
        var indices = [Int](repeating: 0, count: batchSize)
        func draw() { for k in 0..<batchSize { indices[k] = rng.index(below: model.exampleCount) } }
        for _ in 0..<warmup {
            draw()
            _ = model.lossAndGradient(indices: indices)
        }
        var count = 0
        var busy = 0.0
        var rates: [Double] = []
        let probe = LoadProbe()
        for _ in 0..<Swift.max(1, rounds) {
            var n = 0
            var elapsed = 0.0
            while elapsed < seconds / Double(Swift.max(1, rounds)) || n < 3 {
                draw()
                let start = DispatchTime.now().uptimeNanoseconds
                _ = model.lossAndGradient(indices: indices)
                elapsed += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                n += 1
            }
            rates.append(Double(n) / elapsed)
            count += n
            busy += elapsed
        }
        rates.sort()
        let rate = rates.last!
        let flops = model.flopsPerExample * Double(batchSize)
        let gflops = rate * flops * 1e-9
        return ModelResult(model: model.name, parameters: model.parameterCount, batchSize: batchSize,
                           parallelism: parallelism, gradients: count, seconds: busy, gradsPerSecond: rate,
                           medianGradsPerSecond: rates[rates.count / 2],
                           flopsPerGradient: flops, gflops: gflops, fractionOfSgemm: gflops / sgemmGflops,
                           backgroundLoad: probe.backgroundCores())
    }

    /// The standard `noisescope bench` run: sgemm on 1 and on all cores, then default
    /// tinygpt at B = 8 with both parallelism strategies and on one core, its ablations,
    /// and (when `digits` is given) resmlp and logreg at B = 32; then sgemm again. Each
    /// sgemm figure is the best over both passes, so that a burst of foreign load
    /// during one pass does not deflate the reference (and inflate every fraction).
    /// `corpus` must have context 64. `seconds` is the timed budget per model.
    package static func run(corpus: TextCorpus, digits: DigitsDataset?, seconds: Double = 2) -> Report {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = cores > 1 ? [1, cores] : [1]
        let before = threadCounts.map { sgemmRate(threads: $0) }
        var models: [ModelResult] = []
        func describe(_ p: Parallelism) -> String {
            switch p {
            case .dataParallel(let w): return "data-parallel×\(w)"
            case .blasThreads(let t): return "blas-threads×\(t)"
            }
        }
        var variants: [TinyGPTConfiguration] = []
        for p in [Parallelism.default, .blasThreads(cores), .dataParallel(workers: 1)] {
            variants.append(TinyGPTConfiguration(parallelism: p))
        }
        variants.append(TinyGPTConfiguration(attention: false))
        variants.append(TinyGPTConfiguration(gaussianInput: true))
        variants.append(TinyGPTConfiguration(attention: false, gaussianInput: true))
        var unscaled: [(any GradientModel<Float>, Int, String)] = []
        for config in variants {
            unscaled.append((TinyGPT<Float>(configuration: config, corpus: corpus), 8, describe(config.parallelism)))
        }
        if let digits {
            let res = ResMLP<Float>(data: digits)
            unscaled.append((res, 32, describe(res.configuration.parallelism)))
            let lr = LogReg<Float>(data: digits)
            unscaled.append((lr, 32, describe(lr.configuration.parallelism)))
        }
        for (model, b, p) in unscaled {
            models.append(throughput(model, batchSize: b, parallelism: p, sgemmGflops: 1, seconds: seconds))
        }
        let after = threadCounts.map { sgemmRate(threads: $0) }
        let sgemm = zip(before, after).map { $0.gflops >= $1.gflops ? $0 : $1 }
        let reference = sgemm.map(\.gflops).max()!
        // `fraction_of_sgemm` was computed against 1 above; rescale to the reference.
        models = models.map { m in
            ModelResult(model: m.model, parameters: m.parameters, batchSize: m.batchSize, parallelism: m.parallelism,
                        gradients: m.gradients, seconds: m.seconds, gradsPerSecond: m.gradsPerSecond,
                        medianGradsPerSecond: m.medianGradsPerSecond, flopsPerGradient: m.flopsPerGradient,
                        gflops: m.gflops, fractionOfSgemm: m.gflops / reference, backgroundLoad: m.backgroundLoad)
        }
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        return Report(cores: cores, openblas: config, openblasCore: OpenBLASCore.current, sgemmGflops: reference,
                      sgemm: sgemm, models: models)
    }
}

private func format(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

private func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: Swift.max(0, width - s.count))
    return left ? fill + s : s + fill
}
