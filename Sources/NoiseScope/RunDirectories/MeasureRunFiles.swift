import Foundation
import NoiseScopeCore
import NoiseScopeSampling
import NoiseScopeStatistics

/// What `measure` wrote that later readers need back (`report` draws its page
/// from it, `figure` reuses a run it measured): summary.json, the noise norms
/// and the variance curve, checked against each other.
struct MeasureRunFiles {
    var summary: MeasurementSummary
    var norms: [Double]
    var variance: [(samples: Int, variance: Double)]

    /// Reads `run`; throws when a file is missing or unreadable, or the files disagree.
    static func read(_ run: RunDirectory) throws -> MeasureRunFiles {
        let summary: MeasurementSummary
        do { summary = try JSONDecoder().decode(MeasurementSummary.self, from: try run.data("summary.json")) } catch let error as NoiseScopeError {
            throw error
        } catch {
            throw NoiseScopeError("\(run.path)/summary.json is not a noisescope measure summary (\(error))")
        }
        let norms = try run.samples("noise_norms.npy").values
        let variances = try run.samples("variance.csv", SampleReader(format: .csv, column: "variance")).values
        let sampleCounts = try run.samples("variance.csv", SampleReader(format: .csv, column: "samples")).values
        guard norms.count == summary.samples, variances.count == sampleCounts.count else {
            throw NoiseScopeError("\(run.path): noise_norms.npy or variance.csv does not match summary.json (\(norms.count) norms, \(summary.samples) promised); re-run measure")
        }
        return MeasureRunFiles(summary: summary, norms: norms, variance: zip(sampleCounts, variances).map { (samples: Int($0.0), variance: $0.1) })
    }
}
