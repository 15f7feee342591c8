import NoiseScopeModels

/// Parameter tensors gathered into the groups where architectural questions
/// live: embeddings, attention, MLP, normalisation, head. By tensor name:
/// `wte`, `wpe` and `input.*` are embeddings; `*.qkv.*`, `*.proj.*` attention;
/// `*.fc.*`, `*.fcp.*`, `*.fc1.*`, `*.fc2.*` MLP; `*.ln*`, `lnf.*` norms;
/// `head.*` and `linear.*` (logreg's only layer) the head; anything else "other".
/// Groups with no tensor are left out.
package struct LayerGroups: Sendable {
    package struct Group: Sendable {
        package var name: String
        package var ranges: [Range<Int>]
    }

    package var groups: [Group]

    package static let order = ["embeddings", "attention", "mlp", "norms", "head", "other"]

    package static func group(ofTensor name: String) -> String {
        let parts = name.split(separator: ".").map(String.init)
        let head = parts.first ?? name
        if ["wte", "wpe", "input"].contains(head) || name.contains("embed") { return "embeddings" }
        if parts.contains("qkv") || parts.contains("proj") || name.contains("attn") { return "attention" }
        if parts.contains(where: { ["fc", "fcp", "fc1", "fc2", "mlp"].contains($0) }) { return "mlp" }
        if parts.contains(where: { $0.hasPrefix("ln") || $0.contains("norm") }) { return "norms" }
        if ["head", "linear"].contains(head) { return "head" }
        return "other"
    }

    package init(layout: ParameterLayout) {
        var byName: [String: [Range<Int>]] = [:]
        for tensor in layout.tensors { byName[Self.group(ofTensor: tensor.name), default: []].append(tensor.range) }
        groups = Self.order.compactMap { name in byName[name].map { Group(name: name, ranges: $0) } }
    }

    /// ‖(vector − reference) restricted to each group‖², in `groups` order.
    /// Summed in four SIMD4 lanes (one serial chain of additions made this pass
    /// cost more than the Welford update beside it at `measure --batch 1`).
    package func squaredDistances(_ vector: UnsafeBufferPointer<Float>, _ reference: [Double]) -> [Double] {
        reference.withUnsafeBufferPointer { reference in
            groups.map { group in
                var lanes = SIMD4<Double>(), sum = 0.0
                for range in group.ranges {
                    var i = range.lowerBound
                    while i + 4 <= range.upperBound {
                        let x = SIMD4<Double>(Double(vector[i]), Double(vector[i + 1]), Double(vector[i + 2]), Double(vector[i + 3]))
                        let d = x - SIMD4<Double>(reference[i], reference[i + 1], reference[i + 2], reference[i + 3])
                        lanes += d * d
                        i += 4
                    }
                    while i < range.upperBound {
                        let d = Double(vector[i]) - reference[i]
                        sum += d * d
                        i += 1
                    }
                }
                return lanes.sum() + sum
            }
        }
    }
}
