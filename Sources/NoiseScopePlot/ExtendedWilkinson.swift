import Foundation

/// A run of evenly spaced "nice" tick values, stored exactly as integers times a power of ten.
///
/// Tick `i` is `(firstMantissa + i · mantissaStep) × 10^exponent`. Keeping the integers lets
/// labels be printed exactly (`0.3`, never `0.30000000000000004`).
struct NiceTickSequence: Equatable {
    var firstMantissa: Int64
    var mantissaStep: Int64
    var count: Int
    var exponent: Int

    var mantissas: [Int64] { (0..<count).map { firstMantissa + Int64($0) * mantissaStep } }

    /// The value of `mantissa × 10^exponent`, correctly rounded for moderate exponents.
    static func value(mantissa: Int64, exponent: Int) -> Double {
        exponent >= 0 ? Double(mantissa) * pow10(exponent) : Double(mantissa) / pow10(-exponent)
    }
}

/// The extended Wilkinson tick search of Talbot, Lin and Hanrahan (2010), "An Extension of
/// Wilkinson's Algorithm for Positioning Tick Labels on Axes", IEEE InfoVis.
///
/// It scores candidate labelings on simplicity (preferring steps 1, 5, 2, 2.5, 4, 3 and
/// labelings that include zero), coverage (ticks span the data without much overhang) and
/// density (close to the requested number of ticks), and returns the best one. The search is
/// exhaustive but pruned by upper bounds, so it stays fast; hard caps on every loop guarantee
/// termination for any finite input.
enum ExtendedWilkinson {
    /// Preferred step multipliers in order of preference, as (value, integer mantissa, exponent
    /// shift): 2.5 is represented as 25 × 10⁻¹.
    private static let steps: [(value: Double, mantissa: Int64, shift: Int)] = [
        (1, 1, 0), (5, 5, 0), (2, 2, 0), (2.5, 25, -1), (4, 4, 0), (3, 3, 0),
    ]
    private static let simplicityWeight = 0.25
    private static let coverageWeight = 0.2
    private static let densityWeight = 0.5
    private static let legibilityWeight = 0.05

    /// Which labelings may be chosen, relative to the data range.
    enum Containment {
        /// Any labeling (the original algorithm).
        case any
        /// First and last ticks enclose the data ("loose" labeling).
        case enclosing
        /// Every tick lies within the data range. Axes use this with their limits as the
        /// range, so the density term counts the ticks that will actually be shown.
        case inside
    }

    /// Best labeling of `[dataMin, dataMax]` with about `targetCount` ticks among those allowed
    /// by `containment`. Returns `nil` when the range is empty or not finite.
    static func ticks(dataMin: Double, dataMax: Double, targetCount: Int,
                      containment: Containment = .any) -> NiceTickSequence? {
        guard dataMin.isFinite, dataMax.isFinite, dataMax > dataMin else { return nil }
        let m = max(2, targetCount)
        let stepCount = Double(steps.count)
        var bestScore = -2.0
        var best: NiceTickSequence?

        var j = 1
        search: while j <= 25 {
            for (index, q) in steps.enumerated() {
                let simplicityBound = 2 - Double(index) / (stepCount - 1) - Double(j)
                if score(simplicityBound, 1, 1) < bestScore { break search }
                var k = 2
                while k <= 50 {
                    let densityBound = k >= m ? 2 - Double(k - 1) / Double(m - 1) : 1
                    if score(simplicityBound, 1, densityBound) < bestScore { break }
                    let delta = (dataMax - dataMin) / Double(k + 1) / Double(j) / q.value
                    var z = Int(ceil(log10(delta)))
                    for _ in 0..<40 {
                        defer { z += 1 }
                        let step = Double(j) * q.value * pow10(z)
                        let coverageBound = maximumCoverage(dataMin, dataMax, span: step * Double(k - 1))
                        if score(simplicityBound, coverageBound, densityBound) < bestScore { break }
                        guard abs(dataMax / step) < 1e15, abs(dataMin / step) < 1e15 else { continue }
                        let minStart = Int64(floor(dataMax / step)) * Int64(j) - Int64(k - 1) * Int64(j)
                        let maxStart = Int64(ceil(dataMin / step)) * Int64(j)
                        guard minStart <= maxStart else { continue }
                        for start in minStart...maxStart {
                            let candidate = NiceTickSequence(
                                firstMantissa: start * q.mantissa, mantissaStep: Int64(j) * q.mantissa,
                                count: k, exponent: z + q.shift)
                            let lmin = Double(start) * (step / Double(j))
                            let lmax = lmin + step * Double(k - 1)
                            let last = candidate.firstMantissa + Int64(k - 1) * candidate.mantissaStep
                            let includesZero = candidate.firstMantissa <= 0 && last >= 0
                                && candidate.firstMantissa % candidate.mantissaStep == 0
                            let simplicity = 1 - Double(index) / (stepCount - 1) - Double(j)
                                + (includesZero ? 1 : 0)
                            let total = score(simplicity, coverage(dataMin, dataMax, lmin, lmax),
                                              density(k, m, dataMin, dataMax, lmin, lmax))
                            let tolerance = 1e-9 * step
                            let allowed: Bool
                            switch containment {
                            case .any: allowed = true
                            case .enclosing: allowed = lmin <= dataMin + tolerance && lmax >= dataMax - tolerance
                            case .inside: allowed = lmin >= dataMin - tolerance && lmax <= dataMax + tolerance
                            }
                            if total > bestScore && allowed {
                                bestScore = total
                                best = candidate
                            }
                        }
                    }
                    k += 1
                }
            }
            j += 1
        }
        return best
    }

    private static func score(_ simplicity: Double, _ coverage: Double, _ density: Double) -> Double {
        simplicityWeight * simplicity + coverageWeight * coverage + densityWeight * density
            + legibilityWeight
    }

    private static func coverage(_ dmin: Double, _ dmax: Double, _ lmin: Double, _ lmax: Double) -> Double {
        let range = dmax - dmin
        return 1 - 0.5 * ((dmax - lmax) * (dmax - lmax) + (dmin - lmin) * (dmin - lmin))
            / ((0.1 * range) * (0.1 * range))
    }

    private static func maximumCoverage(_ dmin: Double, _ dmax: Double, span: Double) -> Double {
        let range = dmax - dmin
        guard span > range else { return 1 }
        let half = (span - range) / 2
        return 1 - 0.5 * (2 * half * half) / ((0.1 * range) * (0.1 * range))
    }

    private static func density(_ k: Int, _ m: Int, _ dmin: Double, _ dmax: Double,
                                _ lmin: Double, _ lmax: Double) -> Double {
        let r = Double(k - 1) / (lmax - lmin)
        let target = Double(m - 1) / (max(lmax, dmax) - min(dmin, lmin))
        return 2 - max(r / target, target / r)
    }
}
