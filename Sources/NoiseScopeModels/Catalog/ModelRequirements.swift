import NoiseScopeCore


/// Checks a recipe before anything is built or loaded: sizes that make no
/// sense (a batch of 0, 0 heads, a negative width), flags that do not apply
/// to the architecture, and models that cannot fit in this machine's memory,
/// each refused in one line with the figure.
extension ModelCatalog {
    /// The largest size accepted for any one architecture number; real limits come from memory.
    package static let largestSize = 1 << 24
    /// The largest minibatch accepted; real limits come from memory and the data.
    package static let largestBatch = 1 << 24

    package static func validate(_ recipe: Recipe) throws {
        let o = recipe.overrides
        func positive(_ value: Int?, _ setting: NoiseScopeError.Setting) throws {
            guard let value else { return }
            guard value >= 1 && value <= largestSize else {
                throw NoiseScopeError.invalidSetting(setting, message: "the \(setting.rawValue) must be between 1 and \(largestSize), got \(value)")
            }
        }
        try positive(recipe.batchSize, .batchSize)
        try positive(o.width, .width)
        try positive(o.layers, .layers)
        try positive(o.heads, .heads)
        try positive(o.context, .context)
        let name = recipe.architecture.rawValue
        let entry = ModelRegistry.entry(for: recipe.architecture)
        let given: [(ModelEntry.Size, Int?, NoiseScopeError.Setting)] = [(.width, o.width, .width), (.layers, o.layers, .layers), (.heads, o.heads, .heads), (.context, o.context, .context)]
        for (size, value, setting) in given where value != nil && !entry.sizes.contains(size) {
            let others = ModelRegistry.entries.filter { $0.sizes.contains(size) }.map(\.architecture.rawValue)
            throw NoiseScopeError.invalidSetting(setting, message: "\(name) has no \(size.rawValue) to set; it applies to \(others.joined(separator: ", ")) only")
        }
        try entry.checkSizes(o)
        let readsData: Bool
        switch (entry.reads, recipe.data) {
        case (.text, .text), (.text, .words), (.text, .gaussian), (.text, .gaussianUniform), (.text, .file), (.digits, .digits), (.diabetes, .diabetes): readsData = true
        default: readsData = false
        }
        guard readsData else {
            let wanted = entry.reads == .text ? "text, words, gaussian, gaussian-uniform or a text file" : entry.reads.rawValue
            throw NoiseScopeError.invalidSetting(.data, message: "\(name) reads \(wanted), not \(TerminalText.safeForTerminal(recipe.data.name, limit: 100)); pick that data or another model")
        }
        try MemoryBudget.require(bytes: estimatedBytes(recipe), for: "\(name) with these sizes",
                                 hint: "lower the width, layers, context or minibatch size")
    }

    /// A generous estimate of the memory a model of `recipe` takes while it is
    /// measured or trained: parameters and their gradient copies (per worker,
    /// the full gradient, the optimizer's state, the running means) and each
    /// worker's activations for a full minibatch. Good to a factor of two:
    /// enough to refuse what cannot fit, not a prediction.
    package static func estimatedBytes(_ recipe: Recipe) -> Double {
        let batch = Double(recipe.batchSize)
        let (parameters, activationsPerExample) = ModelRegistry.entry(for: recipe.architecture).footprint(recipe)
        // Float copies: parameters, gradient, 2 worker gradients, 4 for the sampler and optimizer;
        // Double copies: the full gradient, mean and variance accumulators, the first minibatch's noise.
        let parameterBytes = parameters * (4 * 8 + 8 * 4)
        let activationBytes = 4 * batch * activationsPerExample * 2
        return parameterBytes + activationBytes + 64e6
    }
}
