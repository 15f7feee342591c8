/// One estimate of the tail index α of P(X > x) ~ x^-α from the k largest
/// samples, with a 95 % confidence interval.
///
/// Every estimator reports α (the tail index) and γ = 1/α (the extreme-value
/// index) so that fields called alpha mean the same thing everywhere.
public struct TailIndexEstimate: Codable, Equatable, Sendable {
    /// Number of upper order statistics used.
    public var k: Int
    /// Extreme-value index γ̂ (γ = 1/α; γ ≤ 0 means no power-law tail).
    public var gamma: Double
    /// Tail index α̂ = 1/γ̂, or nil where γ̂ ≤ 0 (no finite tail index).
    public var alpha: Double?
    /// 95 % interval for α, [lower, upper]; an upper bound of nil means unbounded.
    public var alphaInterval95: ClosedInterval
    /// 95 % interval for γ.
    public var gammaInterval95: ClosedInterval
    /// The asymptotic-normal 95 % interval for α, where the estimator offers one beside its main interval.
    public var asymptoticAlphaInterval95: ClosedInterval?

    public init(k: Int, gamma: Double, gammaInterval95: ClosedInterval, alphaInterval95: ClosedInterval? = nil) {
        self.k = k
        self.gamma = gamma
        self.alpha = gamma > 0 ? 1 / gamma : nil
        self.gammaInterval95 = gammaInterval95
        self.alphaInterval95 = alphaInterval95 ?? gammaInterval95.reciprocal()
    }

    enum CodingKeys: String, CodingKey {
        case k, gamma, alpha
        case alphaInterval95 = "ci95"
        case gammaInterval95 = "gamma_ci95"
        case asymptoticAlphaInterval95 = "asymptotic_ci95"
    }
}

/// A closed interval [lower, upper]; nil bounds are unbounded (encoded as JSON null).
public struct ClosedInterval: Codable, Equatable, Sendable {
    public var lower: Double?
    public var upper: Double?

    public init(_ lower: Double?, _ upper: Double?) {
        self.lower = lower
        self.upper = upper
    }

    /// Maps an interval for γ to one for α = 1/γ: bounds at or below zero
    /// become "no finite α" (lower 0 or unbounded upper).
    func reciprocal() -> ClosedInterval {
        let upperAlpha = lower.flatMap { $0 > 0 ? 1 / $0 : nil }
        let lowerAlpha = upper.map { $0 > 0 ? 1 / $0 : 0 }
        return ClosedInterval(lowerAlpha, upperAlpha)
    }

    public func contains(_ x: Double) -> Bool {
        (lower.map { $0 <= x } ?? true) && (upper.map { x <= $0 } ?? true)
    }

    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        lower = try container.decodeNil() ? nil : try container.decode(Double.self)
        upper = try container.decodeNil() ? nil : try container.decode(Double.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        for bound in [lower, upper] {
            if let bound, bound.isFinite { try container.encode(bound) } else { try container.encodeNil() }
        }
    }
}
