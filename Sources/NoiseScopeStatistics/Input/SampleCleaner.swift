import NoiseScopeCore

/// Keeps the samples a tail estimator can use (positive and finite) and says
/// what it removed, or refuses, per the caller's policy. The one place that
/// decides, for whole files and streams alike.
public struct SampleCleaner: Sendable {
    public enum Policy: String, Sendable, CaseIterable {
        /// Remove them and report how many.
        case drop
        /// Stop with an error naming the first one.
        case refuse
    }

    public struct DroppedCounts: Codable, Equatable, Sendable {
        /// NaN or ±Inf values removed (missing values read as NaN).
        public var nonfinite: Int
        /// Zeros and negative values removed.
        public var nonpositive: Int
        public var total: Int { nonfinite + nonpositive }

        public init(nonfinite: Int = 0, nonpositive: Int = 0) {
            self.nonfinite = nonfinite
            self.nonpositive = nonpositive
        }

        public static func += (a: inout DroppedCounts, b: DroppedCounts) {
            a.nonfinite += b.nonfinite
            a.nonpositive += b.nonpositive
        }
    }

    public typealias Refusal = NoiseScopeError

    public var policy: Policy

    public init(policy: Policy = .drop) { self.policy = policy }

    /// The positive finite values of `samples`, in their order, and the counts removed.
    /// `describeIndex` names where a value came from (e.g. "line 7") for the refusal message.
    public func clean(_ samples: [Double], describeIndex: (Int) -> String = { "value \($0 + 1)" }) throws
        -> (samples: [Double], dropped: DroppedCounts)
    {
        var kept: [Double] = []
        kept.reserveCapacity(samples.count)
        var dropped = DroppedCounts(nonfinite: 0, nonpositive: 0)
        for (index, x) in samples.enumerated() {
            if x.isFinite && x > 0 { kept.append(x) } else { try reject(x, at: describeIndex(index), counts: &dropped) }
        }
        return (kept, dropped)
    }

    /// Counts an unusable value `x` found at `place`, or refuses it.
    public func reject(_ x: Double, at place: @autoclosure () -> String, counts: inout DroppedCounts) throws {
        if !x.isFinite {
            if policy == .refuse {
                throw Refusal(description: "\(place()) is \(x.isNaN ? "missing or NaN" : "\(x)"), not a finite number; remove it or pass --invalid drop")
            }
            counts.nonfinite += 1
        } else {
            if policy == .refuse {
                throw Refusal(description: "\(place()) is \(x); tail estimators need positive samples: remove it or pass --invalid drop")
            }
            counts.nonpositive += 1
        }
    }
}
