import Foundation
import NoiseScopeCore

/// One bundled model: the data it reads, the sizes a user may set, how big it
/// gets, and how to build it. The catalog, the checks before building and the
/// docs iterate `ModelRegistry.entries`; adding a model is its own file, its
/// test and one entry here.
package struct ModelEntry: Sendable {
    /// The data families a model reads.
    package enum Reads: String, Sendable { case text, digits, diabetes }
    /// The architecture numbers a user may override.
    package enum Size: String, Sendable, CaseIterable { case width, layers, heads, context }

    package let architecture: ModelCatalog.Architecture
    /// One line for help and docs.
    package let summary: String
    package let reads: Reads
    /// Sizes that apply; any other is refused, never reinterpreted.
    package let sizes: [Size]
    /// Parameter count and activations per example (in scalars) for a recipe's overrides and data.
    let footprint: @Sendable (ModelCatalog.Recipe) -> (parameters: Double, activationsPerExample: Double)
    /// Consistency of the overrides among themselves (e.g. width divisible by heads).
    let checkSizes: @Sendable (ModelCatalog.Overrides) throws -> Void
    /// The model in fp32 for `recipe`, its data loaded from `ModelCatalog.LoadedData`.
    let build: @Sendable (ModelCatalog.Recipe, ModelCatalog.LoadedData) throws -> any GradientModel<Float>
}

package enum ModelRegistry {
    /// The bundled models, in the order help and docs list them.
    package static let entries: [ModelEntry] = [
        tinyGPTEntry(attention: true), tinyGPTEntry(attention: false), resMLPEntry, logRegEntry, linearRegressionEntry, digitsMLPEntry,
    ]

    /// The entry of `architecture` (every architecture has one).
    package static func entry(for architecture: ModelCatalog.Architecture) -> ModelEntry {
        entries.first { $0.architecture == architecture }!
    }

    static func tinyGPTEntry(attention: Bool) -> ModelEntry {
        ModelEntry(
            architecture: attention ? .tinygpt : .tinygptNoAttention,
            summary: attention ? "GPT (attention, MLP, LayerNorm) on text: bytes, or word tokens with words" : "tinygpt with the attention sublayers removed (the no-attention control)",
            reads: .text, sizes: attention ? [.width, .layers, .heads, .context] : [.width, .layers, .context],
            footprint: { recipe in
                let c = TinyGPTConfiguration(), o = recipe.overrides
                let d = Double(o.width ?? c.width), layers = Double(o.layers ?? c.layers)
                let t = Double(o.context ?? c.contextLength), heads = Double(o.heads ?? c.heads), v = Double(recipe.data.vocabularySize)
                let attentionParameters: Double = attention ? 4 * d * d + 4 * d : 0
                let blockParameters: Double = attentionParameters + 8 * d * d + 9 * d
                let attentionActivations: Double = attention ? 3 * heads * t * t * layers : 0
                return (v * d + t * d + layers * blockParameters + 2 * d, t * d * layers * 24 + 3 * t * v + attentionActivations)
            },
            checkSizes: { o in
                let defaults = TinyGPTConfiguration()
                let width = o.width ?? defaults.width, heads = o.heads ?? defaults.heads
                guard width % heads == 0 else {
                    throw NoiseScopeError.invalidSetting(.heads, message: "width \(width) is not divisible by \(heads) heads; pick a width that is a multiple of the head count")
                }
            },
            build: { recipe, data in
                var configuration = TinyGPTConfiguration(maxBatchSize: recipe.batchSize, attention: attention, seed: recipe.seed)
                let o = recipe.overrides
                if let width = o.width { configuration.width = width }
                if let layers = o.layers { configuration.layers = layers }
                if let heads = o.heads { configuration.heads = heads }
                if let context = o.context { configuration.contextLength = context }
                configuration.gaussianInput = recipe.data == .gaussian || recipe.data == .gaussianUniform
                let corpus = try data.corpus(contextLength: configuration.contextLength)
                configuration.vocabularySize = corpus.vocabularySize
                return TinyGPT<Float>(configuration: configuration, corpus: corpus)
            })
    }

    static let resMLPEntry = ModelEntry(
        architecture: .resmlp, summary: "residual MLP on the 8×8 digits (the ResNet stand-in); layers = residual blocks",
        reads: .digits, sizes: [.width, .layers],
        footprint: { recipe in
            let c = ResMLPConfiguration(), o = recipe.overrides
            let w = Double(o.width ?? c.width), h = Double(c.hiddenWidth), blocks = Double(o.layers ?? c.blocks)
            return (65 * w + blocks * (2 * w * h + h + 3 * w) + 12 * w + 10, blocks * (4 * w + 3 * h) + 64 + 30)
        },
        checkSizes: { _ in },
        build: { recipe, data in
            var configuration = ResMLPConfiguration(maxBatchSize: recipe.batchSize, seed: recipe.seed)
            if let width = recipe.overrides.width { configuration.width = width }
            if let layers = recipe.overrides.layers { configuration.blocks = layers }
            return ResMLP<Float>(configuration: configuration, data: try data.digits())
        })

    static let logRegEntry = ModelEntry(
        architecture: .logreg, summary: "multinomial logistic regression on the 8×8 digits (convex)",
        reads: .digits, sizes: [], footprint: { _ in (650, 100) }, checkSizes: { _ in },
        build: { recipe, data in
            LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: recipe.batchSize, seed: recipe.seed), data: try data.digits())
        })

    static let linearRegressionEntry = ModelEntry(
        architecture: .linreg, summary: "least squares on the diabetes data (Gaussian-like noise, a control)",
        reads: .diabetes, sizes: [], footprint: { _ in (11, 20) }, checkSizes: { _ in },
        build: { recipe, data in
            LinearRegression<Float>(data: try data.diabetes(), maxBatchSize: recipe.batchSize)
        })
}

extension ModelRegistry {
    static let digitsMLPEntry = ModelEntry(
        architecture: .digitsMLP, summary: "one-hidden-layer perceptron on the 8×8 digits (GELU); width = hidden units",
        reads: .digits, sizes: [.width],
        footprint: { recipe in
            let w = Double(recipe.overrides.width ?? DigitsMLPConfiguration().width)
            return (65 * w + 10 * w + 10, 4 * w + 64 + 30)
        },
        checkSizes: { _ in },
        build: { recipe, data in
            var configuration = DigitsMLPConfiguration(maxBatchSize: recipe.batchSize, seed: recipe.seed)
            if let width = recipe.overrides.width { configuration.width = width }
            return DigitsMLP<Float>(configuration: configuration, data: try data.digits())
        })
}
