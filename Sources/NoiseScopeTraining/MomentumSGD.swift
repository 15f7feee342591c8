/// SGD, momentum SGD, and momentum SGD with its momentum clipped globally
/// (GClip) or per coordinate (CClip) — docs/science.md, "Optimizers":
///
///     m ← β₁m + (1 − β₁)g
///     ĝ = m                                   (sgd, momentum)
///     ĝ = min(τ/‖m‖, 1)·m                     (gclip)
///     ĝ_i = min(τ/|m_i|, 1)·m_i               (cclip, one scalar τ for all i)
///     x ← x − η(ĝ + λx)                       (λ: decoupled weight decay)
///
/// Plain SGD is the β₁ = 0 case (m = g exactly). The momentum itself is kept
/// unclipped; only the step is clipped. Clip-SGD of the heavy-tail simulation
/// is GClip with β₁ = 0: clip(g, c) then an SGD step.
struct MomentumSGD: DoublePrecisionUpdate {
    /// How the momentum is clipped before the step.
    enum Clipping: Equatable {
        case none
        /// GClip: the whole vector to norm at most τ.
        case globalNorm(threshold: Double)
        /// CClip: every coordinate to magnitude at most τ.
        case perCoordinate(threshold: Double)
    }

    let name: String
    let parameterCount: Int
    let learningRate: Double
    let momentumDecay: Double
    let weightDecay: Double
    let clipping: Clipping
    private var momentum: [Double]
    private var stepCount = 0

    init(name: String, parameterCount: Int, learningRate: Double, momentumDecay: Double,
         weightDecay: Double, clipping: Clipping) {
        self.name = name
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.momentumDecay = momentumDecay
        self.weightDecay = weightDecay
        self.clipping = clipping
        momentum = [Double](repeating: 0, count: parameterCount)
    }

    mutating func update(parameters: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>) {
        stepCount += 1
        let (learningRate, momentumDecay, weightDecay, clipping) = (self.learningRate, self.momentumDecay, self.weightDecay, self.clipping)
        momentum.withUnsafeMutableBufferPointer { m in
            for i in m.indices {
                m[i] = exponentialAverage(previous: m[i], sample: gradient[i], decay: momentumDecay)
            }
            var globalFactor = 1.0
            if case .globalNorm(let threshold) = clipping {
                globalFactor = clipFactor(magnitude: squaredNorm(UnsafeBufferPointer(m)).squareRoot(), threshold: threshold)
            }
            for i in m.indices {
                var factor = globalFactor
                if case .perCoordinate(let threshold) = clipping {
                    factor = clipFactor(magnitude: abs(m[i]), threshold: threshold)
                }
                parameters[i] = descend(parameters[i], along: factor * m[i],
                                        learningRate: learningRate, decoupledDecay: weightDecay)
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
