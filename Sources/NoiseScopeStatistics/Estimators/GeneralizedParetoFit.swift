import Dispatch
import Foundation

/// Peaks over threshold: a generalised Pareto distribution fitted by maximum
/// likelihood to the k exceedances y_i = X(i) − X(k+1) over the threshold
/// u = X(k+1). Its shape ξ is the extreme-value index (ξ = 1/α for a power
/// law, 0 for exponential-type tails, < 0 for bounded ones), and since only
/// differences X(i) − u enter, the fit does not move when a constant is added
/// to every sample: the view of the tail that a large offset (the body of a
/// noise norm) cannot bias, unlike Hill and the moment estimator.
///
/// The MLE uses Grimshaw's (1993) reduction to one parameter θ = ξ/σ:
/// ξ̂(θ) = (1/k) Σ log(1 + θ y_i) and the profile log-likelihood
/// ℓ*(θ) = −k log(ξ̂(θ)/θ) − k − k ξ̂(θ), maximised over θ > −1/max y on a
/// grid and then by GSL's Brent minimiser. The 95 % interval for ξ is the
/// profile-likelihood interval {ξ : 2(ℓ(ξ̂, σ̂) − max_σ ℓ(ξ, σ)) ≤ χ²₁(0.95)},
/// its ends found by GSL's Brent root finder.
public struct GeneralizedParetoFit: Codable, Equatable, Sendable {
    /// Number of exceedances.
    public var k: Int
    /// The threshold u = X(k+1).
    public var threshold: Double
    /// Shape ξ̂ (the extreme-value index; 1/α for a power-law tail).
    public var xi: Double
    /// Scale σ̂, in the units of the samples.
    public var sigma: Double
    /// Profile-likelihood 95 % interval for ξ; nil when only the point estimate was asked for.
    public var xiInterval95: ClosedInterval?
    /// The same interval for α = 1/ξ (upper bound unbounded where ξ may be ≤ 0).
    public var alphaInterval95: ClosedInterval?

    enum CodingKeys: String, CodingKey {
        case k, threshold, xi, sigma
        case xiInterval95 = "xi_ci95"
        case alphaInterval95 = "alpha_ci95"
    }

    /// χ²₁(0.95)/2: the log-likelihood drop that bounds a 95 % profile interval.
    static let halfChiSquare95 = 1.920729410347062

    /// Fits the k exceedances over X(k+1); nil when they are all zero (ties at the threshold).
    package static func fit(_ data: OrderStatistics, k: Int, interval: Bool = true) -> GeneralizedParetoFit? {
        guard k >= 2, k < data.count else { return nil }
        let threshold = data.value(k + 1)
        // One array of k exceedances, scaled in place (no second copy: k is n/5).
        var z = (1...k).map { data.value($0) - threshold }
        let scale = z.reduce(0, +) / Double(k)
        guard scale > 0, scale.isFinite else { return nil }
        for i in z.indices { z[i] /= scale }
        let (xi, sigma) = maximumLikelihood(z)
        var fit = GeneralizedParetoFit(k: k, threshold: threshold, xi: xi, sigma: sigma * scale)
        if interval {
            let xiInterval = profileInterval(z, xi: xi, sigma: sigma)
            fit.xiInterval95 = xiInterval
            fit.alphaInterval95 = xiInterval.reciprocal()
        }
        return fit
    }

    /// P(max of k exceedances ≥ the observed largest) under the fitted GPD:
    /// 1 − (1 − S(y_max))^k, S the fit's survival function. A fit with ξ < 0
    /// has a finite endpoint that a light tail's own maximum may pass, so it is
    /// replaced by the exponential fit (ξ = 0, σ = mean exceedance): the question
    /// is whether the maximum is too far out for any light tail.
    package func maximumExceedanceProbability(_ data: OrderStatistics) -> Double {
        let y = data.value(1) - threshold
        let survival: Double
        if xi < 1e-9 {
            let meanExceedance = (1...k).reduce(0.0) { $0 + data.value($1) - threshold } / Double(k)
            survival = exp(-y / meanExceedance)
        } else {
            let t = 1 + xi * y / sigma
            survival = t <= 0 ? 0 : pow(t, -1 / xi)
        }
        return -expm1(Double(k) * log1p(-min(survival, 1)))
    }

    /// Grimshaw's profile log-likelihood in θ = ξ/σ, on exceedances scaled to mean 1.
    static func grimshaw(_ theta: Double, _ z: [Double]) -> Double {
        let k = Double(z.count)
        if abs(theta) < 1e-12 { return -k * log(z.reduce(0, +) / k) - k }
        var sum = 0.0
        for value in z {
            let t = theta * value
            if t <= -1 { return -.infinity }
            sum += log1p(t)
        }
        let xi = sum / k
        guard xi / theta > 0 else { return -.infinity }
        return -k * log(xi / theta) - k - k * xi
    }

    /// (ξ̂, σ̂) for exceedances `z` scaled to mean 1.
    static func maximumLikelihood(_ z: [Double]) -> (xi: Double, sigma: Double) {
        let zmax = z.max() ?? 1
        var thetas: [Double] = [0]
        for i in 0..<30 { thetas.append(-(1 - pow(10, -6 + Double(i) * (6 - 0.0001) / 29)) / zmax) }
        for i in 0..<57 { thetas.append(pow(10, -3 + Double(i) * 7 / 56)) }
        thetas.sort()
        let values = evaluate(thetas, length: z.count) { grimshaw($0, z) }
        let best = values.indices.max { values[$0] < values[$1] }!
        var theta = thetas[best]
        if best > 0, best < thetas.count - 1 {
            theta = OneDimensionalSearch.minimum(of: { -grimshaw($0, z) }, lower: thetas[best - 1], upper: thetas[best + 1],
                                                 guess: thetas[best], tolerance: 1e-10 * max(1, abs(thetas[best + 1])))
            if grimshaw(theta, z) < values[best] { theta = thetas[best] }
        }
        if abs(theta) < 1e-12 { return (0, z.reduce(0, +) / Double(z.count)) }
        let xi = z.reduce(0) { $0 + log1p(theta * $1) } / Double(z.count)
        return (xi, xi / theta)
    }

    /// `f` at each point, on every core when each value is a long sum (many
    /// exceedances): the points are independent and each sum runs in its own
    /// order on one thread, so the values are those of a plain `map`.
    static func evaluate(_ points: [Double], length: Int, _ f: (Double) -> Double) -> [Double] {
        // Short sums are done before threads would start.
        guard length >= 20_000 else { return points.map(f) }
        var values = [Double](repeating: .nan, count: points.count)
        values.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: points.count) { output[$0] = f(points[$0]) }
        }
        return values
    }

    /// The GPD log-likelihood of `z` at (ξ, σ).
    static func logLikelihood(xi: Double, sigma: Double, _ z: [Double]) -> Double {
        guard sigma > 0 else { return -.infinity }
        let k = Double(z.count)
        if abs(xi) < 1e-9 { return -k * log(sigma) - z.reduce(0, +) / sigma }
        var sum = 0.0
        for value in z {
            let t = xi * value / sigma
            if t <= -1 { return -.infinity }
            sum += log1p(t)
        }
        return -k * log(sigma) - (1 + 1 / xi) * sum
    }

    /// max over σ of the log-likelihood at fixed ξ. The score in σ is
    /// (−k + (1 + ξ) S(σ))/σ with S(σ) = Σ z/(σ + ξz), and S falls as σ grows
    /// (and is convex), so for ξ > −1 the maximum is the one root of
    /// S(σ) = k/(1 + ξ) between σ's lower bound max(0, −ξ·max z) and that bound
    /// plus (1 + ξ)·mean z, where S is already too small. Newton steps, kept in
    /// the shrinking bracket (bisecting when a step would leave it), need only
    /// sums of quotients; the likelihood, with its logarithms, is evaluated once
    /// at the root. Where the root is not bracketed (ties at the threshold make
    /// S(0⁺) too small), the search over σ answers instead.
    static func profile(xi: Double, _ z: [Double], hint: Double) -> Double {
        let k = Double(z.count)
        let zmax = z.max() ?? 0
        if xi <= -1 { return xi == -1 ? -k * log(zmax) : .infinity }
        if abs(xi) < 1e-9 { return logLikelihood(xi: 0, sigma: z.reduce(0, +) / k, z) }
        let target = k / (1 + xi)
        let base = xi < 0 ? -xi * zmax : 0
        // S(σ) − k/(1 + ξ) and its derivative −Σ z/(σ + ξz)².
        func excess(_ sigma: Double) -> (value: Double, slope: Double) {
            var quotients = 0.0, squares = 0.0
            for value in z {
                let d = 1 / (sigma + xi * value)
                let q = value * d
                quotients += q
                squares += q * d
            }
            return (quotients - target, -squares)
        }
        var low = base, high = base + (1 + xi) * (z.reduce(0, +) / k) * (1 + 1e-9) + Double.leastNormalMagnitude
        if xi > 0 {
            let positive = z.reduce(0.0) { $0 + ($1 > 0 ? 1 : 0) }
            guard positive / xi > target, excess(high).value < 0 else { return profileBySearch(xi: xi, z, hint: hint) }
        }
        var sigma = min(max(hint, low + 0.5 * (high - low) * 1e-3), high)
        if !(sigma > low && sigma < high) { sigma = 0.5 * (low + high) }
        for _ in 0..<200 {
            let (value, slope) = excess(sigma)
            if value == 0 { break }
            if value > 0 { low = sigma } else { high = sigma }
            var next = sigma - value / slope
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            if abs(next - sigma) <= 1e-14 * sigma || high - low <= 1e-15 * high { sigma = next; break }
            sigma = next
        }
        return logLikelihood(xi: xi, sigma: sigma, z)
    }

    /// max over σ at fixed ξ by search, for the cases `profile` cannot bracket:
    /// a grid over log σ around `hint`, then GSL's Brent minimiser between the
    /// best point's neighbours. For ξ < 0, σ is written as −ξ·max z + e^t so
    /// that every point stays in the support.
    static func profileBySearch(xi: Double, _ z: [Double], hint: Double) -> Double {
        let base = xi < 0 ? -xi * (z.max() ?? 0) : 0
        let centre = log(max(hint - base, 1e-8 * max(base, 1)))
        let value = { (t: Double) -> Double in logLikelihood(xi: xi, sigma: base + exp(t), z) }
        let grid = (0...16).map { centre - 8 + Double($0) }
        let values = evaluate(grid, length: z.count, value)
        let best = values.indices.max { values[$0] < values[$1] }!
        guard best > 0, best < grid.count - 1 else { return values[best] }
        let t = OneDimensionalSearch.minimum(of: { -value($0) }, lower: grid[best - 1], upper: grid[best + 1], guess: grid[best], tolerance: 1e-7)
        return max(value(t), values[best])
    }

    /// The profile-likelihood 95 % interval for ξ around the MLE (ξ̂, σ̂) on scaled exceedances.
    static func profileInterval(_ z: [Double], xi: Double, sigma: Double) -> ClosedInterval {
        let maximum = logLikelihood(xi: xi, sigma: sigma, z)
        let step0 = (1 + max(xi, -0.4)) / Double(z.count).squareRoot()
        let deficit = { (candidate: Double) -> Double in
            maximum - profile(xi: candidate, z, hint: sigma * max(1e-3, (1 + candidate) / (1 + xi))) - halfChiSquare95
        }
        var ends: [Double] = [.nan, .nan]
        ends.withUnsafeMutableBufferPointer { output in
        let ends = output
        DispatchQueue.concurrentPerform(iterations: 2) { side in
            let direction = side == 0 ? -1.0 : 1.0
            var inner = xi, step = step0, outer = xi + direction * step
            var found = false
            for _ in 0..<30 {
                // Below ξ = −1 the likelihood is unbounded: stop the interval there.
                if direction < 0 && outer < -1 { outer = -1; found = deficit(outer) >= 0; break }
                if deficit(outer) >= 0 { found = true; break }
                inner = outer
                step *= 1.6
                outer += direction * step
            }
            if found && !deficit(inner).isFinite {
                // ξ̂ < −1 (a bounded tail steeper than the uniform): below −1 the likelihood is
                // unbounded, so the deficit is −∞ there and jumps at −1; the end is −1 when the
                // jump already crosses zero, else the root between −1 and `outer`.
                inner = -1
                if deficit(inner) >= 0 { ends[side] = -1; return }
            }
            if found {
                ends[side] = OneDimensionalSearch.root(of: deficit, lower: min(inner, outer), upper: max(inner, outer), tolerance: 1e-5) ?? outer
            } else {
                ends[side] = direction < 0 ? -1 : .infinity
            }
        }
        }
        return ClosedInterval(ends[0], ends[1].isFinite ? ends[1] : nil)
    }
}
