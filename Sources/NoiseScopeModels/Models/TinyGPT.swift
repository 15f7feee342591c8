import NoiseScopeCore

/// tinygpt: a pre-LayerNorm decoder-only transformer on bytes or word tokens (docs/models.md), and its
/// two ablations: without attention (every block keeps only its MLP sublayer) and
/// with Gaussian input vectors in place of the token embedding lookup.
///
/// Forward: x = wte[token] + wpe[t] (or g(window, t) + wpe[t]); per block
/// x = x + proj(attn(LN1(x))), x = x + fcp(gelu(fc(LN2(x)))); logits = LNf(x)·wteᵀ;
/// loss = mean cross-entropy over all B·T positions.

/// Architecture and run settings of tinygpt; every default is the docs/models.md number.
package struct TinyGPTConfiguration: Sendable, Equatable, Codable {
    /// Vocabulary: 256 for bytes, the word vocabulary's size for word tokens.
    package var vocabularySize = 256
    /// Context length T (window size).
    package var contextLength = 64
    /// Width d.
    package var width = 64
    /// Number of blocks L.
    package var layers = 2
    /// Attention heads H (head size d/H).
    package var heads = 4
    /// Largest minibatch (windows) the workspace is sized for; B = 8 by default.
    package var maxBatchSize = 8
    /// false: the attention sublayer is removed from every block.
    package var attention = true
    /// true: Gaussian unit input vectors replace the token embedding lookup.
    package var gaussianInput = false
    /// Seed of the initialisation (and of the Gaussian inputs).
    package var seed: UInt64 = 0
    /// Std of every weight matrix and embedding at init (proj/fcp: std/√(2L)).
    package var initStd = 0.02
    /// How the two cores are used.
    package var parallelism: Parallelism = .default

    package init(vocabularySize: Int = 256, contextLength: Int = 64, width: Int = 64, layers: Int = 2,
                heads: Int = 4, maxBatchSize: Int = 8, attention: Bool = true, gaussianInput: Bool = false,
                seed: UInt64 = 0, initStd: Double = 0.02, parallelism: Parallelism = .default) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.width = width
        self.layers = layers
        self.heads = heads
        self.maxBatchSize = maxBatchSize
        self.attention = attention
        self.gaussianInput = gaussianInput
        self.seed = seed
        self.initStd = initStd
        self.parallelism = parallelism
    }

    /// MLP hidden width 4d.
    package var hiddenWidth: Int { 4 * width }

    /// `tinygpt`, `tinygpt-noattn`, with `-gaussian` appended for Gaussian input.
    package var modelName: String {
        (attention ? "tinygpt" : "tinygpt-noattn") + (gaussianInput ? "-gaussian" : "")
    }
}

/// The parameter layout and layer slots of a tinygpt configuration (precision-free).
struct TinyGPTArchitecture {
    let config: TinyGPTConfiguration
    let layout: ParameterLayout
    let wte: Int
    let wpe: Int
    let attention: [AttentionSublayer?]
    let mlp: [MLPSublayer]
    let head: ClassifierHead

    init(_ c: TinyGPTConfiguration) {
        precondition(c.width % c.heads == 0, "width \(c.width) must be divisible by heads \(c.heads)")
        precondition(c.vocabularySize >= 1 && c.contextLength >= 1 && c.layers >= 0)
        config = c
        var layout = ParameterLayout()
        let std = c.initStd, outStd = c.initStd / (2 * Double(c.layers)).squareRoot()
        wte = layout.add("wte", [c.vocabularySize, c.width], .normal(std: std))
        wpe = layout.add("wpe", [c.contextLength, c.width], .normal(std: std))
        var attention: [AttentionSublayer?] = []
        var mlp: [MLPSublayer] = []
        for l in 0..<c.layers {
            attention.append(c.attention
                ? AttentionSublayer.add(to: &layout, prefix: "blocks.\(l)", dim: c.width, heads: c.heads,
                                        std: std, outStd: outStd)
                : nil)
            mlp.append(MLPSublayer.add(to: &layout, prefix: "blocks.\(l)", names: ("ln2", "fc", "fcp"),
                                       dim: c.width, hidden: c.hiddenWidth, std: std, outStd: outStd))
        }
        let lnf = LayerNormSlot.add(to: &layout, "lnf", dim: c.width)
        // Tied output head: logits = LNf(x) · wteᵀ, no bias.
        head = ClassifierHead(ln: lnf, linear: LinearSlot(weight: wte, bias: nil, inDim: c.width,
                                                           outDim: c.vocabularySize))
        self.attention = attention
        self.mlp = mlp
        self.layout = layout
    }

    /// Training FLOPs per window: T·(6·N + 6·L·T·d) with N the parameters other than
    /// the position embeddings (the attention term only when attention is present).
    var flopsPerExample: Double {
        let c = config
        let n = Double(layout.count - c.contextLength * c.width)
        let attn = c.attention ? 6.0 * Double(c.layers * c.contextLength * c.width) : 0
        return Double(c.contextLength) * (6 * n + attn)
    }
}

/// tinygpt (or an ablation) over a token corpus (bytes or words), computing in `T`.
package final class TinyGPT<T: BLASScalar>: DataParallelModel<T>, @unchecked Sendable {
    package let configuration: TinyGPTConfiguration
    package let corpus: TextCorpus
    /// The Gaussian inputs, when `configuration.gaussianInput`.
    package let gaussianInputs: GaussianInputs?

    /// Builds the model with parameters initialised from `configuration.seed`.
    /// `corpus.contextLength` must equal `configuration.contextLength`.
    package init(configuration: TinyGPTConfiguration = TinyGPTConfiguration(), corpus: TextCorpus) {
        precondition(corpus.contextLength == configuration.contextLength,
                     "corpus windows are \(corpus.contextLength) tokens but the model context is \(configuration.contextLength)")
        if configuration.vocabularySize < corpus.vocabularySize {
            precondition(corpus.tokens.allSatisfy { Int($0) < configuration.vocabularySize },
                         "corpus has tokens ≥ vocabulary size \(configuration.vocabularySize)")
        }
        let arch = TinyGPTArchitecture(configuration)
        self.configuration = configuration
        self.corpus = corpus
        let gaussian = configuration.gaussianInput
            ? GaussianInputs(seed: configuration.seed, contextLength: configuration.contextLength, dimension: configuration.width)
            : nil
        gaussianInputs = gaussian
        super.init(name: configuration.modelName, layout: arch.layout, seed: configuration.seed, exampleCount: corpus.windowCount,
                   positionsPerExample: configuration.contextLength, flopsPerExample: arch.flopsPerExample,
                   maxBatchSize: configuration.maxBatchSize, parallelism: configuration.parallelism) { capacity, params in
            TinyGPTWorkspace(arch: arch, corpus: corpus, gaussian: gaussian, params: params, capacity: capacity)
        }
    }

    /// The window's input tokens decoded to text (Gaussian input: the window whose targets it predicts).
    package override func describeExample(_ index: Int) -> String? {
        guard index >= 0 && index < corpus.windowCount else { return nil }
        return String(decoding: corpus.text(of: corpus.window(index).inputs), as: UTF8.self)
    }
}

/// One worker's activations and scratch for tinygpt.
final class TinyGPTWorkspace<T: BLASScalar>: MinibatchWorkspace {
    let arch: TinyGPTArchitecture
    let corpus: TextCorpus
    let gaussian: GaussianInputs?
    let params: UnsafePointer<T>
    let capacity: Int
    private let tokens: UnsafeMutablePointer<Int32>
    /// The last `run`'s targets (read by `lossByTargetClass`).
    let targets: UnsafeMutablePointer<Int32>
    private let encoded: FlatBuffer<T>
    private let attention: [AttentionActivations<T>?]
    private let mlp: [MLPActivations<T>]
    /// After a forward-only `run`, the probabilities of every position (read by `lossByTargetClass`).
    let head: HeadActivations<T>
    private let scratch: BackwardScratch<T>
    private let rng = RandomSource(seed: 0)
    private let gaussianScratch: UnsafeMutablePointer<Double>

    init(arch: TinyGPTArchitecture, corpus: TextCorpus, gaussian: GaussianInputs?, params: UnsafePointer<T>,
         capacity: Int) {
        let c = arch.config
        let rows = capacity * c.contextLength
        self.arch = arch
        self.corpus = corpus
        self.gaussian = gaussian
        self.params = params
        self.capacity = capacity
        tokens = .allocate(capacity: rows)
        targets = .allocate(capacity: rows)
        tokens.initialize(repeating: 0, count: rows)
        targets.initialize(repeating: 0, count: rows)
        encoded = FlatBuffer(count: rows * c.width)
        attention = (0..<c.layers).map { _ in
            c.attention ? AttentionActivations(batch: capacity, context: c.contextLength, dim: c.width, heads: c.heads)
                        : nil
        }
        mlp = (0..<c.layers).map { _ in MLPActivations(rows: rows, dim: c.width, hidden: c.hiddenWidth) }
        head = HeadActivations(rows: rows, dim: c.width, classes: c.vocabularySize, layerNorm: true)
        scratch = BackwardScratch(rows: rows, dim: c.width, hidden: c.hiddenWidth, attention: c.attention,
                                  context: c.contextLength)
        gaussianScratch = .allocate(capacity: c.width)
        gaussianScratch.initialize(repeating: 0, count: c.width)
    }

    deinit {
        tokens.deallocate()
        targets.deallocate()
        gaussianScratch.deallocate()
    }

    // The one entry point of all heavy work: specialised eagerly, so that callers that
    // reach it through generic code (the worker pool, other modules) run the
    // Float/Double instantiation rather than the witness-table version.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(indices: UnsafeBufferPointer<Int>, gradient: GradientTarget<T>?, lossScale: T) -> Double {
        let c = arch.config
        let b = indices.count, t = c.contextLength, d = c.width, n = b * t
        precondition(b <= capacity)
        let p = params
        // Inputs: token lookup or Gaussian vectors, plus positions.
        for (k, i) in indices.enumerated() {
            corpus.copyWindow(i, inputs: tokens + k * t, targets: targets + k * t)
        }
        if let gaussian {
            for (k, i) in indices.enumerated() {
                gaussian.fill(window: i, into: encoded.pointer + k * t * d, rng: rng, scratch: gaussianScratch)
            }
            positionAddForward(encoded.pointer, wpe: p + arch.wpe, batch: b, context: t, dim: d)
        } else {
            embeddingForward(encoded.pointer, tokens: tokens, wte: p + arch.wte, wpe: p + arch.wpe,
                             batch: b, context: t, dim: d)
        }
        // Blocks.
        var x = UnsafePointer(encoded.pointer)
        for l in 0..<c.layers {
            if let sub = arch.attention[l], let a = attention[l] {
                sub.forward(a, input: x, params: p, batch: b, context: t)
                x = UnsafePointer(a.out.pointer)
            }
            arch.mlp[l].forward(mlp[l], input: x, params: p, rows: n)
            x = UnsafePointer(mlp[l].out.pointer)
        }
        let loss = arch.head.forward(head, input: x, targets: targets, params: p, rows: n)
        guard let g = gradient else { return loss }
        g.zero(parameterCount: arch.layout.count)

        // Backward, in reverse; dres carries ∂loss/∂(residual stream).
        let dres = scratch.dres.pointer
        arch.head.backward(head, input: x, targets: targets, dres: dres, dln: scratch.dln.pointer, scale: lossScale,
                           params: p, grad: g, rows: n)
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            let blockInput = l == 0 ? UnsafePointer(encoded.pointer) : UnsafePointer(mlp[l - 1].out.pointer)
            let mlpInput = attention[l].map { UnsafePointer($0.out.pointer) } ?? blockInput
            arch.mlp[l].backward(mlp[l], input: mlpInput, dres: dres, scratch: scratch, params: p, grad: g, rows: n)
            if let sub = arch.attention[l], let a = attention[l] {
                sub.backward(a, input: blockInput, dres: dres, scratch: scratch, params: p, grad: g,
                             batch: b, context: t)
            }
        }
        if gaussian != nil {
            positionAddBackward(dwpe: g.base + arch.wpe, dout: dres, batch: b, context: t, dim: d, groups: g.groups)
        } else {
            embeddingBackward(dwte: g.base + arch.wte, dwpe: g.base + arch.wpe, dout: dres, tokens: tokens,
                              batch: b, context: t, dim: d, groups: g.groups)
        }
        return loss
    }
}
