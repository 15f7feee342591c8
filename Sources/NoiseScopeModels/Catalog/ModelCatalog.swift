import NoiseScopeCore
import Foundation


/// The bundled models and data by the names the command line uses, and where
/// the bundled data sets live.
public struct ModelCatalog {
    public enum Architecture: String, CaseIterable, Sendable, Codable {
        case tinygpt
        case tinygptNoAttention = "tinygpt-noattn"
        case resmlp
        case logreg
        case linreg
        case digitsMLP = "mlp"
    }

    /// `text` (the bundled novel), `words` (the novel in word tokens, a
    /// vocabulary of 4096: the class-imbalanced control), `gaussian` (Gaussian
    /// input vectors over the novel's targets), `gaussian-uniform` (Gaussian
    /// inputs over targets drawn uniformly from the novel's distinct bytes: the
    /// class-balanced control), `digits`, or a path to the user's own text file.
    public enum DataSource: Equatable, Sendable, Codable {
        case text, gaussian, digits, diabetes
        case gaussianUniform
        case file(String)
        case words

        public init(argument: String) {
            switch argument {
            case "text": self = .text
            case "words": self = .words
            case "gaussian": self = .gaussian
            case "gaussian-uniform": self = .gaussianUniform
            case "digits": self = .digits
            case "diabetes": self = .diabetes
            default: self = .file(argument)
            }
        }

        public var name: String {
            switch self {
            case .text: return "text"
            case .words: return "words"
            case .gaussian: return "gaussian"
            case .gaussianUniform: return "gaussian-uniform"
            case .digits: return "digits"
            case .diabetes: return "diabetes"
            case .file(let path): return path
            }
        }

        /// The token ids a text model reads from this data, for sizing before
        /// anything is loaded: the word vocabulary's size for `words`, 256 bytes otherwise.
        package var vocabularySize: Int { self == .words ? WordVocabulary.defaultSize : WordVocabulary.byteCount }
    }

    /// Architecture numbers a user may override; nil keeps the default in docs/models.md.
    public struct Overrides: Sendable, Codable, Equatable {
        public var width: Int?
        public var layers: Int?
        public var heads: Int?
        public var context: Int?
        public init(width: Int? = nil, layers: Int? = nil, heads: Int? = nil, context: Int? = nil) {
            self.width = width; self.layers = layers; self.heads = heads; self.context = context
        }
    }

    package typealias Failure = NoiseScopeError

    /// The folder of the bundled data (see `BundledData`): $NOISESCOPE_DATA_DIR,
    /// else the resources beside the executable or under its install prefix.
    package static var dataDirectory: URL { BundledData.directory }

    static func bundledFile(_ name: String) throws -> URL { try BundledData.file(name) }

    /// Everything that rebuilds a model exactly: what checkpoints store.
    package struct Recipe: Codable, Equatable, Sendable {
        package var architecture: Architecture
        package var data: DataSource
        package var batchSize: Int
        package var seed: UInt64
        package var overrides: Overrides

        package init(architecture: Architecture, data: DataSource, batchSize: Int, seed: UInt64, overrides: Overrides = Overrides()) {
            self.architecture = architecture; self.data = data; self.batchSize = batchSize; self.seed = seed; self.overrides = overrides
        }
    }

    /// Builds the model of `recipe` (see `makeModel(_:data:batchSize:seed:overrides:)`).
    package static func makeModel(_ recipe: Recipe) throws -> any GradientModel<Float> {
        try makeModel(recipe.architecture, data: recipe.data, batchSize: recipe.batchSize, seed: recipe.seed, overrides: recipe.overrides)
    }

    /// Builds the model in fp32 with its data, sized for minibatches of `batchSize`.
    package static func makeModel(_ architecture: Architecture, data: DataSource, batchSize: Int, seed: UInt64,
                                 overrides: Overrides = Overrides()) throws -> any GradientModel<Float> {
        let recipe = Recipe(architecture: architecture, data: data, batchSize: batchSize, seed: seed, overrides: overrides)
        try validate(recipe)
        return try ModelRegistry.entry(for: architecture).build(recipe, LoadedData(source: data))
    }

    /// The data of a recipe, loaded when a model asks for it.
    package struct LoadedData: Sendable {
        package let source: DataSource

        /// The token corpus cut into windows: the bytes of the novel or of the
        /// user's text file, or the novel's word tokens.
        func corpus(contextLength: Int) throws -> TextCorpus {
            let url: URL
            switch source {
            case .text, .gaussian: url = try bundledFile("prideprejudice.txt")
            case .words:
                let novel = try bundledFile("prideprejudice.txt")
                let bytes = try TextCorpus.bytes(of: novel)
                return try TextCorpus(bytes: bytes, wordVocabulary: try WordVocabulary(buildingFrom: bytes),
                                      contextLength: contextLength, source: novel.path + " (word tokens)")
            case .gaussianUniform:
                let novel = try TextCorpus(contentsOf: try bundledFile("prideprejudice.txt"), contextLength: contextLength)
                return try TextCorpus(bytes: Self.uniformBytes(like: novel.bytes), contextLength: contextLength,
                                      source: novel.source + " (bytes drawn uniformly)")
            case .file(let path):
                guard FileManager.default.fileExists(atPath: path) else {
                    throw NoiseScopeError.invalidSetting(.data, message: "\(TerminalText.safeForTerminal(path, limit: 200)): no such file; give text, gaussian, digits or a path to a text file")
                }
                url = URL(fileURLWithPath: path)
            case .digits, .diabetes: preconditionFailure("validate() refuses this pairing")
            }
            return try TextCorpus(contentsOf: url, contextLength: contextLength)
        }

        /// As many bytes as `bytes`, each drawn uniformly and independently
        /// from the distinct bytes of `bytes`, with a fixed seed (the same data
        /// for every run, as the novel is): the targets lose their Zipf-like
        /// imbalance and keep their alphabet.
        static func uniformBytes(like bytes: [UInt8]) -> [UInt8] {
            let alphabet = Array(Set(bytes)).sorted()
            let random = RandomSource(seed: 0x756E_6966_6F72_6D)  // "uniform"
            return bytes.indices.map { _ in
                alphabet[min(alphabet.count - 1, Int(random.uniformPositive() * Double(alphabet.count)))]
            }
        }

        func digits() throws -> DigitsDataset { try DigitsDataset(contentsOf: bundledFile("digits.csv")) }

        func diabetes() throws -> DiabetesDataset {
            _ = try bundledFile("diabetes_target.csv")
            return try DiabetesDataset(directory: dataDirectory)
        }
    }

    /// The architecture called `name` on the command line (e.g. `tinygpt-noattn`).
    package static func architecture(named name: String) throws -> Architecture {
        guard let architecture = Architecture(rawValue: name) else {
            throw NoiseScopeError.invalidSetting(.model, message: "unknown model '\(TerminalText.safeForTerminal(name, limit: 60))'; choose one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return architecture
    }

    /// The data a model reads by default.
    package static func defaultData(for architecture: Architecture) -> DataSource {
        switch ModelRegistry.entry(for: architecture).reads {
        case .text: return .text
        case .digits: return .digits
        case .diabetes: return .diabetes
        }
    }
}
