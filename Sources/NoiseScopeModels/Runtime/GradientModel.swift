/// What the sampler needs from any bundled model, whatever its architecture: one flat
/// parameter buffer, one flat gradient buffer of the same layout, a number of
/// examples, and a minibatch loss-and-gradient call.
///
/// Conforming types compute in `Scalar` (Float for measurements, Double in tests).
/// Both buffers are allocated once; their addresses never change, so a caller may keep
/// the pointers. `lossAndGradient` overwrites `gradient` with the gradient of the
/// mean loss over the minibatch and returns that mean loss (accumulated in Double).
/// It allocates nothing: all workspace is sized for `maxBatchSize` at construction.
/// A model runs one call at a time (it owns its workers); use one model per thread.
package protocol GradientModel<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    /// Short name, e.g. `tinygpt`, `tinygpt-noattn-gaussian`, `resmlp`, `logreg`.
    var name: String { get }
    /// Named tensors inside the flat buffers.
    var layout: ParameterLayout { get }
    /// All parameters, one contiguous buffer (read and write; e.g. to load a checkpoint).
    var parameters: UnsafeMutableBufferPointer<Scalar> { get }
    /// The gradient of the last `lossAndGradient` call, same layout as `parameters`.
    var gradient: UnsafeMutableBufferPointer<Scalar> { get }
    /// Number of examples (windows or images) that indices refer to.
    var exampleCount: Int { get }
    /// Largest minibatch the workspace holds.
    var maxBatchSize: Int { get }
    /// Training FLOPs (forward + backward) for one example, for throughput reports.
    var flopsPerExample: Double { get }
    /// Mean loss over the examples `indices` (each in 0..<exampleCount, at most
    /// `maxBatchSize` of them, repeats allowed); overwrites `gradient`.
    func lossAndGradient(indices: [Int]) -> Double
    /// Per-example gradients: example `indices[k]`'s gradient of its own mean loss
    /// (what `lossAndGradient(indices: [indices[k]])` gives, up to rounding) into
    /// `gradients[k·parameterCount ..< (k+1)·parameterCount]`, which must hold them
    /// all; returns the mean loss over the examples. Same limits on `indices` as
    /// `lossAndGradient`; `gradient` may be overwritten. The default runs one
    /// batch-1 pass per example; the data-parallel models run one batched pass.
    func perExampleGradients(indices: [Int], into gradients: UnsafeMutableBufferPointer<Scalar>) -> Double
    /// Mean loss only (forward pass; `gradient` untouched).
    func loss(indices: [Int]) -> Double
    /// What example `index` is, for people (a text window's bytes; nil where
    /// there is nothing readable to show).
    func describeExample(_ index: Int) -> String?
}

extension GradientModel {
    package func describeExample(_ index: Int) -> String? { nil }

    package func perExampleGradients(indices: [Int], into gradients: UnsafeMutableBufferPointer<Scalar>) -> Double {
        let n = parameterCount
        precondition(gradients.count >= indices.count * n, "room for \(gradients.count / Swift.max(n, 1)) gradients, \(indices.count) asked for")
        var total = 0.0
        for (k, i) in indices.enumerated() {
            total += lossAndGradient(indices: [i])
            if n > 0 { (gradients.baseAddress! + k * n).update(from: gradient.baseAddress!, count: n) }
        }
        return total / Double(indices.count)
    }

    /// Number of scalars in `parameters` (and in `gradient`).
    package var parameterCount: Int { layout.count }

    /// The parameters of tensor `name` (a view into `parameters`).
    package func parameterView(_ name: String) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(rebasing: parameters[layout[name]!.range])
    }

    /// The gradient of tensor `name` (a view into `gradient`).
    package func gradientView(_ name: String) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(rebasing: gradient[layout[name]!.range])
    }
}
