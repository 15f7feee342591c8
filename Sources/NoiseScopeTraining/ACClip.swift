import Foundation

/// ACClip, adaptive coordinate-wise clipping (Zhang et al. 2020, Algorithm 1):
///
///     m ← β₁m + (1 − β₁)g
///     τ^α ← β₂τ^α + (1 − β₂)|g|^α            (per coordinate)
///     ĝ_i = min(τ_i/(|m_i| + ε), 1)·m_i
///     x ← x − η(ĝ + λx)
///
/// τ^α estimates the per-coordinate α-th absolute moment of the gradient, so
/// each coordinate gets a clipping threshold at its own noise scale; α = 1 is
/// the conservative default of the paper. The threshold average starts at
/// τ₀^α (τ₀ = 0 by default, as in the authors' reference code); a huge τ₀
/// with β₂ = 1 never clips, and ACClip then is momentum SGD step for step.
///
/// Weight decay is decoupled (x ← x − η(ĝ + λx), as in AdamW). The authors'
/// PyTorch code adds λx to the gradient instead; decoupling keeps the decay
/// out of the clipping statistics, so a large λx cannot be clipped away or
/// inflate τ.
struct ACClip: DoublePrecisionUpdate {
    let name: String
    let parameterCount: Int
    let learningRate: Double
    let momentumDecay: Double
    let thresholdDecay: Double
    let epsilon: Double
    let weightDecay: Double
    let momentOrder: Double
    private var momentum: [Double]
    /// τ^α per coordinate.
    private var thresholdPower: [Double]
    private var stepCount = 0

    init(name: String, parameterCount: Int, learningRate: Double, momentumDecay: Double, thresholdDecay: Double,
         epsilon: Double, weightDecay: Double, momentOrder: Double, initialThreshold: Double) {
        self.name = name
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.momentumDecay = momentumDecay
        self.thresholdDecay = thresholdDecay
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentOrder = momentOrder
        momentum = [Double](repeating: 0, count: parameterCount)
        thresholdPower = [Double](repeating: pow(initialThreshold, momentOrder), count: parameterCount)
    }

    mutating func update(parameters: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>) {
        stepCount += 1
        let (alpha, beta1, beta2, epsilon) = (momentOrder, momentumDecay, thresholdDecay, self.epsilon)
        let (learningRate, weightDecay) = (self.learningRate, self.weightDecay)
        momentum.withUnsafeMutableBufferPointer { m in
            thresholdPower.withUnsafeMutableBufferPointer { tauPower in
                for i in m.indices {
                    let magnitude = abs(gradient[i])
                    m[i] = exponentialAverage(previous: m[i], sample: gradient[i], decay: beta1)
                    tauPower[i] = exponentialAverage(previous: tauPower[i],
                                                     sample: alpha == 1 ? magnitude : pow(magnitude, alpha),
                                                     decay: beta2)
                    let threshold = alpha == 1 ? tauPower[i] : pow(tauPower[i], 1 / alpha)
                    let factor = clipFactor(magnitude: abs(m[i]) + epsilon, threshold: threshold)
                    parameters[i] = descend(parameters[i], along: factor * m[i],
                                            learningRate: learningRate, decoupledDecay: weightDecay)
                }
            }
        }
    }

    var state: OptimizerState {
        get {
            OptimizerState(step: stepCount,
                           vectors: ["momentum": momentum, "thresholdPower": thresholdPower])
        }
        set {
            momentum = newValue.vector("momentum", count: parameterCount)
            thresholdPower = newValue.vector("thresholdPower", count: parameterCount)
            stepCount = newValue.checkedStep
        }
    }
}
