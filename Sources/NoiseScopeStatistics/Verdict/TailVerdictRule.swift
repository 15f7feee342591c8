import Foundation

/// The calibrated decision behind `check`'s verdict, with every constant in
/// one place. Measured on the battery of `noisescope calibrate` (docs/check.md,
/// "The verdict"); change a constant only with a new calibration table.
///
/// 1. n below `minimumSamples`: inconclusive.
/// 2. Light, location-invariant: the generalised Pareto fit to the
///    exceedances over X(k_L+1), k_L the largest usable k (≤ n/5), has a 95 %
///    upper bound for ξ below `lightXi`, and its point estimate
///    `lightStepsUp` grid steps higher up is below `lightXiHigherUp`, and the
///    largest value is not far beyond that fit (probability ≥ `lightOutlierP`),
///    and the threshold-stability curve agrees: no run of `positiveShapeRun`
///    neighbouring grid k below k_L whose GPD interval for ξ lies above 0 (a
///    run ending at k ≤ `clusterK` is named a cluster of the top values), and
///    the top of the top k_L is no wider spread than an exponential tail
///    (linear Rényi spacings, `HeavierHigherUp`, p ≥ `heavierVetoP`).
/// 3. Curvature veto: at k ≈ n/10 the moment estimator's negative part g₋ is
///    below `curvatureG` with √k·g₋ below `curvatureZ` (log-excesses lighter
///    than exponential: lognormal, stretched exponential): inconclusive.
/// 4. k*: the largest grid k where the reduced-bias Hill γ̄ is stable, i.e.
///    within `stabilityZ` standard errors of γ̄ at every grid k' in
///    [k/`stabilitySpan`, k) (Hill's covariance: var(γ̄(k') − γ̄(k)) ≈ γ²(1/k' − 1/k)),
///    with |√k·g₋(k)| ≤ `negativePartZ`. None, or k* < `smallestKStar`: inconclusive.
/// 5. Interval for α: the hull of the reduced-bias and the plain Hill 95 %
///    intervals over the grid k in [k*/`hullSpan`, k*], an allowance for the
///    bias left at k* (ρ̂ and β̂, taken deep in the sample, can be wrong on an
///    exact power law; the plain Hill interval is right there).
/// 6. Cross-checks at k*: the GPD interval for ξ reaching 0, the GPD ξ̂ and γ̄
///    disagreeing by more than `agreementZ` standard errors, or a lognormal
///    fitting the tail better (Vuong's statistic below `lognormalVetoZ`):
///    inconclusive.
/// 7. Neither power-law verdict when α̂ exceeds plain Hill's α at k* by more than
///    `largestBiasCorrection`: by its own second-order bias model the Hill path
///    still bends at k*, so the fitted range is not yet a power law (a cutoff).
///    infinite-variance when the interval lies below 2 (and n ≥
///    `minimumForInfiniteVariance`), heavy when it lies at or above 2 (and its
///    upper end is below `largestHeavyAlpha`: larger is an offset body, not a
///    tail; n ≥ `minimumForHeavy`; the top of the top k* no heavier than the
///    rest, log Rényi spacings, p ≥ `heavierVetoP`), else inconclusive.
package struct TailVerdictRule: Sendable, Equatable {
    package var minimumSamples = 500
    package var minimumForInfiniteVariance = 10_000
    package var minimumForLight = 5000
    package var minimumForHeavy = 10_000
    /// The grid: k_j = round(smallestK · √2^j), used up to largestKFraction · n.
    package var smallestK = 20
    package var largestKFraction = 0.2
    package var stabilitySpan = 4.0
    package var stabilityZ = 2.0
    package var negativePartZ = 2.0
    package var smallestKStar = 40
    package var hullSpan = 2.0
    package var agreementZ = 2.5
    package var lightXi = 0.15
    package var lightXiHigherUp = 0.25
    /// Light also needs the maximum to be this plausible under the light fit.
    package var lightOutlierP = 0.001
    package var lightStepsUp = 4
    /// Light also needs the threshold-stability curve below its largest k to stay
    /// compatible with ξ = 0: no run of this many neighbouring grid k (a factor 2
    /// in k) whose GPD interval lies above 0.
    package var positiveShapeRun = 3
    /// A positive-shape run that ends at or below this k is a cluster of a few
    /// extreme values, and is named as such.
    package var clusterK = 60
    package var curvatureFraction = 0.1
    package var curvatureG = -0.12
    package var curvatureZ = -3.0
    package var lognormalVetoZ = -1.645
    /// The heavier-higher-up tests' p (Bonferroni) below which `heavy` (log spacings) or `light` (linear spacings) is refused.
    package var heavierVetoP = 0.01
    /// A power-law verdict needs α̂ (reduced-bias) at most this many times plain
    /// Hill's α at k*. The ratio is 1/(1 − β̂(n/k*)^ρ̂/(1 − ρ̂)): a second-order
    /// diagnostic of a Hill path that still bends at k*, which a power law bent
    /// by an exponential cutoff produces (ρ̂ near 0, β̂ large).
    package var largestBiasCorrection = 1.25
    /// A "heavy" estimate above this is not a tail index anyone can use
    /// (an offset body read by Hill): inconclusive instead.
    package var largestHeavyAlpha = 20.0

    package init() {}

    /// The k grid for n samples of which the top `available` are known.
    package func grid(n: Int, available: Int) -> [Int] {
        let top = min(Int(largestKFraction * Double(n)), available - 1)
        var ks: [Int] = []
        var j = 0.0
        while true {
            let k = Int((Double(smallestK) * pow(2, j / 2)).rounded())
            if k > top { break }
            if ks.last != k { ks.append(k) }
            j += 1
        }
        return ks
    }
}
