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
    package func squaredDistances(_ vector: UnsafeBufferPointer<Float>, _ reference: [Double]) -> [Double] {
        groups.map { group in
            var sum = 0.0
            for range in group.ranges {
                for i in range {
                    let d = Double(vector[i]) - reference[i]
                    sum += d * d
                }
            }
            return sum
        }
    }
}
