import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// The held-out battery's kinds draw what their names say, and the GARCH
/// cases' tail indices solve Kesten's equation E[(aZ² + b)^κ] = 1, α = 2κ.
final class HeldOutBatteryTests: XCTestCase {
    /// E[(aZ² + b)^κ] for Z standard Gaussian, by Simpson's rule on [−40, 40].
    static func kestenMoment(a: Double, b: Double, kappa: Double) -> Double {
        let steps = 160_000, h = 80.0 / Double(steps)
        var sum = 0.0
        for i in 0...steps {
            let z = -40 + Double(i) * h
            let weight = i == 0 || i == steps ? 1.0 : i % 2 == 1 ? 4.0 : 2.0
            sum += weight * exp(kappa * log(a * z * z + b) - z * z / 2)
        }
        return sum * h / 3 / (2 * Double.pi).squareRoot()
    }

    /// The lag-1 autocorrelation of x (Pearson, about the sample mean).
    static func lagOneCorrelation(_ x: [Double]) -> Double {
        let mean = x.reduce(0, +) / Double(x.count)
        var num = 0.0, den = 0.0
        for i in 0..<(x.count - 1) { num += (x[i] - mean) * (x[i + 1] - mean) }
        for v in x { den += (v - mean) * (v - mean) }
        return num / den
    }

    func testGarchTailIndicesSolveKestensEquation() {
        var checked = 0
        for case let .garch(a, b, alpha) in CalibrationBattery.heldOut.map(\.distribution) {
            XCTAssertEqual(Self.kestenMoment(a: a, b: b, kappa: alpha / 2), 1, accuracy: 1e-5, "a = \(a), b = \(b)")
            // A root, not any point: the moment is below 1 just under κ and above just over it.
            XCTAssertLessThan(Self.kestenMoment(a: a, b: b, kappa: alpha / 2 - 0.01), 1)
            XCTAssertGreaterThan(Self.kestenMoment(a: a, b: b, kappa: alpha / 2 + 0.01), 1)
            checked += 1
        }
        XCTAssertEqual(checked, 3)
    }

    func testDrawsHaveTheirSupportAndTail() {
        let random = RandomSource(seed: 4)
        let shifted = BatteryDistribution.shiftedPareto(alpha: 1.5, shift: 1000).sample(count: 20_000, random: random)
        XCTAssertGreaterThanOrEqual(shifted.min() ?? 0, 1001)
        // P(X − 1000 > 100) = 100^−1.5 = 0.001.
        XCTAssertEqual(Double(shifted.filter { $0 > 1100 }.count) / 20_000, 0.001, accuracy: 4 * (0.001 / 20_000).squareRoot())
        // The cutoff: P(X > 10λ) is below e^−9 of the Pareto's (10λ)^−1.5.
        let cut = BatteryDistribution.cutoffPowerLaw(alpha: 1.5, lambda: 100).sample(count: 50_000, random: random)
        XCTAssertGreaterThanOrEqual(cut.min() ?? 0, 1)
        XCTAssertEqual(cut.filter { $0 > 1000 }.count, 0)
        XCTAssertGreaterThan(cut.filter { $0 > 30 }.count, 50, "a power law below the cutoff")
        // One percent in the cluster near 20, none of the half-normal body there.
        let cluster = BatteryDistribution.outlierCluster(fraction: 0.01, center: 20).sample(count: 100_000, random: random)
        XCTAssertEqual(Double(cluster.filter { $0 > 10 }.count), 1000, accuracy: 4 * (1000 * 0.99).squareRoot())
        // A norm of D t₃ coordinates: E‖x‖² = 3D.
        let norms = BatteryDistribution.studentTNorm(nu: 3, dimension: 100).sample(count: 20_000, random: random)
        let meanSquare = norms.map { $0 * $0 }.reduce(0, +) / 20_000
        XCTAssertEqual(meanSquare, 300, accuracy: 30)
    }

    /// The series kinds are dependent: |AR(1)| with φ = 0.7 has a clearly positive
    /// lag-1 correlation of ranks, the independent kinds none.
    func testSeriesAreDependentAndIndependentKindsAreNot() {
        func lagOneRankCorrelation(_ x: [Double]) -> Double {
            let order = x.indices.sorted { x[$0] < x[$1] }
            var rank = [Double](repeating: 0, count: x.count)
            for (r, i) in order.enumerated() { rank[i] = Double(r) }
            return Self.lagOneCorrelation(rank)
        }
        let random = RandomSource(seed: 9)
        let ar = BatteryDistribution.autoregressiveStudentT(phi: 0.7, nu: 3).sample(count: 20_000, random: random)
        let garch = BatteryDistribution.garch(a: 0.2, b: 0.75, tailIndex: 4.355626).sample(count: 20_000, random: random)
        let iid = BatteryDistribution.synthetic(.absoluteStudentT(nu: 3)).sample(count: 20_000, random: random)
        XCTAssertGreaterThan(lagOneRankCorrelation(ar), 0.2)
        XCTAssertGreaterThan(lagOneRankCorrelation(garch), 0.05)
        XCTAssertEqual(lagOneRankCorrelation(iid), 0, accuracy: 4 / 20_000.0.squareRoot())
    }

    /// The second held-out battery's new kinds draw their laws: exact survival
    /// functions where there are closed forms, dependence where there is a series.
    func testSecondBatteryKindsDrawTheirLaws() {
        let random = RandomSource(seed: 12)
        let n = 40_000.0
        func fraction(_ x: [Double], above t: Double) -> Double { Double(x.filter { $0 > t }.count) / Double(x.count) }
        func tolerance(_ p: Double) -> Double { 4 * (p * (1 - p) / n).squareRoot() }
        // Log-logistic: P(X > x) = 1/(1 + x^β).
        let logLogistic = BatteryDistribution.logLogistic(beta: 3).sample(count: 40_000, random: random)
        XCTAssertEqual(fraction(logLogistic, above: 2), 1 / 9.0, accuracy: tolerance(1 / 9.0))
        // |logistic|: P(|X| > x) = 2/(1 + eˣ).
        let logistic = BatteryDistribution.absoluteLogistic.sample(count: 40_000, random: random)
        XCTAssertEqual(fraction(logistic, above: 2), 2 / (1 + exp(2)), accuracy: tolerance(2 / (1 + exp(2))))
        let uniform = BatteryDistribution.uniform.sample(count: 40_000, random: random)
        XCTAssertEqual(fraction(uniform, above: 0.9), 0.1, accuracy: tolerance(0.1))
        XCTAssertLessThan(uniform.max() ?? 2, 1)
        // Pareto(α) × |N|: P(X > x) = E[min(1, (|N|/x)^α)]; at x = 10, α = 2.5 that is E|N|^2.5 · 10^−2.5 to 1 part in 10⁴.
        let product = BatteryDistribution.paretoTimesGaussian(alpha: 2.5).sample(count: 40_000, random: random)
        let moment = pow(2, 1.25) * tgamma(1.75) / Double.pi.squareRoot()  // E|N|^2.5
        XCTAssertEqual(fraction(product, above: 10), moment * pow(10, -2.5), accuracy: tolerance(moment * pow(10, -2.5)))
        // Max-AR: stationary P(X > x) ≈ x^−α/(1 − φ^α); exceedances come in runs of mean 1/(1 − φ^α).
        let maxAR = BatteryDistribution.maxAutoregressive(alpha: 3, phi: 0.7).sample(count: 40_000, random: random)
        let stationary = 1 - exp(-pow(5, -3) / (1 - pow(0.7, 3)))
        XCTAssertEqual(fraction(maxAR, above: 5), stationary, accuracy: 2 * tolerance(stationary) / (1 - pow(0.7, 3)).squareRoot())
        var exceedances = 0, runs = 0
        for i in maxAR.indices where maxAR[i] > 5 {
            exceedances += 1
            if i == 0 || maxAR[i - 1] <= 5 { runs += 1 }
        }
        XCTAssertEqual(Double(runs) / Double(exceedances), 1 - pow(0.7, 3), accuracy: 0.12)
        // Stochastic volatility: |X| clusters (squared values correlate at lag 1), unlike its innovations.
        let sv = BatteryDistribution.stochasticVolatility(nu: 2.5, phi: 0.9).sample(count: 40_000, random: random)
        XCTAssertGreaterThan(Self.lagOneCorrelation(sv.map { log($0) }), 0.05)
    }

    /// The third held-out battery's new kinds draw their laws (exact survival functions).
    func testThirdBatteryKindsDrawTheirLaws() {
        let random = RandomSource(seed: 13)
        let n = 40_000.0
        func check(_ kind: BatteryDistribution, above t: Double, _ p: Double, _ name: String) {
            let x = kind.sample(count: 40_000, random: random)
            XCTAssertEqual(Double(x.filter { $0 > t }.count) / n, p, accuracy: 4 * (p * (1 - p) / n).squareRoot(), name)
        }
        check(.dagum(a: 3.5, p: 2), above: 2, 1 - pow(1 + pow(2, -3.5), -2), "Dagum: 1 − (1 + x^−a)^−p")
        check(.levy, above: 4, 2 * SpecialFunctions.normalCDF(0.5) - 1, "Lévy: P(|Z| < 1/√x)")
        // Exp × Pareto(3): P(X > x) = x^−3·γ(4, x) + e^−x.
        check(.exponentialTimesPareto(alpha: 3), above: 10, pow(10, -3) * 6 * SpecialFunctions.regularizedLowerGamma(4, 10) + exp(-10), "Exp × Pareto")
        check(.absoluteGumbel, above: 2, 1 - exp(-exp(-2)) + exp(-exp(2)), "|Gumbel|")
        check(.beta(a: 2, b: 5), above: 0.5, 7 / 64, "beta(2, 5)")
        // MA(1) with θ = 0.8: neighbours share an innovation.
        let ma = BatteryDistribution.movingAverageStudentT(theta: 0.8, nu: 3).sample(count: 40_000, random: random)
        XCTAssertGreaterThan(Self.lagOneCorrelation(ma.map { log($0) }), 0.1)
    }
}
