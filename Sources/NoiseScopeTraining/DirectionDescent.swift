/// The two full-batch baselines of Kunstner et al. (ICLR 2023, "Noise is not
/// the main factor behind the gap between SGD and Adam on transformers"):
/// steps that keep only the direction of the (momentum-averaged) gradient.
///
///     m ← β₁m + (1 − β₁)g                     (β₁ = 0, the default: m = g)
///     u_i = sign(m_i)                         (sign: sign descent; β₁ > 0 is Signum)
///     u   = m/‖m‖                             (normalized-gd; u = 0 when m = 0)
///     x ← x − η(u + λx)                       (λ: decoupled weight decay)
///
/// The momentum is heavy-ball averaging of the gradient before the sign or the
/// normalisation (as in Signum, Bernstein et al. 2018), not after. sign(0) = 0,
/// and a NaN coordinate stays NaN (so a diverged gradient is passed on, not
/// hidden as a zero step). Sign descent is Adam with β₁ = β₂ = 0 and ε = 0;
/// normalised GD moves every step exactly η (for λ = 0).
struct DirectionDescent: DoublePrecisionUpdate {
    enum Rule: Equatable {
        /// Every coordinate moves ±η.
        case sign
        /// The whole vector moves η.
        case normalized
    }

    let name: String
    let parameterCount: Int
    let rule: Rule
    let learningRate: Double
    let momentumDecay: Double
    let weightDecay: Double
    private var momentum: [Double]
    private var stepCount = 0

    init(name: String, rule: Rule, parameterCount: Int, learningRate: Double, momentumDecay: Double, weightDecay: Double) {
        self.name = name
        self.rule = rule
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.momentumDecay = momentumDecay
        self.weightDecay = weightDecay
        momentum = [Double](repeating: 0, count: parameterCount)
    }

    /// +1, −1 or 0; NaN for NaN.
    @inline(__always)
    static func sign(_ value: Double) -> Double {
        value > 0 ? 1 : value < 0 ? -1 : value == 0 ? 0 : value
    }

    mutating func update(parameters: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>) {
        stepCount += 1
        let (learningRate, momentumDecay, weightDecay, rule) = (self.learningRate, self.momentumDecay, self.weightDecay, self.rule)
        momentum.withUnsafeMutableBufferPointer { m in
            for i in m.indices {
                m[i] = exponentialAverage(previous: m[i], sample: gradient[i], decay: momentumDecay)
            }
            switch rule {
            case .sign:
                for i in m.indices {
                    parameters[i] = descend(parameters[i], along: Self.sign(m[i]), learningRate: learningRate, decoupledDecay: weightDecay)
                }
            case .normalized:
                let norm = squaredNorm(UnsafeBufferPointer(m)).squareRoot()
                // ‖m‖ = 0: no direction, so no step (only the decay).
                let scale = norm == 0 ? 0 : 1 / norm
                for i in m.indices {
                    parameters[i] = descend(parameters[i], along: scale * m[i], learningRate: learningRate, decoupledDecay: weightDecay)
                }
            }
        }
    }

    var state: OptimizerState {
        get { OptimizerState(step: stepCount, vectors: ["momentum": momentum]) }
        set {
            momentum = newValue.vector("momentum", count: parameterCount)
            stepCount = newValue.checkedStep
        }
    }
}
