/// AdaGrad-Norm and Adam-Norm, with optional clipping and delay
/// (Chezhegov et al., "Clipping improves Adam-Norm and AdaGrad-Norm when the
/// noise is heavy-tailed", ICML 2025, arXiv 2406.04443):
///
///     g̃ = clip(g, c) = g·min(1, c/‖g‖)        (clip-* kinds; otherwise g̃ = g)
///     b² ← b² + ‖g̃‖²                          (AdaGrad-Norm: running sum)
///     b² ← β₂b² + (1 − β₂)‖g̃‖²                (Adam-Norm: exponential average)
///     m ← β₁m + (1 − β₁)g̃
///     x ← x − γ(m/(b + ε) + λx)                (delayed kinds: b before this step's update)
///
/// One scalar step size γ/b for the whole vector. Choices, documented here:
/// - Adam-Norm has momentum (β₁ = 0.9 by default) and no bias correction, as
///   in the paper's algorithm: the running b² starts from b₀² > 0 instead, and
///   a bias correction would inflate that prior. AdaGrad-Norm defaults to
///   β₁ = 0 (the classic method); β₁ > 0 gives the paper's momentum variant.
/// - The clipped gradient enters both the step and the statistic; the
///   statistic uses ‖g̃‖² = min(1, c/‖g‖)²·‖g‖².
/// - b² starts at b₀² (setting `initialAdaptiveScale`, default 1). The delayed
///   kinds step with b_{t−1}, so their first step uses b₀, which must be > 0
///   (or ε > 0); b₀ = c bounds that first step's length by γ.
/// - Weight decay, when set, is decoupled like AdamW (default λ = 0).
struct NormAdaptiveSGD: DoublePrecisionUpdate {
    /// How ‖g̃‖² is accumulated into b².
    enum Accumulation: Equatable {
        /// AdaGrad-Norm: b² ← b² + ‖g̃‖².
        case sum
        /// Adam-Norm: b² ← β₂b² + (1 − β₂)‖g̃‖².
        case exponentialAverage(decay: Double)
    }

    /// The structural choices that tell the six norm kinds apart.
    struct Variant: Equatable {
        var averagesExponentially: Bool
        var clipsGradient: Bool
        var delaysStepSize: Bool

        /// The variant of a norm kind; nil for the other kinds.
        init?(_ kind: OptimizerKind) {
            switch kind {
            case .adagradNorm: self.init(averagesExponentially: false, clipsGradient: false, delaysStepSize: false)
            case .adamNorm: self.init(averagesExponentially: true, clipsGradient: false, delaysStepSize: false)
            case .clipAdagradNorm: self.init(averagesExponentially: false, clipsGradient: true, delaysStepSize: false)
            case .clipAdamNorm: self.init(averagesExponentially: true, clipsGradient: true, delaysStepSize: false)
            case .delayedClipAdagradNorm: self.init(averagesExponentially: false, clipsGradient: true, delaysStepSize: true)
            case .delayedClipAdamNorm: self.init(averagesExponentially: true, clipsGradient: true, delaysStepSize: true)
            case .sgd, .momentum, .gclip, .cclip, .acclip, .adam, .adamw, .sign, .normalizedGD: return nil
            }
        }

        init(averagesExponentially: Bool, clipsGradient: Bool, delaysStepSize: Bool) {
            self.averagesExponentially = averagesExponentially
            self.clipsGradient = clipsGradient
            self.delaysStepSize = delaysStepSize
        }
    }

    let name: String
    let parameterCount: Int
    let learningRate: Double
    let momentumDecay: Double
    let epsilon: Double
    let weightDecay: Double
    let accumulation: Accumulation
    /// c, or nil for no clipping.
    let clipLevel: Double?
    let delaysStepSize: Bool
    private var momentum: [Double]
    /// b², the step-size statistic.
    private var scaleSquared: Double
    private var stepCount = 0

    init(name: String, parameterCount: Int, learningRate: Double, momentumDecay: Double, epsilon: Double,
         weightDecay: Double, accumulation: Accumulation, clipLevel: Double?, delaysStepSize: Bool, initialScale: Double) {
        self.name = name
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.momentumDecay = momentumDecay
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.accumulation = accumulation
        self.clipLevel = clipLevel
        self.delaysStepSize = delaysStepSize
        momentum = [Double](repeating: 0, count: parameterCount)
        scaleSquared = initialScale * initialScale
    }

    mutating func update(parameters: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>) {
        stepCount += 1
        let gradientNormSquared = squaredNorm(gradient)
        let factor = clipLevel.map { clipFactor(magnitude: gradientNormSquared.squareRoot(), threshold: $0) } ?? 1
        let statistic = factor * factor * gradientNormSquared
        let previousScaleSquared = scaleSquared
        switch accumulation {
        case .sum:
            scaleSquared = previousScaleSquared + statistic
        case .exponentialAverage(let decay):
            scaleSquared = exponentialAverage(previous: previousScaleSquared, sample: statistic, decay: decay)
        }
        let denominator = (delaysStepSize ? previousScaleSquared : scaleSquared).squareRoot() + epsilon
        let (learningRate, momentumDecay, weightDecay) = (self.learningRate, self.momentumDecay, self.weightDecay)
        momentum.withUnsafeMutableBufferPointer { m in
            for i in m.indices {
                m[i] = exponentialAverage(previous: m[i], sample: factor * gradient[i], decay: momentumDecay)
                parameters[i] = descend(parameters[i], along: m[i] / denominator,
                                        learningRate: learningRate, decoupledDecay: weightDecay)
            }
        }
    }

    var state: OptimizerState {
        get {
            OptimizerState(step: stepCount, vectors: ["momentum": momentum],
                           scalars: ["scaleSquared": scaleSquared])
        }
        set {
            momentum = newValue.vector("momentum", count: parameterCount)
            scaleSquared = newValue.scalar("scaleSquared")
            stepCount = newValue.checkedStep
        }
    }
}
