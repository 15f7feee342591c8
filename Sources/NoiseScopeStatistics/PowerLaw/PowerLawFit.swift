import NoiseScopeCore
import Dispatch
import Foundation

/// A Clauset–Shalizi–Newman continuous power-law fit of the upper tail.
///
/// CSN's "alpha" is the density exponent of p(x) ∝ x^-a; here it is reported
/// as `densityExponent` (= α + 1) and `alpha` is the tail index of
/// P(X > x) ~ x^-α, as everywhere else in noisescope.
public struct PowerLawFit: Codable, Equatable, Sendable {
    /// Tail index α of P(X > x) ∝ x^-α above xmin.
    public var alpha: Double
    /// Density exponent α + 1 (CSN's and the `powerlaw` package's "alpha").
    public var densityExponent: Double
    /// Standard error of the MLE, (a − 1)/√n_tail (the same for α and a).
    public var sigma: Double
    /// The lower bound of the power-law tail, chosen by minimum KS distance.
    public var xmin: Double
    /// Number of samples ≥ xmin.
    public var tailCount: Int
    /// KS distance between the tail and the fitted law.
    public var ksDistance: Double
    /// "exact" (every distinct value scanned) or "grid" (log-spaced candidates, then refined).
    public var xminSearch: String
    /// Goodness-of-fit p-value by semi-parametric bootstrap, nil if not run;
    /// a sequential estimate (Besag & Clifford) when the bootstrap stopped early.
    public var goodnessOfFitP: Double?
    /// Bootstrap replicates behind `goodnessOfFitP` (fewer than planned when it stopped early).
    public var goodnessOfFitReplicates: Int
    /// Replicates planned (`--bootstrap`): the sequential test stops at ⌈planned/10⌉ reaching
    /// the observed distance, so p is then that count over `goodnessOfFitReplicates`. nil in
    /// reports of releases before 0.5.0, which always ran them all.
    public var goodnessOfFitPlannedReplicates: Int?
    public var versusLognormal: LikelihoodRatioTest
    public var versusExponential: LikelihoodRatioTest

    enum CodingKeys: String, CodingKey {
        case alpha, sigma, xmin
        case densityExponent = "density_exponent"
        case tailCount = "n_tail"
        case ksDistance = "ks_distance"
        case xminSearch = "xmin_search"
        case goodnessOfFitP = "gof_p"
        case goodnessOfFitReplicates = "gof_replicates"
        case goodnessOfFitPlannedReplicates = "gof_replicates_planned"
        case versusLognormal = "vs_lognormal"
        case versusExponential = "vs_exponential"
    }
}

extension PowerLawFit {
    /// "27 of at most 100 bootstrap replicates, sequential" when the test stopped
    /// early, "100 bootstrap replicates" when it ran them all.
    public static func replicatesText(_ fit: PowerLawFit) -> String {
        replicatesText(run: fit.goodnessOfFitReplicates, planned: fit.goodnessOfFitPlannedReplicates)
    }

    /// The same words for any sequential goodness of fit (continuous or discrete).
    package static func replicatesText(run: Int, planned: Int?) -> String {
        guard let planned, planned > run else { return "\(run) bootstrap replicates" }
        return "\(run) of at most \(planned) bootstrap replicates, sequential"
    }
}

/// Fits `PowerLawFit`s: the xmin scan, the MLE, the likelihood-ratio tests and
/// the bootstrap goodness of fit.
public struct PowerLawFitter: Sendable {
    /// How xmin candidates are searched.
    public enum XminSearch: Sendable, Equatable {
        /// Every distinct sample value (CSN's scan).
        case exact
        /// About `candidates` log-spaced tail sizes, refined exactly around the best.
        case grid(candidates: Int)
        /// Exact up to `exactLimit` samples, grid of 400 above.
        case automatic(exactLimit: Int)
    }

    public var xminSearch: XminSearch = .automatic(exactLimit: 200_000)
    /// Smallest tail a candidate xmin may leave.
    public var minimumTailCount = 2
    /// Replicates of the goodness-of-fit bootstrap at most (0 skips it).
    public var bootstrapReplicates = 100
    /// CSN's rule: an exact power law is plausible above xmin when p ≥ 0.1.
    public static let plausibilityThreshold = 0.1
    public var seed: UInt64 = 0

    public init(xminSearch: XminSearch = .automatic(exactLimit: 200_000), minimumTailCount: Int = 2,
                bootstrapReplicates: Int = 100, seed: UInt64 = 0) {
        self.xminSearch = xminSearch
        self.minimumTailCount = minimumTailCount
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
    }

    /// Fits the tail of `data`; nil when no candidate leaves a tail with distinct values.
    package func fit(_ data: OrderStatistics) -> PowerLawFit? {
        guard let (best, searchName) = scan(data) else { return nil }
        let m = best.tailCount
        let xmin = data.value(m)
        let tail = Array(data.descending[0..<m])
        let beta = best.tailIndex
        let powerLaw = tail.map { TruncatedTailModel.powerLawLogDensity($0, xmin: xmin, tailIndex: beta) }
        let exponential = TruncatedTailModel.Exponential(tail: tail, xmin: xmin)
        let lognormal = TruncatedTailModel.Lognormal(tail: tail, xmin: xmin)
        let versusExponential = LikelihoodRatioTest(pointwiseDifferences: zip(powerLaw, tail).map { $0 - exponential.logDensity($1, xmin: xmin) })
        let versusLognormal = LikelihoodRatioTest(pointwiseDifferences: zip(powerLaw, tail).map { $0 - lognormal.logDensity($1, xmin: xmin) })
        let test = bootstrapReplicates > 0 ? goodnessOfFit(data, best: best) : nil
        return PowerLawFit(alpha: beta, densityExponent: beta + 1, sigma: beta / Double(m).squareRoot(),
                           xmin: xmin, tailCount: m, ksDistance: best.distance, xminSearch: searchName,
                           goodnessOfFitP: test?.p, goodnessOfFitReplicates: test?.replicates ?? 0,
                           goodnessOfFitPlannedReplicates: test == nil ? nil : bootstrapReplicates,
                           versusLognormal: versusLognormal, versusExponential: versusExponential)
    }

    func scan(_ data: OrderStatistics) -> (PowerLawCandidate, String)? {
        scan(PowerLawScan(data: data))
    }

    func scan<Sample>(_ scanner: PowerLawScan<Sample>) -> (PowerLawCandidate, String)? {
        let data = scanner.data
        switch xminSearch {
        case .exact:
            return scanner.exact(minimumTailCount: minimumTailCount).map { ($0, "exact") }
        case .grid(let candidates):
            // A grid needs two points to have neighbours.
            return scanner.grid(minimumTailCount: minimumTailCount, gridSize: max(2, candidates)).map { ($0, "grid") }
        case .automatic(let limit):
            return data.count <= limit
                ? scanner.exact(minimumTailCount: minimumTailCount).map { ($0, "exact") }
                : scanner.grid(minimumTailCount: minimumTailCount, gridSize: 400).map { ($0, "grid") }
        }
    }

    /// CSN's semi-parametric bootstrap: each replicate keeps n, draws from the
    /// fitted power law with probability n_tail/n and from the observed values
    /// below xmin otherwise, and is refitted with its own xmin scan; p is the
    /// fraction of replicates whose KS distance is at least the observed one.
    /// Replicate r draws from its own substream of `seed`, so the p-value is the
    /// same whatever the number of threads (`threads`, default: every core).
    ///
    /// Sequential (Besag & Clifford 1991): replicates are taken in order and the
    /// test stops at the replicate r where h = ⌈0.1·R⌉ of them have reached the
    /// observed distance, with p = h/r; otherwise all R run and p is the plain
    /// fraction. Stopping early happens exactly when the full run's p would be
    /// at least 0.1, so the decision p < 0.1 is the full test's, and only a
    /// plausible fit (where most replicates reach the observed distance) costs
    /// fewer replicates: on a pure power law, about h/p of them instead of R.
    func goodnessOfFit(_ data: OrderStatistics, best: PowerLawCandidate, threads: Int? = nil) -> (p: Double, replicates: Int) {
        let workers = max(1, min(bootstrapReplicates, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        return SequentialPValue.estimate(observed: best.distance, planned: bootstrapReplicates, workers: workers) { range in
            bootstrapDistances(data, best: best, threads: workers, replicates: range)
        }
    }
}

/// The sequential Monte Carlo p-value of Besag & Clifford (1991) that both
/// goodness-of-fit bootstraps (continuous and discrete) use: replicates are
/// taken in order and the test stops at the replicate r where
/// h = ⌈0.1·planned⌉ of them have reached the observed distance, with p = h/r;
/// otherwise all run and p is the plain fraction.
enum SequentialPValue {
    /// `distances(range)` gives the replicates' distances in that range, in order.
    static func estimate(observed: Double, planned total: Int, workers: Int,
                         distances: (Range<Int>) -> [Double]) -> (p: Double, replicates: Int) {
        let enough = Int((PowerLawFitter.plausibilityThreshold * Double(total)).rounded(.up))
        var reached = 0, done = 0
        while done < total {
            // A few replicates per worker at a time: the rounds stay parallel, and
            // at most one round's worth is drawn past the stopping point.
            let upper = min(total, done + 4 * workers)
            for (offset, distance) in distances(done..<upper).enumerated() where distance >= observed {
                reached += 1
                if reached == enough { return (Double(reached) / Double(done + offset + 1), done + offset + 1) }
            }
            done = upper
        }
        return (Double(reached) / Double(total), total)
    }
}

extension PowerLawFitter {
    /// The xmin searches by name: `exact` (every distinct value), `grid` (400
    /// log-spaced candidates, refined) or `auto` (exact up to 200,000 samples).
    package enum XminSearchChoice: String, CaseIterable, Sendable {
        case exact, grid, auto

        package var search: XminSearch {
            switch self {
            case .exact: return .exact
            case .grid: return .grid(candidates: 400)
            case .auto: return .automatic(exactLimit: 200_000)
            }
        }
    }
}
