/// One labelled tick mark.
struct Tick: Equatable {
    var value: Double
    var label: String
}

/// The ticks of one axis: labelled major ticks, unlabelled minor ticks and an optional shared
/// multiplier (such as `×10⁻⁹`) that applies to every major label.
struct AxisTicks: Equatable {
    var major: [Tick]
    var minor: [Double] = []
    var multiplier: String?
}
