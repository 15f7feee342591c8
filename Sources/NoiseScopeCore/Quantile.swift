/// The p-quantile of ascending `sorted` data, interpolating linearly between
/// neighbouring order statistics (Hyndman–Fan type 7, the default of R and
/// NumPy, and the rule the rest of noisescope uses): with n values,
/// position h = p·(n − 1), quantile = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎),
/// 0-based. So p = 0 is the minimum, p = 1 the maximum, and for p = 0.999 with
/// n = 2000 it lies between the 3rd and 2nd largest values: such an extreme
/// quantile rests on about n·(1 − p) samples, and is only as good as that.
package func quantile(ofSorted sorted: [Double], probability p: Double) -> Double {
    precondition(!sorted.isEmpty, "quantile of an empty sample")
    precondition(p >= 0 && p <= 1, "probability must be in [0, 1]")
    let position = p * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    // Skip the interpolation on an exact order statistic, so an infinite
    // neighbour does not turn it into NaN (∞ · 0).
    return fraction == 0 ? sorted[below] : sorted[below] + fraction * (sorted[above] - sorted[below])
}
