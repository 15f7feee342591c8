/// The optimizers noisescope compares (docs/science.md, "Optimizers").
///
/// The raw values are the command-line names.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// x ← x − ηg.
    case sgd
    /// m ← β₁m + (1−β₁)g; x ← x − ηm.
    case momentum
    /// Momentum SGD with the momentum clipped to global norm τ: ĝ = min(τ/‖m‖, 1)·m.
    case gclip
    /// Momentum SGD with every coordinate of the momentum clipped to τ: ĝ_i = min(τ/|m_i|, 1)·m_i.
    case cclip
    /// Adaptive coordinate-wise clipping (Zhang et al. 2020, Algorithm 1).
    case acclip
    /// Adam with bias correction; `weightDecay` is an L2 term added to the gradient.
    case adam
    /// Adam with decoupled weight decay (Loshchilov & Hutter).
    case adamw
    /// One scalar step size from an exponential average of ‖g‖², with momentum.
    case adamNorm = "adam-norm"
    /// One scalar step size from the running sum of ‖g‖².
    case adagradNorm = "adagrad-norm"
    /// Adam-Norm on clip(g, c) = g·min(1, c/‖g‖).
    case clipAdamNorm = "clip-adam-norm"
    /// AdaGrad-Norm on clip(g, c).
    case clipAdagradNorm = "clip-adagrad-norm"
    /// Clip-Adam-Norm stepping with the statistic from before the current gradient.
    case delayedClipAdamNorm = "delayed-clip-adam-norm"
    /// Clip-AdaGrad-Norm stepping with the statistic from before the current gradient.
    case delayedClipAdagradNorm = "delayed-clip-adagrad-norm"
    /// Sign descent: m ← β₁m + (1−β₁)g; x ← x − η·sign(m) (β₁ = 0 by default; β₁ > 0 is Signum).
    case sign
    /// Normalised gradient descent: m as for sign; x ← x − η·m/‖m‖.
    case normalizedGD = "normalized-gd"
}
