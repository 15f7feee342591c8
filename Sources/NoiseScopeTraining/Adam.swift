import Foundation

/// Adam (Kingma & Ba) with bias correction, and AdamW (Loshchilov & Hutter):
///
///     g' = g + λx                        (adam: weight decay as an L2 term)
///     m ← β₁m + (1 − β₁)g';  v ← β₂v + (1 − β₂)g'²
///     m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ)
///     x ← x − η(m̂/(√v̂ + ε) + λx)         (adamw: decoupled; adam has no λx here)
///
/// Bias correction makes the first step exactly −η·g/(|g| + ε) per coordinate,
/// i.e. −η·sign(g) up to ε.
struct Adam: DoublePrecisionUpdate {
    /// Where the weight decay λ enters.
    enum WeightDecayForm: Equatable {
        /// Added to the gradient before the moments (PyTorch's `Adam(weight_decay:)`).
        case l2Gradient
        /// Applied to the parameters beside the step (AdamW).
        case decoupled
    }

    let name: String
    let parameterCount: Int
    let learningRate: Double
    let firstMomentDecay: Double
    let secondMomentDecay: Double
    let epsilon: Double
    let weightDecay: Double
    let weightDecayForm: WeightDecayForm
    private var firstMoment: [Double]
    private var secondMoment: [Double]
    private var stepCount = 0

    init(name: String, parameterCount: Int, learningRate: Double, firstMomentDecay: Double, secondMomentDecay: Double,
         epsilon: Double, weightDecay: Double, weightDecayForm: WeightDecayForm) {
        self.name = name
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.firstMomentDecay = firstMomentDecay
        self.secondMomentDecay = secondMomentDecay
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.weightDecayForm = weightDecayForm
        firstMoment = [Double](repeating: 0, count: parameterCount)
        secondMoment = [Double](repeating: 0, count: parameterCount)
    }

    mutating func update(parameters: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>) {
        stepCount += 1
        let (beta1, beta2, epsilon, learningRate) = (firstMomentDecay, secondMomentDecay, self.epsilon, self.learningRate)
        let firstCorrection = 1 - pow(beta1, Double(stepCount))
        let secondCorrection = 1 - pow(beta2, Double(stepCount))
        let gradientDecay = weightDecayForm == .l2Gradient ? weightDecay : 0
        let decoupledDecay = weightDecayForm == .decoupled ? weightDecay : 0
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                for i in m.indices {
                    let g = gradient[i] + gradientDecay * parameters[i]
                    m[i] = exponentialAverage(previous: m[i], sample: g, decay: beta1)
                    v[i] = exponentialAverage(previous: v[i], sample: g * g, decay: beta2)
                    let direction = (m[i] / firstCorrection) / ((v[i] / secondCorrection).squareRoot() + epsilon)
                    parameters[i] = descend(parameters[i], along: direction,
                                            learningRate: learningRate, decoupledDecay: decoupledDecay)
                }
            }
        }
    }

    var state: OptimizerState {
        get {
            OptimizerState(step: stepCount,
                           vectors: ["firstMoment": firstMoment, "secondMoment": secondMoment])
        }
        set {
            firstMoment = newValue.vector("firstMoment", count: parameterCount)
            secondMoment = newValue.vector("secondMoment", count: parameterCount)
            stepCount = newValue.checkedStep
        }
    }
}
