/// linreg: least squares on the diabetes data, prediction xᵀw + b, loss the mean
/// over the minibatch of ½(xᵀw + b − y)². Its per-example gradients
/// (xᵀw + b − y)·(x, 1) are exact in closed form, which makes it the reference
/// for the gradient noise scale: tr(Σ) and |G|² can be computed directly.
/// Parameters start at zero. Eleven parameters: plain loops, no BLAS.
package final class LinearRegression<T: BLASScalar>: GradientModel, @unchecked Sendable {
    package let data: DiabetesDataset
    package let layout: ParameterLayout
    package let maxBatchSize: Int
    package var parameters: UnsafeMutableBufferPointer<T> { parameterStorage.buffer }
    package var gradient: UnsafeMutableBufferPointer<T> { gradientStorage.buffer }
    package var name: String { "linreg" }
    package var exampleCount: Int { data.count }
    package var flopsPerExample: Double { 6 * Double(layout.count) }

    private let parameterStorage: FlatBuffer<T>
    private let gradientStorage: FlatBuffer<T>

    package init(data: DiabetesDataset, maxBatchSize: Int = 32) {
        var layout = ParameterLayout()
        layout.add("weight", [DiabetesDataset.featureCount], .zeros)
        layout.add("bias", [1], .zeros)
        self.data = data
        self.layout = layout
        self.maxBatchSize = maxBatchSize
        parameterStorage = FlatBuffer(count: layout.count)
        gradientStorage = FlatBuffer(count: layout.count)
    }

    /// The residual xᵀw + b − y of example i, in Double.
    package func residual(_ i: Int) -> Double {
        let d = DiabetesDataset.featureCount
        var prediction = Double(parameters[d])
        for j in 0..<d { prediction += Double(parameters[j]) * data.features[i * d + j] }
        return prediction - data.targets[i]
    }

    package func lossAndGradient(indices: [Int]) -> Double {
        let d = DiabetesDataset.featureCount
        var sums = [Double](repeating: 0, count: d + 1)
        var loss = 0.0
        for i in indices {
            let r = residual(i)
            loss += 0.5 * r * r
            for j in 0..<d { sums[j] += r * data.features[i * d + j] }
            sums[d] += r
        }
        let scale = 1 / Double(indices.count)
        for j in 0...d { gradient[j] = T(sums[j] * scale) }
        return loss * scale
    }

    package func loss(indices: [Int]) -> Double {
        indices.reduce(0) { total, i in let r = residual(i); return total + 0.5 * r * r } / Double(indices.count)
    }
}
