import CGSL

/// Plain descriptive statistics of a sample, the first thing to look at.
public struct SampleSummary: Codable, Equatable, Sendable {
    public var n: Int
    public var mean: Double
    public var median: Double
    public var max: Double
    /// max / median: a single huge value shows here first.
    public var maxOverMedian: Double
    /// Sample excess kurtosis (0 for a Gaussian): GSL's `gsl_stats_kurtosis`.
    public var excessKurtosis: Double

    enum CodingKeys: String, CodingKey {
        case n, mean, median, max
        case maxOverMedian = "max_over_median"
        case excessKurtosis = "excess_kurtosis"
    }

    /// A summary from values computed elsewhere (a streaming sketch).
    package init(n: Int, mean: Double, median: Double, max: Double, excessKurtosis: Double) {
        self.n = n; self.mean = mean; self.median = median; self.max = max
        maxOverMedian = max / median
        self.excessKurtosis = excessKurtosis
    }

    /// Summarises values already sorted in descending order.
    package init(_ data: OrderStatistics) {
        let values = data.descending
        n = values.count
        mean = values.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
        // gsl_stats_median_from_sorted_data wants ascending order; the median is symmetric in it.
        let middle = n / 2
        // Halves before adding, so two values near the largest double do not overflow.
        median = n % 2 == 1 ? values[middle] : 0.5 * values[middle - 1] + 0.5 * values[middle]
        max = values.first ?? .nan
        maxOverMedian = max / median
        excessKurtosis = n >= 4 ? values.withUnsafeBufferPointer { gsl_stats_kurtosis($0.baseAddress, 1, $0.count) } : .nan
    }
}
