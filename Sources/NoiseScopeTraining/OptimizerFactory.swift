import NoiseScopeCore
/// Makes an optimizer of `kind` for a parameter vector of `parameterCount`
/// entries, reading from `settings` the fields that kind uses (see
/// `OptimizerSettings`). Throws `NoiseScopeError.invalidSetting` for out-of-range
/// settings, so values typed on a command line are reported, not trapped.
package func makeOptimizer(_ kind: OptimizerKind, settings: OptimizerSettings,
                          parameterCount: Int) throws -> any Optimizer {
    precondition(parameterCount >= 0, "parameter count must be non-negative")
    let problems = settings.problems(for: kind)
    guard problems.isEmpty else {
        throw NoiseScopeError.invalidSetting(.optimizer, message: "invalid settings for \(kind.rawValue): " + problems.joined(separator: "; "))
    }
    let name = kind.rawValue
    let s = settings
    switch kind {
    case .sgd, .momentum, .gclip, .cclip:
        let clipping: MomentumSGD.Clipping
        switch kind {
        case .gclip: clipping = .globalNorm(threshold: s.clipThreshold)
        case .cclip: clipping = .perCoordinate(threshold: s.clipThreshold)
        default: clipping = .none
        }
        return MomentumSGD(name: name, parameterCount: parameterCount, learningRate: s.learningRate,
                           momentumDecay: kind == .sgd ? 0 : s.beta1, weightDecay: s.weightDecay, clipping: clipping)
    case .acclip:
        return ACClip(name: name, parameterCount: parameterCount, learningRate: s.learningRate, momentumDecay: s.beta1,
                      thresholdDecay: s.beta2, epsilon: s.epsilon, weightDecay: s.weightDecay, momentOrder: s.alpha,
                      initialThreshold: s.initialAdaptiveScale)
    case .adam, .adamw:
        return Adam(name: name, parameterCount: parameterCount, learningRate: s.learningRate, firstMomentDecay: s.beta1,
                    secondMomentDecay: s.beta2, epsilon: s.epsilon, weightDecay: s.weightDecay,
                    weightDecayForm: kind == .adam ? .l2Gradient : .decoupled)
    case .adamNorm, .adagradNorm, .clipAdamNorm, .clipAdagradNorm, .delayedClipAdamNorm, .delayedClipAdagradNorm:
        let variant = NormAdaptiveSGD.Variant(kind)!
        return NormAdaptiveSGD(name: name, parameterCount: parameterCount, learningRate: s.learningRate,
                               momentumDecay: s.beta1, epsilon: s.epsilon, weightDecay: s.weightDecay,
                               accumulation: variant.averagesExponentially ? .exponentialAverage(decay: s.beta2) : .sum,
                               clipLevel: variant.clipsGradient ? s.clipThreshold : nil,
                               delaysStepSize: variant.delaysStepSize, initialScale: s.initialAdaptiveScale)
    case .sign, .normalizedGD:
        return DirectionDescent(name: name, rule: kind == .sign ? .sign : .normalized, parameterCount: parameterCount,
                                learningRate: s.learningRate, momentumDecay: s.beta1, weightDecay: s.weightDecay)
    }
}
