import NoiseScopeCore
import Foundation
import NoiseScopeModels
import NoiseScopeStatistics

/// Measures gradient noise on a model at fixed parameters, the experiment of
/// Zhang et al. (2020, Fig. 1): the full gradient ∇f first, then for each of N
/// minibatches the noise norm ‖g_B − ∇f‖₂, the running empirical variance of
/// the minibatch gradients, and (for the first minibatch) the per-coordinate
/// noise g_B − ∇f of Simsekli et al. (2019).
///
/// Memory stays O(parameters): the full gradient, Welford's running mean and
/// the first minibatch's noise vector, never N gradients at once; with
/// `spectrumRank` r > 0 also the covariance sketch, O(parameters × r).
package final class NoiseNormSampler {
    package struct Options: Sendable {
        /// Minibatch size B.
        package var batchSize = 8
        /// Number N of minibatches whose noise norm is measured.
        package var samples = 1000
        /// nil: ∇f exactly, over every example; M: the mean of M minibatch gradients.
        package var fullGradientBatches: Int?
        /// Seed of the minibatch order.
        package var seed: UInt64 = 0
        /// Use only examples 0..<limit (a training split); nil: all of them.
        package var exampleLimit: Int?
        /// Examples left out of the minibatches and of ∇f, e.g. to test whether
        /// a tail is a few odd examples (`measure --exclude`).
        package var excluded: Set<Int> = []
        /// Noise vectors (the first minibatches) behind the per-coordinate stable
        /// index: the first 20 set each coordinate's scale, the rest are pooled;
        /// each costs a pass with a logarithm per parameter.
        package var stableIndexVectors = 100
        /// r, the top eigenvalues of the noise covariance to sketch
        /// (`CovarianceSketch`, 2r columns); 0 sketches nothing.
        package var spectrumRank = 0

        package init(batchSize: Int = 8, samples: Int = 1000, fullGradientBatches: Int? = nil, seed: UInt64 = 0, exampleLimit: Int? = nil) {
            self.batchSize = batchSize
            self.samples = samples
            self.fullGradientBatches = fullGradientBatches
            self.seed = seed
            self.exampleLimit = exampleLimit
        }
    }

    /// Examples per batched per-example pass at B = 1 (`GradientStream`): `measure
    /// --batch 1` builds its model to hold this many (tinygpt's default minibatch).
    package static let perExampleBatch = 8

    /// Where the work is, for progress reports.
    package enum Phase: String, Sendable { case fullGradient = "full gradient", noiseNorms = "noise norms" }

    let model: any GradientModel<Float>
    package let options: Options
    /// The examples the measurement draws from: 0..<limit without the excluded ones.
    let pool: [Int]
    var exampleCount: Int { pool.count }

    package init(model: any GradientModel<Float>, options: Options) throws {
        guard options.batchSize >= 1, options.batchSize <= model.maxBatchSize else {
            throw NoiseScopeError.invalidSetting(.batchSize, message: "minibatch size \(options.batchSize) is out of range: this model holds 1...\(model.maxBatchSize)")
        }
        let limit = min(options.exampleLimit ?? model.exampleCount, model.exampleCount)
        if let outside = options.excluded.first(where: { $0 < 0 || $0 >= limit }) {
            throw NoiseScopeError.invalidSetting(.excluded, message: "example \(outside) cannot be excluded: the data has examples 0…\(limit - 1)")
        }
        pool = options.excluded.isEmpty ? Array(0..<limit) : (0..<limit).filter { !options.excluded.contains($0) }
        let examples = pool.count
        guard options.batchSize <= examples else {
            throw NoiseScopeError.invalidSetting(.batchSize, message: "minibatch size \(options.batchSize) exceeds the \(examples) examples of the data; use a smaller minibatch or more data")
        }
        guard options.samples >= 2 else {
            throw NoiseScopeError.invalidSetting(.samples, message: "the sample count must be at least 2 to measure noise, got \(options.samples)")
        }
        guard options.spectrumRank >= 0 else {
            throw NoiseScopeError.invalidSetting(.spectrumRank, message: "the spectrum rank must be 0 (no sketch) or more, got \(options.spectrumRank)")
        }
        if options.spectrumRank > 0 {
            try MemoryBudget.require(bytes: CovarianceSketch.estimatedBytes(dimension: model.parameterCount, rank: options.spectrumRank),
                                     for: "the covariance sketch of rank \(options.spectrumRank) over \(model.parameterCount) parameters",
                                     hint: "lower the spectrum rank")
        }
        if let m = options.fullGradientBatches, m < 1 {
            throw NoiseScopeError.invalidSetting(.fullGradientBatches, message: "the number of full-gradient minibatches must be at least 1, got \(m)")
        }
        self.model = model
        self.options = options
    }

    /// Runs the measurement. `progress(phase, done, total)` is called after each
    /// gradient; `shouldStop()` is polled as often, and a true answer throws `NoiseScopeError.interrupted`.
    package func run(progress: (Phase, Int, Int) -> Void = { _, _, _ in },
                    shouldStop: () -> Bool = { false }) throws -> NoiseMeasurement {
        let dimension = model.parameterCount
        let (fullGradient, fullExamples) = try computeFullGradient(progress: progress, shouldStop: shouldStop)
        var stream = GradientStream(model: model, pool: pool, batchSize: options.batchSize, seed: options.seed)
        var running = VectorVariance(dimension: dimension)
        var norms: [Double] = []
        norms.reserveCapacity(options.samples)
        var coordinates: [Double] = []
        var batches: [[Int]] = []
        batches.reserveCapacity(options.samples)
        let groups = LayerGroups(layout: model.layout)
        var byGroup: [[Double]] = []
        var stablePool = StableIndexPool(groups: model.layout.tensors.map { .init(name: $0.name, range: $0.range) }, seed: options.seed)
        var variance: [NoiseMeasurement.VariancePoint] = []
        let checkpoints = Set(NoiseMeasurement.logSpacedCounts(upTo: options.samples))
        let start = DispatchTime.now().uptimeNanoseconds
        let sketch = options.spectrumRank > 0 ? try CovarianceSketch(dimension: dimension, rank: options.spectrumRank, seed: options.seed) : nil
        for j in 1...options.samples {
            if shouldStop() { throw NoiseScopeError.interrupted(detail: "nothing was written") }
            let (batch, gradient) = stream.next(remaining: options.samples - j + 1)
            batches.append(batch)
            norms.append(running.add(gradient, squaredDistanceTo: fullGradient).squareRoot())
            sketch?.add(gradient, minus: fullGradient)
            byGroup.append(groups.squaredDistances(gradient, fullGradient).map { $0.squareRoot() })
            if j == 1 { coordinates = (0..<dimension).map { Double(gradient[$0]) - fullGradient[$0] } }
            if j <= options.stableIndexVectors { stablePool.add { Double(gradient[$0]) - fullGradient[$0] } }
            if checkpoints.contains(j) { variance.append(.init(samples: j, variance: running.variance)) }
            progress(.noiseNorms, j, options.samples)
        }
        let spectrum = try sketch?.spectrum(trace: norms.reduce(0) { $0 + $1 * $1 } / Double(norms.count))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var squaredFull = 0.0
        for g in fullGradient { squaredFull += g * g }
        return NoiseMeasurement(
            noiseNorms: norms, variance: variance, firstBatchCoordinates: coordinates,
            stableIndex: stablePool.overall, stableIndexPerTensor: stablePool.perGroup,
            groupNames: groups.groups.map(\.name), noiseNormsByGroup: byGroup, batches: batches, fullGradient: fullGradient,
            fullGradientNorm: squaredFull.squareRoot(), fullGradientExamples: fullExamples,
            fullGradientIsExact: options.fullGradientBatches == nil, parameterCount: dimension,
            samplingSeconds: seconds, gradientsPerSecond: Double(options.samples) / seconds,
            batchSize: options.batchSize, exampleCount: exampleCount,
            covarianceSpectrum: spectrum, spectrumSketchSeconds: sketch?.seconds ?? 0)
    }

    /// The cost of measuring, as a benchmark: alternating rounds of `batches`
    /// bare minibatch gradients and `batches` measurement steps (noise norm and
    /// variance update) on the same model, so that drifting machine speed hits
    /// both alike (the covariance sketch included when `spectrumRank` > 0). Both
    /// take their gradients as `run` does (at B = 1 from batched per-example
    /// passes). Returns both rates and their ratio (1 = measuring is free).
    package func overhead(rounds: Int = 10, batches: Int = 50) -> (gradientsPerSecond: Double, measuredPerSecond: Double, ratio: Double) {
        var stream = GradientStream(model: model, pool: pool, batchSize: options.batchSize, seed: options.seed)
        let reference = [Double](repeating: 0, count: model.parameterCount)
        var running = VectorVariance(dimension: model.parameterCount)
        let sketch = options.spectrumRank > 0 ? try? CovarianceSketch(dimension: model.parameterCount, rank: options.spectrumRank, seed: options.seed) : nil
        var bare = 0.0, measuring = 0.0
        func seconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for _ in 0..<rounds {
            bare += seconds { for _ in 0..<batches { _ = stream.next() } }
            measuring += seconds {
                for _ in 0..<batches {
                    let gradient = stream.next().gradient
                    _ = running.add(gradient, squaredDistanceTo: reference)
                    sketch?.add(gradient, minus: reference)
                }
            }
        }
        let count = Double(rounds * batches)
        return (count / bare, count / measuring, bare / measuring)
    }

    /// A forecast of `run`'s wall time in seconds, from timing two gradients of
    /// each size the run uses (a few milliseconds on the bundled models); the
    /// model's outputs are unchanged, since every step overwrites the gradient.
    /// Good to a factor of about 1.5: the machine's load can change.
    package func estimatedSeconds() -> Double {
        func time(_ batch: [Int]) -> Double {
            _ = model.lossAndGradient(indices: batch)  // warm the workspace
            let start = DispatchTime.now().uptimeNanoseconds
            _ = model.lossAndGradient(indices: batch)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let minibatch = time(Array(pool.prefix(options.batchSize)))
        // A step: the minibatch gradient, or at B = 1 a share of one batched per-example pass.
        var step = minibatch
        var stream = GradientStream(model: model, pool: pool, batchSize: options.batchSize, seed: options.seed)
        if stream.stepsPerPass > 1 {
            for _ in 0..<stream.stepsPerPass { _ = stream.next() }  // warm the slots
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<stream.stepsPerPass { _ = stream.next() }
            step = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(stream.stepsPerPass)
        }
        let fullGradient: Double
        if let m = options.fullGradientBatches {
            fullGradient = Double(m) * minibatch
        } else {
            let chunk = min(model.maxBatchSize, exampleCount)
            fullGradient = Double((exampleCount + chunk - 1) / chunk) * time(Array(pool.prefix(chunk)))
        }
        // The measurement loop costs a little more than the bare gradient (bench: ≈ 1.0–1.1×).
        var perSample = 1.1 * step
        if options.spectrumRank > 0, let sketch = try? CovarianceSketch(dimension: model.parameterCount, rank: options.spectrumRank, seed: options.seed) {
            // One block of the sketch's updates, timed (its two products are most of its cost).
            let zero = [Double](repeating: 0, count: model.parameterCount)
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<sketch.blockSize { sketch.add(UnsafeBufferPointer(model.gradient), minus: zero) }
            perSample += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(sketch.blockSize)
        }
        return fullGradient + Double(options.samples) * perSample
    }

    /// ∇f in Double: exact (every example once, minibatches weighted by size) or
    /// the mean of M minibatch gradients drawn with a seed of their own.
    func computeFullGradient(progress: (Phase, Int, Int) -> Void, shouldStop: () -> Bool) throws -> ([Double], Int) {
        var sum = [Double](repeating: 0, count: model.parameterCount)
        let n = exampleCount
        var batches: [[Int]]
        if let m = options.fullGradientBatches {
            var schedule = MinibatchSchedule(exampleCount: n, batchSize: options.batchSize, seed: options.seed &+ 0x5EED)
            batches = (0..<m).map { _ in schedule.next().map { pool[$0] } }
        } else {
            let chunk = min(model.maxBatchSize, n)
            batches = stride(from: 0, to: n, by: chunk).map { Array(pool[$0..<min($0 + chunk, n)]) }
        }
        let examples = batches.reduce(0) { $0 + $1.count }
        for (index, batch) in batches.enumerated() {
            if shouldStop() { throw NoiseScopeError.interrupted(detail: "nothing was written") }
            _ = model.lossAndGradient(indices: batch)
            let weight = Double(batch.count) / Double(examples)
            let gradient = UnsafeBufferPointer(model.gradient)
            sum.withUnsafeMutableBufferPointer { sum in
                for i in 0..<sum.count { sum[i] += weight * Double(gradient[i]) }
            }
            progress(.fullGradient, index + 1, batches.count)
        }
        return (sum, examples)
    }
}
