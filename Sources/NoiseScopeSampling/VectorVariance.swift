/// Welford's running mean and spread of vectors, in Double whatever the model's
/// precision: after n vectors g_1 … g_n,
/// Var_n = (1/n) Σ_j ‖g_j − mean_n‖², updated by M2 += ⟨g − mean_old, g − mean_new⟩.
/// Memory is two vectors, however many samples pass.
package struct VectorVariance {
    package private(set) var count = 0
    package private(set) var mean: [Double]
    private var sumOfSquaredDeviations = 0.0

    package init(dimension: Int) { mean = [Double](repeating: 0, count: dimension) }

    /// The empirical variance Var_n (0 before two samples).
    package var variance: Double { count > 0 ? sumOfSquaredDeviations / Double(count) : 0 }

    /// Adds one vector.
    package mutating func add(_ vector: [Double]) {
        vector.withUnsafeBufferPointer { vector in add(vector) { Double(vector[$0]) } }
    }

    /// Adds one fp32 vector and, in the same pass, returns ‖vector − reference‖²:
    /// the sampler's hot loop, one read of the gradient per minibatch. Four
    /// lanes of partial sums (SIMD4) keep the loop from waiting on one
    /// accumulator; the lanes are added in a fixed order, so results are
    /// deterministic.
    package mutating func add(_ vector: UnsafeBufferPointer<Float>, squaredDistanceTo reference: [Double]) -> Double {
        precondition(reference.count == mean.count && vector.count == mean.count, "dimension mismatch")
        count += 1
        let inverseCount = 1 / Double(count)
        let n = mean.count, blocked = n - n % 4
        var squared = SIMD4<Double>(), increment = SIMD4<Double>()
        var squaredTail = 0.0, incrementTail = 0.0
        reference.withUnsafeBufferPointer { reference in
            mean.withUnsafeMutableBufferPointer { mean in
                var i = 0
                while i < blocked {
                    let x = SIMD4<Double>(Double(vector[i]), Double(vector[i + 1]), Double(vector[i + 2]), Double(vector[i + 3]))
                    let r = SIMD4<Double>(reference[i], reference[i + 1], reference[i + 2], reference[i + 3])
                    var m = SIMD4<Double>(mean[i], mean[i + 1], mean[i + 2], mean[i + 3])
                    let d = x - r
                    squared += d * d
                    let before = x - m
                    m += before * inverseCount
                    increment += before * (x - m)
                    mean[i] = m[0]; mean[i + 1] = m[1]; mean[i + 2] = m[2]; mean[i + 3] = m[3]
                    i += 4
                }
                while i < n {
                    let x = Double(vector[i])
                    let d = x - reference[i]
                    squaredTail += d * d
                    let before = x - mean[i]
                    mean[i] += before * inverseCount
                    incrementTail += before * (x - mean[i])
                    i += 1
                }
            }
        }
        sumOfSquaredDeviations += increment.sum() + incrementTail
        return squared.sum() + squaredTail
    }

    private mutating func add(_ vector: UnsafeBufferPointer<Double>, value: (Int) -> Double) {
        precondition(vector.count == mean.count, "dimension mismatch")
        count += 1
        let inverseCount = 1 / Double(count)
        var increment = 0.0
        mean.withUnsafeMutableBufferPointer { mean in
            for i in 0..<mean.count {
                let x = value(i)
                let before = x - mean[i]
                mean[i] += before * inverseCount
                increment += before * (x - mean[i])
            }
        }
        sumOfSquaredDeviations += increment
    }
}
