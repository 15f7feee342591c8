import NoiseScopeCore
import NoiseScopeModels
import NoiseScopeStatistics

/// Where the largest noise norms come from: for each of the top minibatches,
/// the per-example noise ‖g_i − ∇f‖ of its examples and each example's
/// leave-one-out influence, ‖g_B − ∇f‖ − ‖g_{B∖i} − ∇f‖ with
/// g_{B∖i} = (B g_B − g_i)/(B − 1). An example with a large positive
/// influence is what makes that norm large; if the same few examples drive
/// every top norm, the "tail" is a property of those examples, not of the data.
package struct NoiseAttribution: Codable, Sendable {
    package struct Row: Codable, Sendable {
        /// Rank of the minibatch's norm (1 = largest) and its position in the sample.
        package var rank: Int
        package var sample: Int
        package var noiseNorm: Double
        package var example: Int
        package var exampleNoiseNorm: Double
        package var leaveOneOutNorm: Double
        package var influence: Double
        /// The example as text, where the model can show it.
        package var content: String?

        enum CodingKeys: String, CodingKey {
            case rank, sample, example, influence, content
            case noiseNorm = "noise_norm", exampleNoiseNorm = "example_noise_norm", leaveOneOutNorm = "leave_one_out_norm"
        }
    }

    package var rows: [Row]

    package init(rows: [Row]) { self.rows = rows }

    /// The `top` largest norms of `measurement`, explained example by example
    /// on `model` (its parameters as they were measured).
    package static func compute(model: any GradientModel<Float>, measurement: NoiseMeasurement, top: Int = 10) -> NoiseAttribution {
        let full = measurement.fullGradient
        guard !full.isEmpty, measurement.batches.count == measurement.noiseNorms.count else { return NoiseAttribution(rows: []) }
        let order = measurement.noiseNorms.indices.sorted { measurement.noiseNorms[$0] > measurement.noiseNorms[$1] }.prefix(top)
        var rows: [Row] = []
        for (rank, sample) in order.enumerated() {
            let batch = measurement.batches[sample]
            let b = Double(batch.count)
            var perExample: [[Double]] = []
            for example in batch {
                _ = model.lossAndGradient(indices: [example])
                perExample.append(model.gradient.map(Double.init))
            }
            // g_B as the mean of the per-example gradients (the model's loss is the mean over examples).
            var mean = [Double](repeating: 0, count: full.count)
            for g in perExample { for i in 0..<full.count { mean[i] += g[i] / b } }
            func distance(_ v: (Int) -> Double) -> Double {
                var s = 0.0
                for i in 0..<full.count { let d = v(i) - full[i]; s += d * d }
                return s.squareRoot()
            }
            let norm = distance { mean[$0] }
            for (position, example) in batch.enumerated() {
                let g = perExample[position]
                let leaveOneOut = batch.count > 1 ? distance { (b * mean[$0] - g[$0]) / (b - 1) } : .nan
                rows.append(Row(rank: rank + 1, sample: sample, noiseNorm: norm, example: example,
                                exampleNoiseNorm: distance { g[$0] }, leaveOneOutNorm: leaveOneOut,
                                influence: norm - leaveOneOut, content: model.describeExample(example)))
            }
        }
        return NoiseAttribution(rows: rows)
    }

    /// The attribution as CSV (content quoted as RFC 4180 wants). The content
    /// is training text, which may hold terminal escapes: control characters
    /// other than newline and tab are written as visible escapes (`\e`), so
    /// `cat attribution.csv` cannot drive the terminal.
    package var csv: String {
        var lines = ["rank,sample,noise_norm,example,example_noise_norm,leave_one_out_norm,influence,content"]
        for r in rows {
            let content = r.content.map {
                "\"" + TerminalText.safeForTerminal($0, limit: Int.max, keep: ["\n", "\t"]).replacingOccurrences(of: "\"", with: "\"\"") + "\""
            } ?? ""
            lines.append("\(r.rank),\(r.sample),\(format(r.noiseNorm)),\(r.example),\(format(r.exampleNoiseNorm)),\(format(r.leaveOneOutNorm)),\(format(r.influence)),\(content)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func format(_ x: Double) -> String { String(format: "%.9g", x) }
}
