import NoiseScopeCore
import Foundation
import NoiseScopeStatistics

extension TailCheckReport {
    /// A short account for people: the numbers that matter, one line each, then the verdict.
    package func humanReadableSummary(source: String) -> String {
        var lines: [String] = []
        let g = NumberText.short
        func interval(_ i: ClosedInterval?) -> String { "[\(g(i?.lower)), \(i?.upper == nil ? "∞" : g(i?.upper))]" }
        func alphaLine(_ name: String, _ e: TailIndexEstimate?, _ note: String) -> String {
            guard let e else { return "\(name)n/a (ties or too few samples)" }
            let alpha = e.alpha.map { g($0) } ?? "none (γ̂ = \(g(e.gamma)) ≤ 0)"
            return "\(name)α = \(alpha)  95% CI \(interval(e.alphaInterval95))  \(note)"
        }
        lines.append("noisescope check: \(source)")
        var counts = "  n = \(n)"
        if let dropped, dropped.total > 0 { counts += " (dropped \(dropped.nonfinite) NaN/Inf, \(dropped.nonpositive) zero/negative)" }
        lines.append(counts)
        lines.append("  mean \(g(summary.mean))  median \(g(summary.median))  max/median \(g(summary.maxOverMedian))  excess kurtosis \(g(summary.excessKurtosis))")
        let e = evidence
        // The verdict's interval first: the one whose coverage the calibration measures.
        if let kStar = e.kStar, let stable = e.stableK {
            lines.append("  Verdict's estimate: reduced-bias Hill α = \(g(e.alpha))  95% interval \(interval(e.alphaInterval95)) with a bias allowance, at k* = \(kStar) (stable for k in \(stable[0])…\(stable[1]); ρ̂ = \(g(e.secondOrder?.rho)), β̂ = \(g(e.secondOrder?.beta)))")
            lines.append("    " + MeasuredCoverage.verdictInterval.sentence(n: n))
        }
        lines.append("  Other estimators (their intervals nominal 95 %):")
        lines.append("  k = \(kSelection.k) upper order statistics (\(kSelection.method))")
        lines.append(alphaLine("  Hill      ", hill, "exact only for a pure Pareto (\(MeasuredCoverage.hillInterval.short(n: n))); asymptotic \(interval(hill.asymptoticAlphaInterval95))"))
        lines.append(alphaLine("  Moments   ", moments, "γ̂ = \(g(moments?.gamma)), 95% CI \(interval(moments?.gammaInterval95))"))
        lines.append(alphaLine("  Pickands  ", pickands, "at k = \(pickands?.k ?? 0)"))
        lines.append(alphaLine("  Kernel    ", kernel, "biweight, bandwidth k/n"))
        if let p = powerLaw {
            lines.append("  Power law α = \(g(p.alpha)) ± \(g(p.sigma)) above xmin = \(g(p.xmin)) (n_tail = \(p.tailCount), KS D = \(g(p.ksDistance)), \(p.xminSearch) scan; density exponent \(g(p.densityExponent)))")
            if let gof = p.goodnessOfFitP {
                lines.append("            goodness of fit p = \(g(gof)) (\(PowerLawFit.replicatesText(p)); p < 0.1 rules the power law out)")
            }
            lines.append("            vs lognormal R = \(g(p.versusLognormal.R)), p = \(g(p.versusLognormal.p));  vs exponential R = \(g(p.versusExponential.R)), p = \(g(p.versusExponential.p))  (R > 0 favours the power law)")
        } else {
            lines.append("  Power law: no fit (too few distinct values)")
        }
        if let d = discretePowerLaw {
            lines.append("  Discrete power law α = \(g(d.alpha)) ± \(g(d.sigma)) above xmin = \(d.xmin) (n_tail = \(d.tailCount), KS D = \(g(d.ksDistance)), xmin \(d.xminSearch == "scan" ? "scanned" : "fixed"); mass exponent \(g(d.massExponent)), CSN's alpha)")
            if let gof = d.goodnessOfFitP {
                let replicates = PowerLawFit.replicatesText(run: d.goodnessOfFitReplicates, planned: d.goodnessOfFitPlannedReplicates)
                lines.append("            goodness of fit p = \(g(gof)) (\(replicates); p < 0.1 rules the power law out)")
            }
            func test(_ name: String, _ t: LikelihoodRatioTest?) -> String { "vs \(name) R/(σ√n) = \(g(t?.normalizedR)), p = \(g(t?.p))" }
            let bound = d.lognormalAtSigmaBound ? " (no maximum: at the σ bound)" : ""
            lines.append("            \(test("lognormal", d.versusLognormal))\(bound);  \(test("exponential", d.versusExponential));  \(test("Poisson", d.versusPoisson))  (> 0 favours the power law)")
        }
        if let gpd = e.gpd {
            lines.append("  Peaks over threshold: GPD ξ = \(g(gpd.xi)) nominal 95% CI \(interval(gpd.xiInterval95)) over the top \(gpd.k) (shift-invariant; α CI \(interval(gpd.alphaInterval95)), \(MeasuredCoverage.gpdInterval.short(n: n)))")
        }
        if let light = e.lightTest {
            lines.append("  Light test: GPD ξ upper bound \(g(light.xiUpper95)) over the top \(light.k), ξ = \(g(light.xiHigherUp)) over the top \(light.kHigherUp); curvature g₋ = \(g(e.curvature?.gMinus)) at k = \(e.curvature?.k ?? 0); lognormal Vuong z = \(g(e.lognormalVuongZ))")
        }
        lines.append("verdict: \(verdict.rawValue) — \(verdictReason)")
        return lines.joined(separator: "\n") + "\n"
    }
}
