/// Welford's running mean and spread of vectors, in Double whatever the model's
/// precision: after n vectors g_1 … g_n,
/// Var_n = (1/n) Σ_j ‖g_j − mean_n‖², updated by M2 += ⟨g − mean_old, g − mean_new⟩.
/// Memory is two vectors, however many samples pass.
public struct VectorVariance {
    public private(set) var count = 0
    public private(set) var mean: [Double]
    private var sumOfSquaredDeviations = 0.0

    public init(dimension: Int) { mean = [Double](repeating: 0, count: dimension) }

    /// The empirical variance Var_n (0 before two samples).
    public var variance: Double { count > 0 ? sumOfSquaredDeviations / Double(count) : 0 }

    /// Adds one vector.
    public mutating func add<C: Collection>(_ vector: C) where C.Element: BinaryFloatingPoint {
        precondition(vector.count == mean.count, "dimension mismatch")
        count += 1
        let n = Double(count)
        var increment = 0.0
        mean.withUnsafeMutableBufferPointer { mean in
            for (i, value) in vector.enumerated() {
                let x = Double(value)
                let before = x - mean[i]
                mean[i] += before / n
                increment += before * (x - mean[i])
            }
        }
        sumOfSquaredDeviations += increment
    }
}
