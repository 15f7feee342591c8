import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeStatistics

/// Checks a recipe before anything is built or loaded: sizes that make no
/// sense (a batch of 0, 0 heads, a negative width), flags that do not apply
/// to the architecture, and models that cannot fit in this machine's memory,
/// each refused in one line with the figure.
extension ModelCatalog {
    /// The largest size accepted for any one architecture number; real limits come from memory.
    public static let largestSize = 1 << 24
    /// The largest minibatch accepted; real limits come from memory and the data.
    public static let largestBatch = 1 << 24

    public static func validate(_ recipe: Recipe) throws {
        let o = recipe.overrides
        func positive(_ value: Int?, _ name: String) throws {
            guard let value else { return }
            guard value >= 1 && value <= largestSize else {
                throw Failure(description: "\(name) must be between 1 and \(largestSize), got \(value)")
            }
        }
        try positive(recipe.batchSize, "the minibatch size (--batch)")
        try positive(o.width, "the width (--width)")
        try positive(o.layers, "the number of blocks (--layers)")
        try positive(o.heads, "the number of attention heads (--heads)")
        try positive(o.context, "the context length (--context)")
        let name = recipe.architecture.rawValue
        switch recipe.architecture {
        case .tinygpt, .tinygptNoAttention:
            let defaults = TinyGPTConfiguration()
            let width = o.width ?? defaults.width, heads = o.heads ?? defaults.heads
            if recipe.architecture == .tinygptNoAttention, o.heads != nil {
                throw Failure(description: "tinygpt-noattn has no attention heads; drop --heads")
            }
            guard width % heads == 0 else {
                throw Failure(description: "width \(width) is not divisible by \(heads) heads; pick a width that is a multiple of the head count")
            }
        case .resmlp:
            if o.heads != nil || o.context != nil {
                throw Failure(description: "resmlp has no attention heads or context; --heads and --context apply to tinygpt only")
            }
        case .logreg, .linreg:
            if o.width != nil || o.layers != nil || o.heads != nil || o.context != nil {
                throw Failure(description: "\(name) has no width, blocks, heads or context to set; --width, --layers, --heads and --context apply to tinygpt (and width, layers to resmlp)")
            }
        }
        try MemoryBudget.require(bytes: estimatedBytes(recipe), for: "\(name) with these sizes",
                                 hint: "lower the width, layers, context or minibatch size")
    }

    /// A generous estimate of the memory a model of `recipe` takes while it is
    /// measured or trained: parameters and their gradient copies (per worker,
    /// the full gradient, the optimizer's state, the running means) and each
    /// worker's activations for a full minibatch. Good to a factor of two:
    /// enough to refuse what cannot fit, not a prediction.
    public static func estimatedBytes(_ recipe: Recipe) -> Double {
        let o = recipe.overrides
        let batch = Double(recipe.batchSize)
        let parameters: Double, activationsPerExample: Double
        switch recipe.architecture {
        case .tinygpt, .tinygptNoAttention:
            let c = TinyGPTConfiguration()
            let d = Double(o.width ?? c.width), layers = Double(o.layers ?? c.layers)
            let t = Double(o.context ?? c.contextLength), heads = Double(o.heads ?? c.heads), v = Double(c.vocabularySize)
            let attention = recipe.architecture == .tinygpt
            let attentionParameters: Double = attention ? 4 * d * d + 4 * d : 0
            let blockParameters: Double = attentionParameters + 8 * d * d + 9 * d
            parameters = v * d + t * d + layers * blockParameters + 2 * d
            let attentionActivations: Double = attention ? 3 * heads * t * t * layers : 0
            let streamActivations: Double = t * d * layers * 24
            activationsPerExample = streamActivations + 3 * t * v + attentionActivations
        case .resmlp:
            let c = ResMLPConfiguration()
            let w = Double(o.width ?? c.width), h = Double(c.hiddenWidth), blocks = Double(o.layers ?? c.blocks)
            let blockParameters: Double = 2 * w * h + h + 3 * w
            parameters = 65 * w + blocks * blockParameters + 12 * w + 10
            activationsPerExample = blocks * (4 * w + 3 * h) + 64 + 30
        case .logreg:
            parameters = 650
            activationsPerExample = 100
        case .linreg:
            parameters = 11
            activationsPerExample = 20
        }
        // Float copies: parameters, gradient, 2 worker gradients, 4 for the sampler and optimizer;
        // Double copies: the full gradient, mean and variance accumulators, the first minibatch's noise.
        let parameterBytes = parameters * (4 * 8 + 8 * 4)
        let activationBytes = 4 * batch * activationsPerExample * 2
        return parameterBytes + activationBytes + 64e6
    }
}
