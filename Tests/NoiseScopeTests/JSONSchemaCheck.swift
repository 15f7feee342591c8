import Foundation

/// A small JSON Schema (draft 2020-12) checker for the keywords our schemas in
/// schemas/ use: type, $ref into $defs, properties, required, items, enum,
/// const, minimum, maximum, exclusiveMaximum, minLength, minItems, uniqueItems, pattern, anyOf,
/// allOf, not, if/then, dependentRequired, additionalProperties. Returns the
/// problems found (empty: valid). The Python suite checks the same files with
/// the jsonschema package, so both sides read one contract.
struct JSONSchemaCheck {
    let root: [String: Any]

    init(path: String) throws {
        root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    func problems(_ value: Any) -> [String] { check(value, root, at: "$") }

    private func check(_ value: Any, _ schema: [String: Any], at path: String) -> [String] {
        if let ref = schema["$ref"] as? String, ref.hasPrefix("#/$defs/"),
           let defs = root["$defs"] as? [String: Any], let target = defs[String(ref.dropFirst(8))] as? [String: Any] {
            return check(value, target, at: path)
        }
        var out: [String] = []
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [type as! String]
            if !types.contains(where: { Self.isType(value, $0) }) { return ["\(path): \(value) is not \(types)"] }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.equal($0, value) }) { out.append("\(path): \(value) not in enum") }
        if let constant = schema["const"], !Self.equal(constant, value) { out.append("\(path): \(value) is not \(constant)") }
        if let number = value as? NSNumber, !Self.isBool(value) {
            if let minimum = schema["minimum"] as? Double, number.doubleValue < minimum { out.append("\(path): below \(minimum)") }
            if let maximum = schema["exclusiveMaximum"] as? Double, number.doubleValue >= maximum { out.append("\(path): not below \(maximum)") }
            if let maximum = schema["maximum"] as? Double, number.doubleValue > maximum { out.append("\(path): above \(maximum)") }
        }
        if let string = value as? String, let length = schema["minLength"] as? Int, string.count < length { out.append("\(path): shorter than \(length)") }
        if let string = value as? String, let pattern = schema["pattern"] as? String,
           string.range(of: pattern, options: .regularExpression) == nil { out.append("\(path): \(string) does not match \(pattern)") }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { out.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, item) in object {
                if let sub = properties[key] as? [String: Any] { out += check(item, sub, at: "\(path).\(key)") }
                else if let extra = schema["additionalProperties"] as? [String: Any] { out += check(item, extra, at: "\(path).\(key)") }
            }
            for (key, needs) in schema["dependentRequired"] as? [String: [String]] ?? [:] where object[key] != nil {
                for other in needs where object[other] == nil { out.append("\(path): \(key) needs \(other)") }
            }
        }
        if let array = value as? [Any] {
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { out += check(item, items, at: "\(path)[\(index)]") }
            }
            if let minimum = schema["minItems"] as? Int, array.count < minimum { out.append("\(path): fewer than \(minimum) items") }
            if schema["uniqueItems"] as? Bool == true, Set(array.map { "\($0)" }).count != array.count { out.append("\(path): items repeat") }
        }
        if let anyOf = schema["anyOf"] as? [[String: Any]], !anyOf.contains(where: { check(value, $0, at: path).isEmpty }) {
            out.append("\(path): matches none of anyOf")
        }
        for sub in schema["allOf"] as? [[String: Any]] ?? [] { out += check(value, sub, at: path) }
        if let not = schema["not"] as? [String: Any], check(value, not, at: path).isEmpty { out.append("\(path): matches a 'not' schema") }
        if let condition = schema["if"] as? [String: Any], check(value, condition, at: path).isEmpty,
           let then = schema["then"] as? [String: Any] { out += check(value, then, at: path) }
        return out
    }

    static func isBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func isType(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "boolean": return isBool(value)
        case "integer":
            guard let number = value as? NSNumber, !isBool(value) else { return false }
            return number.doubleValue.rounded() == number.doubleValue
        case "number": return value is NSNumber && !isBool(value)
        case "string": return value is String
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool { "\(a)" == "\(b)" && isBool(a) == isBool(b) }
}
