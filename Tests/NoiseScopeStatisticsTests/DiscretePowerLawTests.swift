import NoiseScopeCore
import Foundation
import XCTest
@testable import NoiseScopeStatistics

/// The discrete power-law fit against Clauset, Shalizi & Newman (2009, Table
/// 6.1) on their Moby Dick and terrorism data, through the reference values of
/// Fixtures/discrete/reference.json (tools/fixtures/make_discrete_reference.py:
/// mpmath at 40 digits, and the `powerlaw` package 2.0.0).
///
/// Targets are the "exact" (mpmath) numbers, not powerlaw's, whose Nelder–Mead
/// (tol 1e-4) leaves its α about 1e-5 off the MLE. Tolerances: α and D 1e-6
/// absolute, L 1e-6 relative (we land within about 1e-11); normalised R 1e-4.
/// Moby Dick's lognormal has no maximum (the likelihood rises towards a power
/// law as σ → ∞), so that test is only checked to be inconclusive.
final class DiscretePowerLawTests: XCTestCase {
    static func data(_ name: String) throws -> [Double] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Fixtures/discrete"))
        return try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map { try XCTUnwrap(Double(String($0))) }
    }

    /// reference.json → datasets.<name>.
    static func reference(_ name: String) throws -> [String: Any] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "reference", withExtension: "json", subdirectory: "Fixtures/discrete"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap((json["datasets"] as? [String: Any])?[name] as? [String: Any])
    }

    static func double(_ object: Any?, _ path: String...) throws -> Double {
        var value = object
        for key in path { value = (value as? [String: Any])?[key] }
        return try XCTUnwrap(value as? Double, path.joined(separator: "."))
    }

    /// GSL's Hurwitz zeta against its documented values, and the other special functions the fit adds.
    func testSpecialFunctionsAgainstDocumentedValues() {
        let pi2 = Double.pi * Double.pi
        XCTAssertEqual(SpecialFunctions.hurwitzZeta(2, 1), pi2 / 6, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.hurwitzZeta(3, 1), 1.2020569031595942, accuracy: 1e-15)  // Apéry's constant
        XCTAssertEqual(SpecialFunctions.hurwitzZeta(2, 2), pi2 / 6 - 1, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.hurwitzZeta(4, 1), pi2 * pi2 / 90, accuracy: 1e-15)
        // ζ(s, q) − ζ(s, q + 1) = q^−s, far out too.
        XCTAssertEqual((SpecialFunctions.hurwitzZeta(2.5, 1000) - SpecialFunctions.hurwitzZeta(2.5, 1001)) / pow(1000, -2.5), 1, accuracy: 1e-9)
        // erfcx(0) = 1; erfcx(x) = e^{x²} erfc(x) where erfc is representable; erfcx(x) ~ 1/(x√π) far out.
        XCTAssertEqual(SpecialFunctions.scaledErfc(0), 1, accuracy: 1e-15)
        for x in [0.5, 3, 10, 20] { XCTAssertEqual(SpecialFunctions.scaledErfc(x) / (exp(x * x) * SpecialFunctions.erfc(x)), 1, accuracy: 1e-13) }
        let far = 1e4
        XCTAssertEqual(SpecialFunctions.scaledErfc(far) * far * Double.pi.squareRoot(), 1 - 1 / (2 * far * far), accuracy: 1e-14)
        // P(1, x) = 1 − e^−x = P(Poisson(x) ≥ 1).
        XCTAssertEqual(SpecialFunctions.regularizedLowerGamma(1, 0.3), -expm1(-0.3), accuracy: 1e-15)
        // The Poisson tail where GSL underflows (P(Pois(2) ≥ 400) ≈ e^−1725), by the series:
        // P(X ≥ k) − P(X ≥ k + 1) = P(X = k), and the series' leading term is that mass.
        let logMass = 400 * log(2) - 2 - SpecialFunctions.logGamma(401)
        let tail400 = DiscreteTailModel.Poisson.logTail(400, 2), tail401 = DiscreteTailModel.Poisson.logTail(401, 2)
        XCTAssertEqual(exp(tail400 - logMass) - exp(tail401 - logMass), 1, accuracy: 1e-13)
        XCTAssertEqual(tail400 - logMass, log1p(2.0 / 401), accuracy: 1e-4)
        XCTAssertEqual(DiscreteTailModel.Poisson.logTail(5, 3), log(SpecialFunctions.regularizedLowerGamma(5, 3)), accuracy: 1e-15)
    }

    /// The slope and curvature of ln ζ in the exponent (finite differences of
    /// GSL's ζ) against the series −Σ ln(k) k^−a/ζ and its variance, summed directly at a = 3.
    func testLogZetaDerivatives() {
        let a = 3.0, q = 2.0
        var zeta = 0.0, first = 0.0, second = 0.0
        for k in stride(from: 200_000.0, through: q, by: -1) {
            let term = pow(k, -a)
            zeta += term; first += log(k) * term; second += log(k) * log(k) * term
        }
        // The tails past 200000 of Σ ln k k^−3 and Σ ln² k k^−3 are below 1e-9.
        let mean = first / zeta
        XCTAssertEqual(DiscretePowerLaw.logZetaSlope(a, q), -mean, accuracy: 1e-9)
        XCTAssertEqual(DiscretePowerLaw.logZetaCurvature(a, q), second / zeta - mean * mean, accuracy: 1e-7)
    }

    /// CSN Table 6.1: xmin 7 and 12, n_tail 2958 and 547, α 1.95 and 2.4, with
    /// α, D and L against the exact values.
    func testReproducesTheTableRows() throws {
        for name in ["words", "terrorism"] {
            let reference = try Self.reference(name)
            let exact = reference["exact_at_powerlaw_xmin"]
            let fit = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 0).fit(try Self.data(name)), name)
            XCTAssertEqual(fit.xmin, (reference["powerlaw"] as? [String: Any])?["xmin"] as? Int, name)
            XCTAssertEqual(fit.tailCount, (exact as? [String: Any])?["n_tail"] as? Int, name)
            XCTAssertEqual(fit.xminSearch, "scan")
            XCTAssertEqual(fit.massExponent, try Self.double(exact, "alpha"), accuracy: 1e-6, name)
            XCTAssertEqual(fit.alpha, fit.massExponent - 1, accuracy: 1e-15)
            XCTAssertEqual(fit.ksDistance, try Self.double(exact, "D"), accuracy: 1e-6, name)
            let logLikelihood = try Self.double(exact, "loglikelihood")
            XCTAssertEqual(fit.logLikelihood, logLikelihood, accuracy: 1e-6 * abs(logLikelihood), name)
            // The same selection as the exact scan with and without powerlaw's α ≤ 2.99 rule.
            let scan = try XCTUnwrap(reference["exact_scan"] as? [String: Any])
            for rule in ["selected_with_powerlaw_validity_alpha_le_2.99", "selected_without_alpha_cap"] {
                XCTAssertEqual(fit.xmin, (scan[rule] as? [String: Any])?["xmin"] as? Int, "\(name) \(rule)")
            }
            // σ = 1/√(n I(α)) is close to powerlaw's (α − 1)/√n (its continuous approximation).
            XCTAssertEqual(fit.sigma, try Self.double(reference["powerlaw"], "standard_err_(alpha-1)/sqrt(n)"), accuracy: 0.002 * fit.sigma, name)
        }
        let words = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 0).fit(try Self.data("words")))
        let terrorism = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 0).fit(try Self.data("terrorism")))
        XCTAssertEqual([words.xmin, words.tailCount, terrorism.xmin, terrorism.tailCount], [7, 2958, 12, 547])
        XCTAssertEqual(words.massExponent, 1.95, accuracy: 0.005)  // CSN: 1.95(2)
        XCTAssertEqual(terrorism.massExponent, 2.4, accuracy: 0.05)  // CSN: 2.4(2)
    }

    /// α, D and L at the reference's fixed xmins, and α and D at every candidate of the scan.
    func testEveryXminAgainstTheExactValues() throws {
        for name in ["words", "terrorism"] {
            let data = try Self.data(name)
            let reference = try Self.reference(name)
            let fixed = try XCTUnwrap(reference["fixed_xmin"] as? [String: Any])
            XCTAssertEqual(fixed.count, 6)
            for (key, block) in fixed {
                let exact = (block as? [String: Any])?["exact"]
                let xmin = try XCTUnwrap(Int(key))
                let fit = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 0, xmin: xmin).fit(data), "\(name) \(key)")
                XCTAssertEqual(fit.xminSearch, "fixed")
                XCTAssertEqual(fit.tailCount, (exact as? [String: Any])?["n_tail"] as? Int, "\(name) \(key)")
                XCTAssertEqual(fit.massExponent, try Self.double(exact, "alpha"), accuracy: 1e-6, "\(name) \(key)")
                XCTAssertEqual(fit.ksDistance, try Self.double(exact, "D"), accuracy: 1e-6, "\(name) \(key)")
                let logLikelihood = try Self.double(exact, "loglikelihood")
                XCTAssertEqual(fit.logLikelihood, logLikelihood, accuracy: 1e-6 * abs(logLikelihood), "\(name) \(key)")
            }
            let scan = try XCTUnwrap(reference["exact_scan"] as? [String: Any])
            let xmins = try XCTUnwrap(scan["xmin"] as? [Int]), alphas = try XCTUnwrap(scan["alpha"] as? [Double])
            let distances = try XCTUnwrap(scan["D"] as? [Double])
            let sample = try XCTUnwrap(DiscreteSample(data))
            // The candidates are the distinct values but the two largest.
            XCTAssertEqual(sample.values.dropLast(2).map { Int($0) }, xmins, name)
            var worst = (alpha: 0.0, distance: 0.0)
            for (i, xmin) in xmins.enumerated() {
                let candidate = try XCTUnwrap(DiscretePowerLaw.fixed(sample, xmin: Double(xmin)), "\(name) \(xmin)")
                worst.alpha = max(worst.alpha, abs(candidate.exponent - alphas[i]))
                worst.distance = max(worst.distance, abs(candidate.distance - distances[i]))
            }
            XCTAssertLessThan(worst.alpha, 1e-6, name)
            XCTAssertLessThan(worst.distance, 1e-6, name)
        }
    }

    /// The likelihood-ratio tests against the exact reference: exponential and
    /// Poisson for both data sets, the lognormal for terrorism (normalised R to
    /// 1e-4, its sign, p); words' lognormal is inconclusive, as in CSN.
    func testLikelihoodRatioTests() throws {
        for name in ["words", "terrorism"] {
            let fit = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 0).fit(try Self.data(name)))
            let tests = try XCTUnwrap(((try Self.reference(name))["exact_at_powerlaw_xmin"] as? [String: Any])?["loglikelihood_ratio_tests"] as? [String: Any])
            func check(_ test: LikelihoodRatioTest?, _ key: String) throws {
                let ours = try XCTUnwrap(test, "\(name) \(key)")
                let reference = tests[key]
                let normalized = try Self.double(reference, "R_normalized"), p = try Self.double(reference, "p")
                XCTAssertEqual(ours.normalizedR, normalized, accuracy: 1e-4, "\(name) \(key)")
                XCTAssertEqual(ours.R.sign, try Self.double(reference, "R").sign, "\(name) \(key)")
                XCTAssertEqual(ours.R, try Self.double(reference, "R"), accuracy: 1e-6 * abs(try Self.double(reference, "R")), "\(name) \(key)")
                XCTAssertEqual(ours.p, p, accuracy: max(1e-4 * p, 1e-30), "\(name) \(key)")
            }
            try check(fit.versusExponential, "exponential")
            try check(fit.versusPoisson, "poisson")
            XCTAssertEqual(fit.exponentialRate, try Self.double(tests["exponential"], "params", "Lambda"), accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(fit.poissonMean), try Self.double(tests["poisson"], "params", "mu"), accuracy: 1e-9)
            if name == "terrorism" {
                try check(fit.versusLognormal, "lognormal")
                XCTAssertFalse(fit.lognormalAtSigmaBound)
                XCTAssertEqual(fit.lognormalMu, try Self.double(tests["lognormal"], "params", "mu"), accuracy: 1e-3)
                XCTAssertEqual(fit.lognormalSigma, try Self.double(tests["lognormal"], "params", "sigma"), accuracy: 1e-4)
            } else {
                // No maximum: the fit runs to the σ bound, where R is within 1e-5 of its supremum.
                XCTAssertTrue(fit.lognormalAtSigmaBound)
                XCTAssertEqual(fit.versusLognormal.R, try Self.double(tests["lognormal"], "R"), accuracy: 1e-4)
                XCTAssertGreaterThan(fit.versusLognormal.R, 0)
                XCTAssertLessThan(fit.versusLognormal.normalizedR, 0.5)
                XCTAssertGreaterThan(fit.versusLognormal.p, 0.5)
            }
        }
    }

    /// The sampler inverts P(X ≥ x) = ζ(a, x)/ζ(a, xmin) exactly: value(u) = x with
    /// ζ(a, x) ≥ u ζ(a, xmin) > ζ(a, x + 1) (as computed: for a near 1 and x near
    /// 10¹⁴ neighbouring values of ζ differ by less than a rounding).
    func testSamplerInvertsTheSurvivalFunction() {
        for (a, xmin) in [(1.95, 7.0), (2.37, 12.0), (3.5, 1.0), (1.05, 2.0)] {
            let sampler = DiscretePowerLawSampler(exponent: a, xmin: xmin)
            var stream = SplitMix64Stream(seed: 5, index: 0)
            for _ in 0..<300 {
                let u = stream.uniformPositive()
                let x = sampler.value(u)
                XCTAssertGreaterThanOrEqual(x, xmin)
                XCTAssertEqual(x, x.rounded(.down))
                guard x < DiscretePowerLawSampler.largest else { continue }
                XCTAssertGreaterThanOrEqual(SpecialFunctions.hurwitzZeta(a, x), u * sampler.zetaMin, "a \(a) u \(u)")
                XCTAssertLessThan(SpecialFunctions.hurwitzZeta(a, x + 1), u * sampler.zetaMin, "a \(a) u \(u)")
            }
        }
        // Censored where the law runs past the integers a double holds.
        XCTAssertEqual(DiscretePowerLawSampler(exponent: 1.05, xmin: 1).value(1e-16), DiscretePowerLawSampler.largest)
    }

    /// A synthetic discrete power law (n = 1000, a = 2.5 above xmin = 5, a
    /// geometric body below): the fit finds a, and its goodness-of-fit p is not
    /// small. Geometric samples: the test rejects a power law above xmin = 1.
    /// (With xmin scanned it need not: the scan can settle on the last few
    /// dozen values, where a steep power law and a geometric tail look alike;
    /// on geometric samples of 2000 it often does, with p up to 1. That is
    /// CSN's method, which asks whether *some* tail is a power law.)
    func testGoodnessOfFit() throws {
        var pValues: [Double] = []
        for seed in 0..<6 {
            let sample = Self.powerLawSample(count: 1000, exponent: 2.5, xmin: 5, seed: UInt64(seed))
            let fit = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 50, seed: UInt64(seed)).fit(sample))
            XCTAssertEqual(fit.massExponent, 2.5, accuracy: 5 * fit.sigma, "seed \(seed)")
            pValues.append(try XCTUnwrap(fit.goodnessOfFitP))
        }
        // Uniform under the null: at most two of six below 0.1 (probability of more: 1.6 %), and not all high.
        XCTAssertLessThanOrEqual(pValues.filter { $0 < 0.1 }.count, 2, "\(pValues)")
        XCTAssertGreaterThan(pValues.reduce(0, +) / 6, 0.2, "\(pValues)")
        for seed in 0..<2 {
            var stream = SplitMix64Stream(seed: 40 + UInt64(seed), index: 0)
            // Geometric with mean 10: P(X = x) = (1 − q) q^(x−1), by inversion.
            let q = 0.9
            let sample = (0..<2000).map { _ in (log(stream.uniformPositive()) / log(q)).rounded(.down) + 1 }
            let fit = try XCTUnwrap(DiscretePowerLawFitter(bootstrapReplicates: 50, seed: 1, xmin: 1).fit(sample))
            XCTAssertEqual(fit.tailCount, 2000)
            XCTAssertEqual(try XCTUnwrap(fit.goodnessOfFitP), 0, "geometric, seed \(seed)")
            XCTAssertEqual(fit.goodnessOfFitReplicates, 50)
            XCTAssertGreaterThan(fit.versusExponential.normalizedR, -100)
            XCTAssertLessThan(fit.versusExponential.R, 0, "the exponential fits better")
        }
    }

    /// Same seed, same bytes; the replicates do not depend on the threads; another seed draws others.
    func testSameSeedSameBytes() throws {
        let data = try Self.data("terrorism")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let first = try encoder.encode(DiscretePowerLawFitter(bootstrapReplicates: 20, seed: 3).fit(data))
        XCTAssertEqual(try encoder.encode(DiscretePowerLawFitter(bootstrapReplicates: 20, seed: 3).fit(data)), first)
        let sample = try XCTUnwrap(DiscreteSample(data))
        let fitter = DiscretePowerLawFitter(bootstrapReplicates: 6, seed: 3)
        let best = try XCTUnwrap(fitter.best(sample))
        let one = fitter.bootstrapDistances(sample, best: best, threads: 1)
        XCTAssertEqual(fitter.bootstrapDistances(sample, best: best, threads: 4).map(\.bitPattern), one.map(\.bitPattern))
        XCTAssertEqual(fitter.bootstrapDistances(sample, best: best, threads: 2, replicates: 2..<5).map(\.bitPattern), one[2..<5].map(\.bitPattern))
        var other = fitter
        other.seed = 4
        XCTAssertNotEqual(other.bootstrapDistances(sample, best: best, threads: 1), one)
        XCTAssertTrue(one.allSatisfy { $0.isFinite && $0 > 0 })
    }

    /// Which samples the fit accepts, and the hint that suggests it.
    func testIntegerSamples() {
        XCTAssertTrue(DiscretePowerLawFitter.looksLikeCounts([3, 1, 2, 1, 5]))
        XCTAssertFalse(DiscretePowerLawFitter.looksLikeCounts([3, 1, 2, 4, 5]), "no ties")
        XCTAssertFalse(DiscretePowerLawFitter.looksLikeCounts([3, 1, 2, 1, 5.5]), "not an integer")
        XCTAssertFalse(DiscretePowerLawFitter.looksLikeCounts([3, 1, 2, 1, 0x1p60]), "past 2⁵³")
        XCTAssertEqual(DiscretePowerLawFitter.firstNonCount(in: [1, 2, 2.5, 0.5]), 2.5)
        XCTAssertNil(DiscretePowerLawFitter(bootstrapReplicates: 0).fit([1, 2, 2.5, 3, 4]))
        XCTAssertNil(DiscretePowerLawFitter(bootstrapReplicates: 0).fit([1, 1, 2, 2]), "two distinct values leave no candidate")
        let values: [Double] = [3, 1, 9, 2, 1, 7, 2, 4, 4, 12]
        let fitter = DiscretePowerLawFitter(bootstrapReplicates: 5, seed: 2)
        XCTAssertNotNil(fitter.fit(values))
        XCTAssertEqual(fitter.fit(OrderStatistics(samples: values)), fitter.fit(values), "sorted or not, the same fit")
    }

    /// n draws: a discrete power law with exponent a above xmin (probability
    /// 1/2 each), a geometric body below it otherwise.
    static func powerLawSample(count: Int, exponent: Double, xmin: Double, seed: UInt64) -> [Double] {
        let sampler = DiscretePowerLawSampler(exponent: exponent, xmin: xmin)
        var stream = SplitMix64Stream(seed: seed, index: 99)
        return (0..<count).map { _ in
            stream.index(below: 2) == 0 ? sampler.value(stream.uniformPositive())
                : min(xmin - 1, (log(stream.uniformPositive()) / log(0.5)).rounded(.down) + 1)
        }
    }
}
