/// What each optimizer implements: one update of `Double` parameters in place.
///
/// The public, generic `Optimizer.step` is provided once, here, for every
/// optimizer: `Double` parameters are updated directly; any other scalar
/// (`Float` for the neural models) is widened to `Double`, updated, and rounded
/// back. So there is one implementation of each algorithm, and its arithmetic
/// is always done in `Double`.
protocol DoublePrecisionUpdate: Optimizer {
    /// Length of the parameter vector this optimizer was made for.
    var parameterCount: Int { get }

    /// One update in place; `parameters` and `gradient` have `parameterCount` entries.
    mutating func update(parameters: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>)
}

extension DoublePrecisionUpdate {
    mutating func step<T: BinaryFloatingPoint>(parameters: UnsafeMutableBufferPointer<T>,
                                               gradient: UnsafeBufferPointer<T>) {
        precondition(parameters.count == parameterCount && gradient.count == parameterCount,
                     "\(name) was made for \(parameterCount) parameters, got \(parameters.count) parameters and \(gradient.count) gradient entries")
        if T.self == Double.self {
            update(parameters: UnsafeMutableRawBufferPointer(parameters).assumingMemoryBound(to: Double.self),
                   gradient: UnsafeRawBufferPointer(gradient).assumingMemoryBound(to: Double.self))
        } else if T.self == Float.self {
            // The conversions are written out for concrete Float buffers, so they
            // compile to plain loops even though `step` itself runs unspecialised
            // behind an existential.
            let floatParameters = UnsafeMutableRawBufferPointer(parameters).assumingMemoryBound(to: Float.self)
            let floatGradient = UnsafeRawBufferPointer(gradient).assumingMemoryBound(to: Float.self)
            updateWidened(
                widen: { convert(UnsafeBufferPointer(floatParameters), into: $0); convert(floatGradient, into: $1) },
                narrow: { convert($0, into: floatParameters) })
        } else {
            updateWidened(
                widen: { convert(UnsafeBufferPointer(parameters), into: $0); convert(gradient, into: $1) },
                narrow: { convert($0, into: parameters) })
        }
    }

    /// Updates through `Double` scratch copies: `widen` fills the scratch
    /// parameters and gradient, `narrow` writes the updated parameters back.
    private mutating func updateWidened(
        widen: (_ parameters: UnsafeMutableBufferPointer<Double>, _ gradient: UnsafeMutableBufferPointer<Double>) -> Void,
        narrow: (_ parameters: UnsafeBufferPointer<Double>) -> Void
    ) {
        let count = parameterCount
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { scratch in
            let wideParameters = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
            let wideGradient = UnsafeMutableBufferPointer(rebasing: scratch[count..<(2 * count)])
            widen(wideParameters, wideGradient)
            update(parameters: wideParameters, gradient: UnsafeBufferPointer(wideGradient))
            narrow(UnsafeBufferPointer(wideParameters))
        }
    }
}

/// Element-wise conversion (rounding to nearest when narrowing). A free
/// function, generic only in the two scalars, so that every call with concrete
/// types is specialised into a plain loop.
func convert<Source: BinaryFloatingPoint, Target: BinaryFloatingPoint>(_ source: UnsafeBufferPointer<Source>,
                                                                       into target: UnsafeMutableBufferPointer<Target>) {
    for i in source.indices { target[i] = Target(source[i]) }
}
