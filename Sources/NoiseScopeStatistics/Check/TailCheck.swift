import Dispatch
import NoiseScopeCore

/// Everything `noisescope check` computes on one positive sample: summaries,
/// the tail-index kit at one chosen k, the CSN power-law fit and the verdict.
public struct TailCheck: Sendable {
    public struct Options: Sendable {
        /// Number of upper order statistics; nil chooses it by the double bootstrap.
        public var k: Int?
        package var doubleBootstrap = DoubleBootstrap()
        public var powerLaw = PowerLawFitter()
        /// The calibrated decision (see `TailVerdictRule`).
        package var rule = TailVerdictRule()
        /// The samples are a trajectory (autocorrelated, in logging order): widen
        /// the interval by a moving-block bootstrap and the bounds the verdict
        /// commits on by 1/√θ̂, θ̂ the extremal index; the size floors apply to
        /// θ̂·n (`DependentSamples`, `TailVerdictRule.decide`).
        public var dependent = false
        /// With `dependent`: where each group of samples that share a step begins
        /// (the per-example noise of one recording step); the block bootstrap then
        /// resamples whole steps. nil: each sample is its own step.
        public var groupStarts: [Int]?
        /// Also fit CSN's discrete power law (`check --discrete`), beside the
        /// continuous fit; the samples must then be positive integers. nil: not fitted.
        package var discretePowerLaw: DiscretePowerLawFitter?

        public init(k: Int? = nil, seed: UInt64 = 0, bootstrapReplicates: Int = 100,
                    xminSearch: PowerLawFitter.XminSearch = .automatic(exactLimit: 200_000)) {
            self.k = k
            doubleBootstrap.seed = seed
            powerLaw = PowerLawFitter(xminSearch: xminSearch, bootstrapReplicates: bootstrapReplicates, seed: seed)
        }
    }

    /// The smallest sample the check accepts.
    public static let minimumSampleCount = 10

    public typealias Failure = NoiseScopeError

    /// Runs the check on positive finite samples (clean them with `SampleCleaner` first).
    public static func run(_ samples: [Double], options: Options = Options()) throws -> TailCheckReport {
        var copy = samples
        return try run(sorting: &copy, options: options)
    }

    /// Runs the check, sorting `samples` in place from the largest down (unless
    /// `options.dependent`, where their order is the trajectory and is kept):
    /// the order statistics share that storage, so at 10⁷ samples the check
    /// holds one array of them, not two.
    public static func run(sorting samples: inout [Double], options: Options = Options()) throws -> TailCheckReport {
        try requireEnough(samples.count)
        let unusable = samples.reduce(0) { $0 + ($1 > 0 && $1.isFinite ? 0 : 1) }
        guard unusable == 0 else {
            throw Failure(description: "the check needs positive finite samples; \(unusable) of \(samples.count) are zero, negative or not finite (drop or refuse them with SampleCleaner first)")
        }
        let data: OrderStatistics
        if options.dependent {
            data = OrderStatistics(samples: samples)
        } else {
            samples.sort(by: >)
            data = OrderStatistics(sortedDescending: samples)
        }
        guard data.value(1) > data.value(data.count) else {
            throw Failure(description: "all \(data.count) samples are equal (\(data.value(1))): there is no tail to estimate")
        }
        // The power-law fit (with its bootstrap, most of the work) needs only the
        // order statistics: it runs beside the verdict's serial parts, whose result
        // it does not read, so the cores stay busy and nothing changes but the time.
        let powerLaw = PendingFit { options.powerLaw.fit(data) }
        // Never leave while the fit still runs, not even by throwing: a caller that
        // exits on the error would end the process under the working thread.
        defer { _ = powerLaw.result }
        let discrete = try options.discretePowerLaw.map { fitter in
            try requireCounts(data.descending)
            return PendingFit { fitter.fit(data) }
        }
        defer { _ = discrete?.result }
        let trajectory = options.dependent
            ? DependentSamples(ordered: samples, groupStarts: options.groupStarts) : nil
        let decision = options.rule.decide(data, n: data.count, trajectory: trajectory)
        let choice = try chooseK(options, n: data.count, largestUsable: data.count - 1, stable: decision.evidence.kStar) {
            options.doubleBootstrap.chooseK(data)
        }
        var report = assemble(top: data, n: data.count, summary: SampleSummary(data), choice: choice, powerLaw: options.powerLaw,
                              decision: decision, fitted: powerLaw.result)
        report.discretePowerLaw = discrete?.result
        return report
    }

    /// `discretePowerLaw` needs positive integers: say which value is not one.
    static func requireCounts(_ values: [Double]) throws {
        if let value = DiscretePowerLawFitter.firstNonCount(in: values) {
            throw Failure(description: "the discrete power law needs positive integer samples (below 2⁵³), and \(NumberText.exact(value)) is not one; drop --discrete to fit the continuous law only")
        }
    }

    /// Runs the check on a bounded-memory sketch of a stream. Where the stream
    /// fitted in the sketch's top K this is exactly `run(_:)` on it. Otherwise:
    /// Hill, moments, Pickands and the CSN fit are exact on the top K (xmin is
    /// searched among them); k comes from the double bootstrap on the reservoir,
    /// as a fraction of its size applied to n; the median is the reservoir's;
    /// mean and kurtosis are exact; the goodness-of-fit bootstrap, which needs
    /// the whole body, is not run.
    public static func run(sketch: TailSketch, options: Options = Options()) throws -> TailCheckReport {
        try requireEnough(sketch.count)
        if sketch.count <= sketch.capacity { return try run(sketch.largest, options: options) }
        let top = OrderStatistics(sortedDescending: sketch.largest)
        guard top.value(1) > top.value(top.count) else {
            throw Failure(description: "the \(top.count) largest of \(sketch.count) samples are all equal (\(top.value(1))): raise --top to see below them")
        }
        let reservoir = OrderStatistics(samples: sketch.reservoir)
        let decision = options.rule.decide(top, n: sketch.count)
        let choice = try chooseK(options, n: sketch.count, largestUsable: top.count - 1, stable: decision.evidence.kStar) {
            var fromReservoir = options.doubleBootstrap.chooseK(reservoir)
            let fraction = Double(fromReservoir.k) / Double(reservoir.count)
            fromReservoir.k = min(top.count - 1, max(2, Int((fraction * Double(sketch.count)).rounded())))
            fromReservoir.method += " on the reservoir, scaled to n"
            return fromReservoir
        }
        let median = SampleSummary(reservoir).median
        let summary = SampleSummary(n: sketch.count, mean: sketch.mean, median: median, max: top.value(1),
                                    excessKurtosis: sketch.excessKurtosis)
        var powerLaw = options.powerLaw
        powerLaw.bootstrapReplicates = 0
        var report = assemble(top: top, n: sketch.count, summary: summary, choice: choice, powerLaw: powerLaw, decision: decision)
        if var discrete = options.discretePowerLaw {
            // As the continuous fit: exact on the top K, no goodness of fit (it needs the body).
            try requireCounts(top.descending)
            discrete.bootstrapReplicates = 0
            report.discretePowerLaw = discrete.fit(top)
        }
        return report
    }

    static func requireEnough(_ n: Int) throws {
        guard n >= minimumSampleCount else {
            throw Failure(description: "need at least \(minimumSampleCount) positive samples to estimate a tail, got \(n); collect more samples")
        }
    }

    /// The user's k (checked against the order statistics available); else the
    /// largest stable k of the verdict's rule; else the double bootstrap's,
    /// never n/2 or more without saying so in `method`.
    static func chooseK(_ options: Options, n: Int, largestUsable: Int, stable: Int?,
                        automatic: () -> DoubleBootstrap.Choice) throws -> DoubleBootstrap.Choice {
        guard let k = options.k else {
            if let stable { return DoubleBootstrap.Choice(k: stable, method: "largest stable k of the reduced-bias Hill path", k1: nil, k2: nil, n1: nil, n2: nil) }
            var choice = automatic()
            if choice.k >= n / 2 { choice.method += " (k ≥ n/2: the estimate reads the body of the sample, not its tail)" }
            return choice
        }
        guard k >= 1 && k <= largestUsable else {
            throw Failure(description: "k = \(k) is out of range: it must be between 1 and \(largestUsable)\(largestUsable < n - 1 ? " (the sketch keeps the \(largestUsable + 1) largest values)" : " = n − 1"); lower --k or omit it to choose k automatically")
        }
        return DoubleBootstrap.Choice(k: k, method: "user", k1: nil, k2: nil, n1: nil, n2: nil)
    }

    /// The estimators at k on the upper order statistics `top` of n samples, and the verdict.
    static func assemble(top data: OrderStatistics, n: Int, summary: SampleSummary, choice: DoubleBootstrap.Choice,
                         powerLaw fitter: PowerLawFitter,
                         decision: (verdict: TailVerdict, reason: String, evidence: TailVerdictEvidence),
                         fitted: PowerLawFit?? = nil) -> TailCheckReport {
        var hill = HillEstimator.estimate(data, k: choice.k)
        if let alpha = hill.alpha { hill.asymptoticAlphaInterval95 = HillEstimator.asymptoticAlphaInterval(alpha: alpha, k: choice.k) }
        let moments = MomentEstimator.estimate(data, k: choice.k)
        let pickandsK = min(choice.k, PickandsEstimator.maximumK(n: data.count))
        let pickands = pickandsK >= 1 ? PickandsEstimator.estimate(data, k: pickandsK) : nil
        let kernel = KernelEstimator.estimate(data, k: choice.k)
        let powerLaw = fitted ?? fitter.fit(data)
        var reason = decision.reason
        // What an inconclusive answer can still rule out, said first: the interval
        // the verdict reads lies wholly above 2.
        if decision.verdict == .inconclusive, let lower = decision.evidence.alphaInterval95?.lower, lower > 2 {
            reason = "no sign of infinite variance (α > 2 at 95 %, interval from \(String(format: "%.3g", lower))); " + reason
        }
        // The text never contradicts itself: a rejected goodness of fit qualifies a power-law verdict.
        if let p = powerLaw?.goodnessOfFitP, p < PowerLawFitter.plausibilityThreshold, decision.verdict == .heavy || decision.verdict == .infiniteVariance {
            reason += "; but the Clauset–Shalizi–Newman goodness-of-fit test rejects an exact power law above its xmin (p = \(String(format: "%.2g", p))): the tail index describes the top k*, not a Pareto law"
        }
        return TailCheckReport(
            n: n, summary: summary, kSelection: choice, hill: hill, moments: moments, pickands: pickands, kernel: kernel,
            powerLaw: powerLaw, verdict: decision.verdict, verdictReason: reason, evidence: decision.evidence)
    }
}

/// The result of `TailCheck.run`, encoded as `noisescope check --json` prints it.
public struct TailCheckReport: Codable, Sendable {
    public var n: Int
    public var summary: SampleSummary
    package var kSelection: DoubleBootstrap.Choice
    public var hill: TailIndexEstimate
    public var moments: TailIndexEstimate?
    public var pickands: TailIndexEstimate?
    /// The kernel-type (biweight) estimate with bandwidth k/n.
    public var kernel: TailIndexEstimate?
    public var powerLaw: PowerLawFit?
    /// CSN's discrete power law, when asked for (`check --discrete`); beside the verdict, never read by it.
    package var discretePowerLaw: DiscretePowerLawFit?
    public var verdict: TailVerdict
    public var verdictReason: String
    /// What the verdict rests on: k*, the interval with its bias allowance, the GPD fit, the tests.
    public var evidence: TailVerdictEvidence
    /// Samples removed before the check (NaN/Inf, zeros and negatives), filled in by the caller.
    public var dropped: SampleCleaner.DroppedCounts?

    enum CodingKeys: String, CodingKey {
        case n, summary, hill, moments, pickands, kernel, verdict, dropped, evidence
        case kSelection = "k_selection"
        case powerLaw = "powerlaw"
        case discretePowerLaw = "discrete_powerlaw"
        case verdictReason = "verdict_reason"
        // Written, not read: the verdict's estimate and interval at the top, first of the
        // intervals (the others are nominal), with the coverage calibrate measured for it.
        case alpha, alphaInterval95 = "alpha_interval95", alphaIntervalCoverage = "alpha_interval_coverage"
    }

    /// The verdict's interval coverage as JSON: measured on the battery's pure power laws at the calibrated n nearest this n.
    struct IntervalCoverage: Encodable {
        var n: Int
        var covered: Int
        var total: Int
        var rate: Double
        var measuredOn = "the calibration battery's pure power laws (noisescope calibrate; docs/check.md)"
        enum CodingKeys: String, CodingKey { case n, covered, total, rate, measuredOn = "measured_on" }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n, forKey: .n)
        try c.encode(summary, forKey: .summary)
        try c.encode(kSelection, forKey: .kSelection)
        try c.encode(hill, forKey: .hill)
        try c.encodeIfPresent(moments, forKey: .moments)
        try c.encodeIfPresent(pickands, forKey: .pickands)
        try c.encodeIfPresent(kernel, forKey: .kernel)
        try c.encodeIfPresent(powerLaw, forKey: .powerLaw)
        try c.encodeIfPresent(discretePowerLaw, forKey: .discretePowerLaw)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(verdictReason, forKey: .verdictReason)
        try c.encode(evidence, forKey: .evidence)
        try c.encodeIfPresent(dropped, forKey: .dropped)
        try c.encodeIfPresent(evidence.alpha, forKey: .alpha)
        try c.encodeIfPresent(evidence.alphaInterval95, forKey: .alphaInterval95)
        if evidence.alphaInterval95 != nil, let m = MeasuredCoverage.verdictInterval.nearest(n: n), m.total > 0 {
            try c.encode(IntervalCoverage(n: m.n, covered: m.covered, total: m.total, rate: m.rate), forKey: .alphaIntervalCoverage)
        }
    }

    package init(n: Int, summary: SampleSummary, kSelection: DoubleBootstrap.Choice, hill: TailIndexEstimate,
                moments: TailIndexEstimate?, pickands: TailIndexEstimate?, kernel: TailIndexEstimate?, powerLaw: PowerLawFit?,
                verdict: TailVerdict, verdictReason: String, evidence: TailVerdictEvidence, dropped: SampleCleaner.DroppedCounts? = nil) {
        self.n = n; self.summary = summary; self.kSelection = kSelection; self.hill = hill; self.moments = moments
        self.pickands = pickands; self.kernel = kernel; self.powerLaw = powerLaw; self.verdict = verdict
        self.verdictReason = verdictReason; self.evidence = evidence; self.dropped = dropped
    }

    /// Reads reports of earlier versions too: they had no `evidence`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        n = try c.decode(Int.self, forKey: .n)
        summary = try c.decode(SampleSummary.self, forKey: .summary)
        kSelection = try c.decode(DoubleBootstrap.Choice.self, forKey: .kSelection)
        hill = try c.decode(TailIndexEstimate.self, forKey: .hill)
        moments = try c.decodeIfPresent(TailIndexEstimate.self, forKey: .moments)
        pickands = try c.decodeIfPresent(TailIndexEstimate.self, forKey: .pickands)
        kernel = try c.decodeIfPresent(TailIndexEstimate.self, forKey: .kernel)
        powerLaw = try c.decodeIfPresent(PowerLawFit.self, forKey: .powerLaw)
        discretePowerLaw = try c.decodeIfPresent(DiscretePowerLawFit.self, forKey: .discretePowerLaw)
        verdict = try c.decode(TailVerdict.self, forKey: .verdict)
        verdictReason = try c.decode(String.self, forKey: .verdictReason)
        evidence = try c.decodeIfPresent(TailVerdictEvidence.self, forKey: .evidence) ?? TailVerdictEvidence()
        dropped = try c.decodeIfPresent(SampleCleaner.DroppedCounts.self, forKey: .dropped)
    }
}

/// A power-law fit (continuous or discrete) computed on another thread; `result`
/// waits for it (and returns at once when asked again). Whoever starts one
/// waits for it on every path out, errors included.
private final class PendingFit<Fit>: @unchecked Sendable {
    private var value: Fit?
    private let done = DispatchGroup()

    init(_ body: @escaping @Sendable () -> Fit?) {
        done.enter()
        DispatchQueue.global().async {
            self.value = body()
            self.done.leave()
        }
    }

    var result: Fit? {
        done.wait()
        return value
    }
}
