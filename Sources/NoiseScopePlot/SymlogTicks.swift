import Foundation

/// Ticks for symlog axes: 0 (when in range) and ±10ⁿ at the powers of ten at or beyond the
/// linear threshold, every decade when they fit, otherwise every 2nd, 3rd… decade counted
/// from the threshold. Labels read `0`, `10⁻³`, `−10⁻³`; when the axis never leaves the linear
/// part, linear nice ticks are used instead.
enum SymlogTicks {
    static func ticks(for limits: ClosedRange<Double>, linearThreshold c: Double, targetCount: Int) -> AxisTicks {
        let low = limits.lowerBound, high = limits.upperBound
        guard low.isFinite, high.isFinite, high > low else { return AxisTicks(major: []) }
        if high <= c && low >= -c { return LinearTicks.ticks(for: limits, targetCount: targetCount) }
        let firstDecade = Int(ceil(Foundation.log10(c) - 1e-9))
        func decades(upTo bound: Double) -> [Int] {
            guard bound >= pow10(firstDecade) * (1 - 1e-9) else { return [] }
            return Array(firstDecade...Int(floor(Foundation.log10(bound) + 1e-9)))
        }
        let positive = decades(upTo: high), negative = decades(upTo: -low)
        let zero = low <= 0 && high >= 0
        var stride = 1
        func kept(_ list: [Int]) -> [Int] { list.filter { ($0 - firstDecade) % stride == 0 } }
        while kept(positive).count + kept(negative).count + (zero ? 1 : 0) > max(3, targetCount + 1), stride < 100 {
            stride += 1
        }
        var major = kept(negative).reversed().map { Tick(value: -pow10($0), label: "−" + NumberLabels.powerOfTen($0)) }
        if zero { major.append(Tick(value: 0, label: "0")) }
        major += kept(positive).map { Tick(value: pow10($0), label: NumberLabels.powerOfTen($0)) }
        let minor = (negative.map { -pow10($0) } + positive.map { pow10($0) })
            .filter { value in !major.contains { $0.value == value } }.sorted()
        return AxisTicks(major: major, minor: minor)
    }
}
