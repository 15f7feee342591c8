/// Everything `noisescope check` computes on one positive sample: summaries,
/// the tail-index kit at one chosen k, the CSN power-law fit and the verdict.
public struct TailCheck: Sendable {
    public struct Options: Sendable {
        /// Number of upper order statistics; nil chooses it by the double bootstrap.
        public var k: Int?
        public var doubleBootstrap = DoubleBootstrap()
        public var powerLaw = PowerLawFitter()

        public init(k: Int? = nil, seed: UInt64 = 0, bootstrapReplicates: Int = 100,
                    xminSearch: PowerLawFitter.XminSearch = .automatic(exactLimit: 200_000)) {
            self.k = k
            doubleBootstrap.seed = seed
            powerLaw = PowerLawFitter(xminSearch: xminSearch, bootstrapReplicates: bootstrapReplicates, seed: seed)
        }
    }

    /// The smallest sample the check accepts.
    public static let minimumSampleCount = 10

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Runs the check on positive finite samples (clean them with `SampleCleaner` first).
    public static func run(_ samples: [Double], options: Options = Options()) throws -> TailCheckReport {
        guard samples.count >= minimumSampleCount else {
            throw Failure(description: "need at least \(minimumSampleCount) positive samples to estimate a tail, got \(samples.count); collect more samples")
        }
        let data = OrderStatistics(samples: samples)
        guard data.value(1) > data.value(data.count) else {
            throw Failure(description: "all \(data.count) samples are equal (\(data.value(1))): there is no tail to estimate")
        }
        let choice: DoubleBootstrap.Choice
        if let k = options.k {
            guard k >= 1 && k < data.count else {
                throw Failure(description: "k = \(k) is out of range: it must be between 1 and n − 1 = \(data.count - 1); lower --k or omit it to choose k automatically")
            }
            choice = DoubleBootstrap.Choice(k: k, method: "user", k1: nil, k2: nil, n1: nil, n2: nil)
        } else {
            choice = options.doubleBootstrap.chooseK(data)
        }
        var hill = HillEstimator.estimate(data, k: choice.k)
        if let alpha = hill.alpha { hill.asymptoticAlphaInterval95 = HillEstimator.asymptoticAlphaInterval(alpha: alpha, k: choice.k) }
        let moments = MomentEstimator.estimate(data, k: choice.k)
        let pickandsK = min(choice.k, PickandsEstimator.maximumK(n: data.count))
        let pickands = pickandsK >= 1 ? PickandsEstimator.estimate(data, k: pickandsK) : nil
        let powerLaw = options.powerLaw.fit(data)
        let (verdict, reason) = TailVerdict.decide(hill: hill, moments: moments, powerLaw: powerLaw)
        let summary = SampleSummary(data)
        return TailCheckReport(
            n: data.count, summary: summary, kSelection: choice, hill: hill, moments: moments, pickands: pickands,
            hillExcessOverMedian: excessOverMedian(data, median: summary.median, k: choice.k),
            powerLaw: powerLaw, verdict: verdict, verdictReason: reason)
    }

    /// Hill on the deviations X − median above the median, with the same k: a
    /// noise norm sits on a large offset, and this view reads the tail of the
    /// spread alone. Reported beside the verdict, which uses the raw samples.
    static func excessOverMedian(_ data: OrderStatistics, median: Double, k: Int) -> TailIndexEstimate? {
        let excess = data.descending.prefix { $0 > median }.map { $0 - median }
        guard excess.count >= 3 else { return nil }
        return HillEstimator.estimate(OrderStatistics(sortedDescending: excess), k: min(k, excess.count - 1))
    }
}

/// The result of `TailCheck.run`, encoded as `noisescope check --json` prints it.
public struct TailCheckReport: Codable, Sendable {
    public var n: Int
    public var summary: SampleSummary
    public var kSelection: DoubleBootstrap.Choice
    public var hill: TailIndexEstimate
    public var moments: TailIndexEstimate?
    public var pickands: TailIndexEstimate?
    public var hillExcessOverMedian: TailIndexEstimate?
    public var powerLaw: PowerLawFit?
    public var verdict: TailVerdict
    public var verdictReason: String
    /// Samples removed before the check (NaN/Inf, zeros and negatives), filled in by the caller.
    public var dropped: SampleCleaner.DroppedCounts?

    enum CodingKeys: String, CodingKey {
        case n, summary, hill, moments, pickands, verdict, dropped
        case kSelection = "k_selection"
        case hillExcessOverMedian = "hill_excess_over_median"
        case powerLaw = "powerlaw"
        case verdictReason = "verdict_reason"
    }
}
