import Dispatch
import Foundation

extension TailVerdictRule {
    /// The verdict on n samples whose largest values are `data` (all n of them,
    /// or the top K of a streaming sketch), its reason in words, and the evidence.
    package func decide(_ data: OrderStatistics, n: Int, trajectory: DependentSamples? = nil)
        -> (verdict: TailVerdict, reason: String, evidence: TailVerdictEvidence) {
        var evidence = TailVerdictEvidence()
        func inconclusive(_ reason: String) -> (TailVerdict, String, TailVerdictEvidence) { (.inconclusive, reason, evidence) }
        guard n >= minimumSamples else {
            return inconclusive("n = \(n) is too small to tell a power law from a lognormal or an exponential tail (the calibration needs n ≥ \(minimumSamples))")
        }
        let ks = grid(n: n, available: data.count).filter { $0 >= smallestK }
        guard ks.count >= lightStepsUp + 1 else { return inconclusive("too few usable order statistics for the tail estimators") }
        // A trajectory's extremes cluster: k exceedances carry the evidence of about θ̂k
        // independent ones. Every test is made no easier to pass: the bounds a verdict
        // commits on are r = 1/√θ̂ times further out, the vetoes keep their strength,
        // and the size floors apply to the effective n = θ̂n.
        let (theta, r) = trajectory?.standardErrorInflation(data, n: n) ?? (nil, 1)
        if trajectory != nil { evidence.dependence = .init(extremalIndex: theta, standardErrorInflation: r) }
        // Clusters of fewer than 1/0.9 ≈ 1.1 extremes on average (θ̂ ≥ 0.9, within the
        // estimator's noise for independent samples) leave n as it is.
        let clustering = theta.flatMap { $0 < 0.9 ? $0 : nil }
        let effectiveN = Int((Double(n) * (clustering ?? 1)).rounded(.down))
        let effectively = clustering.map { " (effectively \(effectiveN) independent samples: extremal index θ̂ = \(format($0)))" } ?? ""
        guard effectiveN >= minimumSamples else {
            return inconclusive("n = \(n)\(effectively) is too small to tell a power law from a lognormal or an exponential tail (the calibration needs n ≥ \(minimumSamples))")
        }
        /// An interval bound b around the estimate x, r times as far from it.
        func widened(_ bound: Double, around x: Double) -> Double { x + r * (bound - x) }

        // 2. Light: shift-invariant peaks over threshold at the largest usable k.
        let kLight = ks[ks.count - 1], kHigher = ks[ks.count - 1 - lightStepsUp]
        // The two fits are independent: both at once (the second is only read if the first exists).
        var fits: [GeneralizedParetoFit?] = [nil, nil]
        fits.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                output[i] = i == 0 ? GeneralizedParetoFit.fit(data, k: kLight) : GeneralizedParetoFit.fit(data, k: kHigher, interval: false)
            }
        }
        if let wide = fits[0], let higher = fits[1] {
            let upper = wide.xiInterval95?.upper.map { widened($0, around: wide.xi) }
            evidence.lightTest = .init(k: kLight, xiUpper95: upper, kHigherUp: kHigher, xiHigherUp: higher.xi)
            if let upper, upper < lightXi, higher.xi < lightXiHigherUp {
                // The largest values must be plausible under that light fit: a few far
                // beyond it are the start of a power-law tail the fit cannot see.
                let surprise = wide.maximumExceedanceProbability(data)
                if surprise < lightOutlierP {
                    return inconclusive("the body looks light (GPD ξ ≤ \(format(upper)) over the top \(kLight)) but the largest value is far beyond that fit (probability \(String(format: "%.1e", surprise)) under it): a thin power-law tail may start there")
                }
                // The whole threshold-stability curve, not one k: a range of k where ξ̂ is
                // clearly positive is a heavier tail (or a cluster) above a light body.
                if let positive = positiveShapeRange(data, ks: Array(ks.dropLast())) {
                    evidence.lightTest?.positiveShapeRange = [positive.lower, positive.upper]
                    let shape = "the generalised Pareto shape is above 0 at 95 % for k from \(positive.lower) to \(positive.upper) (ξ̂ up to \(format(positive.xi))); see the threshold-stability figure"
                    if positive.upper <= clusterK {
                        return inconclusive("light body (GPD ξ ≤ \(format(upper)) over the top \(kLight)), but the top \(positive.upper) values form a separate cluster: \(shape), and attribution.csv for a measure run")
                    }
                    return inconclusive("the body over the top \(kLight) looks light (GPD ξ ≤ \(format(upper))), but \(shape): a heavier tail over the top \(positive.upper) values, not exponential-like")
                }
                // Exponential-like means no heavier at the top: a thin power law above a light body is not light.
                let heavier = HeavierHigherUp.test(data, k: kLight, ms: ks, logScale: false)
                evidence.lightTest?.heavierThanExponential = heavier
                if let heavier, heavier.p < heavierVetoP {
                    return inconclusive("the body over the top \(kLight) looks light (GPD ξ ≤ \(format(upper))), but its top \(heavier.m) values are spread wider than an exponential tail allows (spacing ratio \(format(heavier.ratio)), p = \(String(format: "%.1e", heavier.p))): a thin power law or a lognormal may start there")
                }
                let words = "the generalised Pareto shape over the top \(kLight) is below \(format(lightXi)) at 95 % (ξ ≤ \(format(upper))) and stays low higher up: exponential-like or lighter, no power-law tail"
                if effectiveN < minimumForLight { return inconclusive("looks light, but n = \(n)\(effectively) < \(minimumForLight) is too small to rule out a thin power-law tail; \(words)") }
                return (.light, words, evidence)
            }
        }

        // 3. Curvature: log-excesses lighter than exponential at k ≈ n/10.
        let kCurve = ks.min { abs(Double($0) - curvatureFraction * Double(n)) < abs(Double($1) - curvatureFraction * Double(n)) }!
        let gCurve = MomentEstimator.negativePart(data, k: kCurve)
        evidence.curvature = .init(k: kCurve, gMinus: gCurve)
        if gCurve < curvatureG && Double(kCurve).squareRoot() * gCurve < curvatureZ {
            return inconclusive("the tail bends like a lognormal or stretched exponential (moment estimator's negative part g₋ = \(format(gCurve)) at k = \(kCurve)): no power law can be told apart at this n")
        }

        // 4. The largest k where the reduced-bias Hill path is stable.
        guard let second = SecondOrderParameters.estimate(data, n: n, largestUsable: data.count - 1) else {
            return inconclusive("the second-order tail parameters could not be estimated (too many ties?)")
        }
        evidence.secondOrder = second
        let gammas = ks.map { second.reducedBiasHill(data, n: n, k: $0) }
        var stable: [Int] = []
        for (j, k) in ks.enumerated() {
            let gamma = gammas[j]
            guard gamma > 0 else { continue }
            let window = ks.indices.filter { ks[$0] < k && Double(ks[$0]) * stabilitySpan >= Double(k) }
            guard !window.isEmpty else { continue }
            let drift = window.map { abs(gammas[$0] - gamma) / (gamma * (1 / Double(ks[$0]) - 1 / Double(k)).squareRoot()) }.max()!
            let bend = abs(Double(k).squareRoot() * MomentEstimator.negativePart(data, k: k))
            if drift <= stabilityZ && bend <= negativePartZ { stable.append(j) }
        }
        guard let last = stable.last else {
            return inconclusive("the tail-index estimate drifts with k everywhere (no stable range of k): the tail is not a clean power law at this n")
        }
        let kStar = ks[last]
        evidence.kStar = kStar
        evidence.stableK = [ks[stable[0]], kStar]
        guard kStar >= smallestKStar else { return inconclusive("the tail-index estimate is stable only for k < \(smallestKStar): too little of the tail to judge") }

        // 5. The interval with a bias allowance: the hull over [k*/hullSpan, k*].
        let z = 1.959963984540054 * r
        let hull = ks.indices.filter { ks[$0] <= kStar && Double(ks[$0]) * hullSpan >= Double(kStar) }
        let hills = hull.map { data.logExcessMoments(k: ks[$0]).first }
        let gammaLow = zip(hull, hills).map { min(gammas[$0], $1) * (1 - z / Double(ks[$0]).squareRoot()) }.min()!
        let gammaHigh = zip(hull, hills).map { max(gammas[$0], $1) * (1 + z / Double(ks[$0]).squareRoot()) }.max()!
        var interval = ClosedInterval(1 / gammaHigh, gammaLow > 0 ? 1 / gammaLow : nil)
        if let trajectory {
            // Autocorrelated samples: widen by the moving-block bootstrap of γ̄(k*).
            let spread = trajectory.bootstrapInterval(kStar: kStar, n: n, second: second, estimate: gammas[last])
            evidence.blockBootstrap = spread
            if let low = spread.gammaInterval95.lower, let high = spread.gammaInterval95.upper {
                interval = ClosedInterval(min(interval.lower ?? .infinity, high > 0 ? 1 / high : 0),
                                          interval.upper.flatMap { upper in low > 0 ? max(upper, 1 / low) : nil })
            }
        }
        let alpha = 1 / gammas[last]
        evidence.alpha = alpha
        evidence.alphaInterval95 = interval
        var shown = "α̂ = \(format(alpha)), 95 % interval [\(format(interval.lower ?? 0)), \(interval.upper.map(format) ?? "∞")] at k* = \(kStar) (stable from k = \(ks[stable[0]]))"
        if let spread = evidence.blockBootstrap {
            shown += "; samples treated as a dependent trajectory: interval widened by a moving-block bootstrap (blocks of \(spread.blockLength)\(spread.blockUnit.map { " whole " + $0 } ?? ""), \(spread.replicates) replicates)"
            if let theta { shown += ", and the interval's standard errors ×\(format(r)) for extremes that cluster (extremal index θ̂ = \(format(theta)))" }
        }

        // 6. Cross-checks.
        let gpd = GeneralizedParetoFit.fit(data, k: kStar)
        evidence.gpd = gpd
        if let gpd, let lower = gpd.xiInterval95?.lower.map({ widened($0, around: gpd.xi) }), lower <= 0 {
            return inconclusive("the generalised Pareto fit over the top \(kStar) cannot exclude an exponential tail (ξ ≥ \(format(lower)) at 95 %), yet the tail is not light; \(shown)")
        }
        if let gpd, abs(gpd.xi - gammas[last]) > agreementZ * (1 + max(gpd.xi, 0)) / Double(kStar).squareRoot() {
            return inconclusive("the shift-invariant fit (GPD ξ = \(format(gpd.xi))) and the reduced-bias Hill estimate (γ = \(format(gammas[last]))) disagree: an offset or a bend in the tail; \(shown)")
        }
        let hillAtKStar = data.logExcessMoments(k: kStar).first
        let vuong = lognormalVuong(data, k: kStar, hill: hillAtKStar)
        evidence.lognormalVuongZ = vuong
        if let vuong, vuong < lognormalVetoZ {
            return inconclusive("a lognormal fits the top \(kStar) better than a power law (Vuong z = \(format(vuong))); \(shown)")
        }

        // 7. The verdict. A large second-order correction (β̂ large, ρ̂ near 0) says the Hill
        // path still bends at k*: the fitted range is not yet a power law, as under a cutoff.
        let correction = hillAtKStar / gammas[last]
        evidence.biasCorrection = correction
        if correction > largestBiasCorrection, interval.lower.map({ $0 >= 2 }) == true || interval.upper.map({ $0 < 2 }) == true {
            return inconclusive("the reduced-bias estimate sits \(format(100 * (correction - 1))) % above plain Hill's α at k* = \(kStar) (ρ̂ = \(format(second.rho))): by its own second-order bias model the Hill path is still bending there, so the fitted range is not yet a power law, as when one is bent by an exponential cutoff; \(shown)")
        }
        if let upper = interval.upper, upper < 2 {
            if effectiveN < minimumForInfiniteVariance {
                return inconclusive("looks like α < 2, but n = \(n)\(effectively) < \(minimumForInfiniteVariance) is too small to tell it from a lognormal; \(shown)")
            }
            return (.infiniteVariance, "power-law tail with α < 2 at 95 % (bias allowed for): \(shown)", evidence)
        }
        if let lower = interval.lower, lower >= 2 {
            guard let upper = interval.upper, upper < largestHeavyAlpha else {
                return inconclusive("the interval for α reaches \(interval.upper.map(format) ?? "∞"), too large to be a tail index: an offset body, not a power law; \(shown)")
            }
            if effectiveN < minimumForHeavy {
                return inconclusive("looks like α ≥ 2, but n = \(n)\(effectively) < \(minimumForHeavy) is too small to tell it from an α-stable tail whose power law starts beyond the data, or a thinner power law above a light body; \(shown)")
            }
            // Finite variance is a claim about the whole tail: the top must not turn heavier.
            let heavier = HeavierHigherUp.test(data, k: kStar, ms: ks)
            evidence.heavierHigherUp = heavier
            if let heavier, heavier.p < heavierVetoP {
                return inconclusive("the top \(heavier.m) values are heavier than the rest of the top \(kStar) (Hill ratio \(format(heavier.ratio)), p = \(String(format: "%.1e", heavier.p))): a heavier tail may start above the fitted one, so finite variance is not shown; \(shown)")
            }
            return (.heavy, "power-law tail with α ≥ 2 at 95 %: finite variance; \(shown)", evidence)
        }
        return inconclusive("the 95 % interval for α straddles 2: finite or infinite variance cannot be told apart; \(shown)")
    }

    /// Vuong's normalised statistic, power law (index 1/hill above X(k+1)) against
    /// a lognormal truncated at X(k+1), both fitted to the top k (Clauset et al. 2009).
    func lognormalVuong(_ data: OrderStatistics, k: Int, hill: Double) -> Double? {
        guard hill > 0 else { return nil }
        let threshold = data.value(k + 1)
        let tail = Array(data.descending.prefix(k))
        let lognormal = TruncatedTailModel.Lognormal(tail: tail, xmin: threshold)
        let alpha = 1 / hill
        let differences = tail.map { TruncatedTailModel.powerLawLogDensity($0, xmin: threshold, tailIndex: alpha) - lognormal.logDensity($0, xmin: threshold) }
        let statistic = LikelihoodRatioTest(pointwiseDifferences: differences).normalizedR
        return statistic.isFinite ? statistic : nil
    }

    func format(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : "\(x)" }

    /// The widest run of at least `positiveShapeRun` neighbouring grid values of k
    /// (largest k first) whose GPD 95 % interval for ξ lies above 0, with the largest
    /// ξ̂ in it; nil when there is none. The fits are independent and run in parallel.
    func positiveShapeRange(_ data: OrderStatistics, ks: [Int]) -> (lower: Int, upper: Int, xi: Double)? {
        var fits = [GeneralizedParetoFit?](repeating: nil, count: ks.count)
        fits.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: ks.count) { i in output[i] = GeneralizedParetoFit.fit(data, k: ks[i]) }
        }
        var best: (lower: Int, upper: Int, xi: Double, length: Int)?
        var start: Int?
        for i in 0...ks.count {
            let positive = i < ks.count && (fits[i]?.xiInterval95?.lower).map { $0 > 0 } == true
            if positive, start == nil { start = i }
            if !positive, let s = start {
                let length = i - s
                if length >= positiveShapeRun, length > best?.length ?? 0 {
                    best = (ks[s], ks[i - 1], fits[s..<i].compactMap { $0?.xi }.max() ?? .nan, length)
                }
                start = nil
            }
        }
        return best.map { ($0.lower, $0.upper, $0.xi) }
    }
}
