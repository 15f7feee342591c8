/// The six methods of the heavy-tail simulation (seed 002), each one of the
/// library's optimizers run on the 1-D problem with parameter scalar `Double`.
package enum HeavyTailMethod: String, CaseIterable, Codable, Sendable {
    case sgd
    /// clip(g, c) then an SGD step: the `gclip` optimizer with β₁ = 0.
    case clipSGD = "clip-sgd"
    case adagradNorm = "adagrad-norm"
    case adamNorm = "adam-norm"
    case clipAdagradNorm = "clip-adagrad-norm"
    case clipAdamNorm = "clip-adam-norm"

    /// The optimizer that implements the method.
    package var optimizerKind: OptimizerKind {
        switch self {
        case .sgd: return .sgd
        case .clipSGD: return .gclip
        case .adagradNorm: return .adagradNorm
        case .adamNorm: return .adamNorm
        case .clipAdagradNorm: return .clipAdagradNorm
        case .clipAdamNorm: return .clipAdamNorm
        }
    }
}
