/// What the verdict rests on, as `check --json` prints it under "evidence".
public struct TailVerdictEvidence: Codable, Equatable, Sendable {
    /// The rule's name and version: the calibration table belongs to it.
    public var rule = "stable-k reduced-bias Hill + GPD, v6 (threshold-stability light test, no top heavier than exponential; heavier-higher-up test; bias correction at most 25 %; heavy and infinite-variance from n = 10000)"
    /// The largest k where the reduced-bias Hill estimate is stable (nil: none).
    public var kStar: Int?
    /// The smallest and largest stable k.
    public var stableK: [Int]?
    /// α̂ = 1/γ̄(k*), the reduced-bias Hill estimate.
    public var alpha: Double?
    /// The 95 % interval for α with the bias allowance (hull over [k*/4, k*]).
    public var alphaInterval95: ClosedInterval?
    package var secondOrder: SecondOrderParameters?
    /// The generalised Pareto fit over X(k*+1) (peaks over threshold; shift-invariant).
    public var gpd: GeneralizedParetoFit?
    /// The light test: the GPD at the largest usable k, and its point estimate higher up.
    public var lightTest: LightTest?
    /// The curvature statistic g₋ (moment estimator's negative part) at k ≈ n/10.
    public var curvature: Curvature?
    /// Vuong's normalised statistic of the power law against a truncated lognormal at k* (> 0 favours the power law).
    public var lognormalVuongZ: Double?
    /// α̂ over plain Hill's α at k*: how far the second-order bias model moves the estimate, a sign of a Hill path still bending at k* (read before a power-law verdict).
    package var biasCorrection: Double?
    /// Whether the top of the top k* is heavier than the rest (read before a `heavy` verdict).
    package var heavierHigherUp: HeavierHigherUp?
    /// For samples along a trajectory (`--dependent`): the block bootstrap that widened the interval.
    package var blockBootstrap: DependentSamples.Spread?
    /// For samples along a trajectory: the extremal index and how much the bounds the verdict commits on were widened.
    package var dependence: Dependence?

    package struct Dependence: Codable, Equatable, Sendable {
        /// θ̂ above the top 5 % (Ferro & Segers' intervals estimator); nil when too few exceedances.
        package var extremalIndex: Double?
        /// r = 1/√θ̂ (1 when θ̂ is unknown): the factor on the standard errors of the bounds the verdict commits on.
        package var standardErrorInflation: Double
        enum CodingKeys: String, CodingKey { case extremalIndex = "extremal_index", standardErrorInflation = "standard_error_inflation" }
    }

    public struct LightTest: Codable, Equatable, Sendable {
        public var k: Int
        public var xiUpper95: Double?
        public var kHigherUp: Int
        public var xiHigherUp: Double
        /// The range of k [lower, upper] where the GPD interval for ξ lies above 0
        /// (the threshold-stability check), when there is one.
        package var positiveShapeRange: [Int]?
        /// Whether the top of the top k is spread wider than an exponential tail allows (linear Rényi spacings).
        package var heavierThanExponential: HeavierHigherUp?
        enum CodingKeys: String, CodingKey {
            case k, xiUpper95 = "xi_upper95", kHigherUp = "k_higher_up", xiHigherUp = "xi_higher_up"
            case positiveShapeRange = "positive_shape_range", heavierThanExponential = "heavier_than_exponential"
        }
    }

    public struct Curvature: Codable, Equatable, Sendable {
        public var k: Int
        public var gMinus: Double
        enum CodingKeys: String, CodingKey { case k, gMinus = "g_minus" }
    }

    enum CodingKeys: String, CodingKey {
        case rule, alpha, gpd, curvature
        case kStar = "k_star", stableK = "stable_k", alphaInterval95 = "alpha_ci95"
        case secondOrder = "second_order", lightTest = "light_test", lognormalVuongZ = "lognormal_vuong_z"
        case blockBootstrap = "block_bootstrap", dependence, heavierHigherUp = "heavier_higher_up", biasCorrection = "bias_correction"
    }

    public init() {}
}
