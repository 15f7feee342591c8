import NoiseScopeCore
import Foundation
import NoiseScopeModels
import NoiseScopeStatistics

/// The bundled models and data by the names the command line uses, and where
/// the bundled data sets live.
public struct ModelCatalog {
    public enum Architecture: String, CaseIterable, Sendable, Codable {
        case tinygpt
        case tinygptNoAttention = "tinygpt-noattn"
        case resmlp
        case logreg
        case linreg

        var isText: Bool { self == .tinygpt || self == .tinygptNoAttention }
    }

    /// `text` (the bundled novel), `gaussian` (Gaussian input vectors over the
    /// novel's targets), `digits`, or a path to the user's own text file.
    public enum DataSource: Equatable, Sendable, Codable {
        case text, gaussian, digits, diabetes
        case file(String)

        public init(argument: String) {
            switch argument {
            case "text": self = .text
            case "gaussian": self = .gaussian
            case "digits": self = .digits
            case "diabetes": self = .diabetes
            default: self = .file(argument)
            }
        }

        public var name: String {
            switch self {
            case .text: return "text"
            case .gaussian: return "gaussian"
            case .digits: return "digits"
            case .diabetes: return "diabetes"
            case .file(let path): return path
            }
        }
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

    public typealias Failure = NoiseScopeError

    /// The folder of the bundled data: $NOISESCOPE_DATA_DIR, else the
    /// repository's notebooks-data/ (found from this source file's location).
    public static var dataDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["NOISESCOPE_DATA_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("notebooks-data")
    }

    static func bundledFile(_ name: String) throws -> URL {
        let url = dataDirectory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Failure(description: "bundled data \(url.path) is missing; set NOISESCOPE_DATA_DIR to the notebooks-data folder of the noisescope repository")
        }
        return url
    }

    /// Everything that rebuilds a model exactly: what checkpoints store.
    public struct Recipe: Codable, Equatable, Sendable {
        public var architecture: Architecture
        public var data: DataSource
        public var batchSize: Int
        public var seed: UInt64
        public var overrides: Overrides

        public init(architecture: Architecture, data: DataSource, batchSize: Int, seed: UInt64, overrides: Overrides = Overrides()) {
            self.architecture = architecture; self.data = data; self.batchSize = batchSize; self.seed = seed; self.overrides = overrides
        }
    }

    /// Builds the model of `recipe` (see `makeModel(_:data:batchSize:seed:overrides:)`).
    public static func makeModel(_ recipe: Recipe) throws -> any GradientModel<Float> {
        try makeModel(recipe.architecture, data: recipe.data, batchSize: recipe.batchSize, seed: recipe.seed, overrides: recipe.overrides)
    }

    /// Builds the model in fp32 with its data, sized for minibatches of `batchSize`.
    public static func makeModel(_ architecture: Architecture, data: DataSource, batchSize: Int, seed: UInt64,
                                 overrides: Overrides = Overrides()) throws -> any GradientModel<Float> {
        try validate(Recipe(architecture: architecture, data: data, batchSize: batchSize, seed: seed, overrides: overrides))
        if architecture.isText {
            var configuration = TinyGPTConfiguration(maxBatchSize: batchSize, attention: architecture == .tinygpt, seed: seed)
            if let width = overrides.width { configuration.width = width }
            if let layers = overrides.layers { configuration.layers = layers }
            if let heads = overrides.heads { configuration.heads = heads }
            if let context = overrides.context { configuration.contextLength = context }
            guard configuration.width % configuration.heads == 0 else {
                throw Failure(description: "--width \(configuration.width) is not divisible by --heads \(configuration.heads); pick a width that is a multiple of the head count")
            }
            let url: URL
            switch data {
            case .text: url = try bundledFile("prideprejudice.txt")
            case .gaussian:
                url = try bundledFile("prideprejudice.txt")
                configuration.gaussianInput = true
            case .file(let path):
                guard FileManager.default.fileExists(atPath: path) else {
                    throw Failure(description: "--data \(path): no such file; give text, gaussian, digits or a path to a text file")
                }
                url = URL(fileURLWithPath: path)
            case .digits, .diabetes:
                throw Failure(description: "\(architecture.rawValue) reads text; use --data text, gaussian or a text file (digits go with resmlp and logreg)")
            }
            let corpus = try TextCorpus(contentsOf: url, contextLength: configuration.contextLength)
            return TinyGPT<Float>(configuration: configuration, corpus: corpus)
        }
        if architecture == .linreg {
            guard data == .diabetes else { throw Failure(description: "linreg is least squares on the diabetes data; use --data diabetes") }
            _ = try bundledFile("diabetes_target.csv")
            return LinearRegression<Float>(data: try DiabetesDataset(directory: dataDirectory), maxBatchSize: batchSize)
        }
        guard data == .digits else {
            throw Failure(description: "\(architecture.rawValue) is trained on the 8×8 digits; use --data digits")
        }
        let digits = try DigitsDataset(contentsOf: bundledFile("digits.csv"))
        if architecture == .resmlp {
            var configuration = ResMLPConfiguration(maxBatchSize: batchSize, seed: seed)
            if let width = overrides.width { configuration.width = width }
            if let layers = overrides.layers { configuration.blocks = layers }
            return ResMLP<Float>(configuration: configuration, data: digits)
        }
        return LogReg<Float>(configuration: LogRegConfiguration(maxBatchSize: batchSize, seed: seed), data: digits)
    }

    /// The architecture called `name` on the command line (e.g. `tinygpt-noattn`).
    public static func architecture(named name: String) throws -> Architecture {
        guard let architecture = Architecture(rawValue: name) else {
            throw NoiseScopeError.invalidSetting(.model, message: "unknown model '\(TerminalText.safeForTerminal(name, limit: 60))'; choose one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return architecture
    }

    /// The data a model reads by default.
    public static func defaultData(for architecture: Architecture) -> DataSource {
        architecture.isText ? .text : architecture == .linreg ? .diabetes : .digits
    }
}
