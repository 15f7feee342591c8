/// Hyper-parameters of an optimizer, with documented defaults per kind.
///
/// One struct serves every kind; each kind reads only the fields it needs
/// (listed below) and ignores the rest. Start from `defaults(for:)` and change
/// what you need.
///
/// | field | used by | meaning |
/// |---|---|---|
/// | `learningRate` | all | η (for the norm methods γ, the length scale of a step) |
/// | `beta1` | momentum, gclip, cclip, acclip, adam(w), the norm methods, sign, normalized-gd | momentum decay β₁ (0 = no momentum) |
/// | `beta2` | acclip, adam(w), the Adam-Norm kinds | decay of the second-moment / threshold average |
/// | `epsilon` | acclip, adam(w), the norm methods | ε in the denominator |
/// | `weightDecay` | all | λ: an L2 term in the gradient for `adam`, decoupled (x ← x − η(u + λx)) for every other kind |
/// | `clipThreshold` | gclip, cclip, the clip-* norm methods | τ (gclip: on ‖m‖; cclip: on every |m_i|) or c (clip(g, c) = g·min(1, c/‖g‖)) |
/// | `alpha` | acclip | the moment order α of the adaptive threshold, 1 ≤ α ≤ 2 |
/// | `initialAdaptiveScale` | acclip, the norm methods | acclip: τ₀ (τ₀^α starts the threshold average); norm methods: b₀ (b² starts at b₀²) |
///
/// CClip uses one scalar τ for all coordinates. The principled per-coordinate
/// threshold of Zhang et al. (τ_i ≈ (E|g_i|^α)^{1/α}, the per-coordinate noise
/// scale) is exactly what ACClip estimates online, so CClip stays the fixed,
/// scalar-threshold baseline. Because the right τ depends on the model's
/// gradient scale, set it from a measurement (e.g. a typical |g_i|) rather than
/// relying on the default.
package struct OptimizerSettings: Codable, Equatable, Sendable {
    package var learningRate: Double
    package var beta1: Double
    package var beta2: Double
    package var epsilon: Double
    package var weightDecay: Double
    package var clipThreshold: Double
    package var alpha: Double
    package var initialAdaptiveScale: Double

    package init(learningRate: Double, beta1: Double = 0, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, clipThreshold: Double = 1, alpha: Double = 1, initialAdaptiveScale: Double = 1) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipThreshold = clipThreshold
        self.alpha = alpha
        self.initialAdaptiveScale = initialAdaptiveScale
    }

    /// The defaults for `kind`:
    /// - sgd: η = 0.01.
    /// - momentum, gclip, cclip: η = 0.01, β₁ = 0.9, τ = 1 (gclip: a global norm; cclip: per coordinate).
    /// - acclip (Zhang et al. 2020): η = 1e−4, β₁ = 0.9, β₂ = 0.99, ε = 1e−5, α = 1,
    ///   λ = 1e−5 (decoupled), τ₀ = 0 (the threshold average starts at 0, as in
    ///   the authors' reference code).
    /// - adam: η = 1e−3, β₁ = 0.9, β₂ = 0.999, ε = 1e−8, λ = 0.
    /// - adamw: as adam with λ = 0.01 (decoupled; PyTorch's default).
    /// - adam-norm family: γ = 0.01, β₁ = 0.9, β₂ = 0.999, ε = 1e−8, c = 1, b₀ = 1.
    /// - adagrad-norm family: γ = 0.01, β₁ = 0 (plain AdaGrad-Norm), ε = 1e−8, c = 1, b₀ = 1.
    /// - sign: η = 1e−3 (the per-coordinate step, as Adam's), β₁ = 0 (plain sign descent).
    /// - normalized-gd: η = 0.1 (the length of the whole step), β₁ = 0.
    ///
    /// b₀ = 1 equals the default clip level, so a delayed method's first step,
    /// γ·clip(g, c)/b₀, is at most γ long. The norm methods' γ is the length of
    /// a whole-vector step, not a per-coordinate one (unlike Adam's η).
    package static func defaults(for kind: OptimizerKind) -> OptimizerSettings {
        switch kind {
        case .sgd:
            return OptimizerSettings(learningRate: 0.01)
        case .momentum, .gclip, .cclip:
            return OptimizerSettings(learningRate: 0.01, beta1: 0.9, clipThreshold: 1)
        case .acclip:
            return OptimizerSettings(learningRate: 1e-4, beta1: 0.9, beta2: 0.99, epsilon: 1e-5,
                                     weightDecay: 1e-5, alpha: 1, initialAdaptiveScale: 0)
        case .adam:
            return OptimizerSettings(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        case .adamw:
            return OptimizerSettings(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        case .adamNorm, .clipAdamNorm, .delayedClipAdamNorm:
            return OptimizerSettings(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                     clipThreshold: 1, initialAdaptiveScale: 1)
        case .adagradNorm, .clipAdagradNorm, .delayedClipAdagradNorm:
            return OptimizerSettings(learningRate: 0.01, beta1: 0, epsilon: 1e-8,
                                     clipThreshold: 1, initialAdaptiveScale: 1)
        case .sign:
            return OptimizerSettings(learningRate: 1e-3, beta1: 0)
        case .normalizedGD:
            return OptimizerSettings(learningRate: 0.1, beta1: 0)
        }
    }

    /// Why these settings cannot drive `kind`, one sentence per problem; empty when they can.
    package func problems(for kind: OptimizerKind) -> [String] {
        var problems: [String] = []
        func require(_ condition: Bool, _ message: String) { if !condition { problems.append(message) } }
        require(learningRate >= 0 && learningRate.isFinite, "learning rate must be finite and ≥ 0")
        require(weightDecay >= 0 && weightDecay.isFinite, "weight decay must be finite and ≥ 0")
        if kind != .sgd { require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1)") }
        switch kind {
        case .sgd, .momentum, .sign, .normalizedGD:
            break
        case .gclip, .cclip:
            require(clipThreshold > 0, "clip threshold τ must be > 0")
        case .acclip:
            require(beta2 >= 0 && beta2 <= 1, "beta2 must be in [0, 1]")
            require(epsilon >= 0, "epsilon must be ≥ 0")
            require(alpha >= 1 && alpha <= 2, "ACClip's alpha must be in [1, 2]")
            require(initialAdaptiveScale >= 0, "initial threshold τ₀ must be ≥ 0")
        case .adam, .adamw:
            require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1)")
            require(epsilon >= 0, "epsilon must be ≥ 0")
        case .adamNorm, .adagradNorm, .clipAdamNorm, .clipAdagradNorm, .delayedClipAdamNorm, .delayedClipAdagradNorm:
            require(beta2 >= 0 && beta2 <= 1, "beta2 must be in [0, 1]")
            require(epsilon >= 0, "epsilon must be ≥ 0")
            require(initialAdaptiveScale >= 0 && initialAdaptiveScale.isFinite, "initial scale b₀ must be finite and ≥ 0")
            require(initialAdaptiveScale > 0 || epsilon > 0, "b₀ or epsilon must be > 0 so the first step is defined")
            if NormAdaptiveSGD.Variant(kind)?.clipsGradient == true {
                require(clipThreshold > 0, "clip level c must be > 0")
            }
        }
        return problems
    }
}
