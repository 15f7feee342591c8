import Foundation

/// Reads numbers from line-oriented text: plain one-a-line files, CSV and TSV
/// (a header row detected when its cells are not numbers; a column chosen by
/// name or 1-based index), and JSON lines (a field chosen by name).
struct DelimitedTextReader {
    var source: String
    /// Column name or 1-based index, for CSV/TSV.
    var column: String?
    /// Field name, for JSON lines.
    var field: String?

    /// Parses a whole cell as a Double ("nan", "inf" accepted: the cleaner decides on them).
    static func number(_ cell: Substring) -> Double? {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        return Double(trimmed) ?? Double(trimmed.lowercased().replacingOccurrences(of: "infinity", with: "inf"))
    }

    /// The lines of `text` with their 1-based numbers, skipping blank and # lines.
    static func contentLines(_ text: String) -> [(number: Int, text: Substring)] {
        var lines: [(Int, Substring)] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) || trimmed.first == "#" { continue }
            lines.append((number, trimmed))
        }
        return lines
    }

    func readPlain(_ text: String) throws -> ReadSamples {
        var values: [Double] = [], lines: [Int] = []
        for (number, line) in Self.contentLines(text) {
            guard let x = Self.number(line) else {
                throw NoiseScopeError("\(source) line \(number): '\(line.prefix(40))' is not a number; plain text wants one number a line (for a table pass --format csv or tsv)")
            }
            values.append(x)
            lines.append(number)
        }
        return ReadSamples(values: values, lines: lines, source: source)
    }

    func readTable(_ text: String, separator: Character) throws -> ReadSamples {
        let rows = Self.contentLines(text)
        guard let first = rows.first else { return ReadSamples(values: [], lines: [], source: source) }
        let split: (Substring) -> [Substring] = { line in
            line.split(separator: separator, omittingEmptySubsequences: false).map { cell in
                let t = cell.trimmingCharacters(in: .whitespaces)
                return Substring(t.count >= 2 && t.hasPrefix("\"") && t.hasSuffix("\"") ? String(t.dropFirst().dropLast()) : t)
            }
        }
        let firstCells = split(first.text)
        let hasHeader = firstCells.contains { Self.number($0) == nil }
        let columnIndex = try chooseColumn(header: hasHeader ? firstCells.map(String.init) : nil, width: firstCells.count)
        var values: [Double] = [], lines: [Int] = []
        for (number, line) in rows.dropFirst(hasHeader ? 1 : 0) {
            let cells = split(line)
            guard columnIndex < cells.count else {
                throw NoiseScopeError("\(source) line \(number): has \(cells.count) columns, column \(columnIndex + 1) is missing; fix the row")
            }
            guard let x = Self.number(cells[columnIndex]) else {
                throw NoiseScopeError("\(source) line \(number), column \(columnIndex + 1): '\(cells[columnIndex].prefix(40))' is not a number; fix the cell or choose another column with --column")
            }
            values.append(x)
            lines.append(number)
        }
        return ReadSamples(values: values, lines: lines, source: source)
    }

    /// The 0-based column to read: by header name, by 1-based index, or the only one.
    func chooseColumn(header: [String]?, width: Int) throws -> Int {
        let names = header.map { $0.joined(separator: ", ") } ?? "no header"
        guard let column else {
            if width == 1 { return 0 }
            throw NoiseScopeError("\(source) has \(width) columns (\(names)); choose one with --column NAME or --column INDEX (1-based)")
        }
        if let header, let index = header.firstIndex(of: column) { return index }
        if let index = Int(column) {
            guard index >= 1 && index <= width else {
                throw NoiseScopeError("--column \(index) is out of range: \(source) has \(width) columns (1-based)")
            }
            return index - 1
        }
        throw NoiseScopeError("\(source) has no column named '\(column)' (\(names)); pass one of those names or a 1-based index to --column")
    }

    func readJSONLines(_ text: String) throws -> ReadSamples {
        var values: [Double] = [], lines: [Int] = []
        var chosenField = field
        for (number, line) in Self.contentLines(text) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw NoiseScopeError("\(source) line \(number): not a JSON object; JSON lines wants one {...} object a line")
            }
            if chosenField == nil {
                let numeric = object.filter { $0.value is NSNumber }.keys.sorted()
                guard numeric.count == 1 else {
                    throw NoiseScopeError("\(source) line \(number): \(numeric.count) numeric fields (\(numeric.joined(separator: ", "))); choose one with --field NAME")
                }
                chosenField = numeric[0]
            }
            guard let raw = object[chosenField!] else {
                throw NoiseScopeError("\(source) line \(number): no field '\(chosenField!)'; check --field")
            }
            // JSON null is a missing value: NaN, which the cleaner drops (and counts) or refuses.
            if raw is NSNull {
                values.append(.nan)
                lines.append(number)
                continue
            }
            guard let value = raw as? NSNumber, !(raw is Bool) else {
                throw NoiseScopeError("\(source) line \(number), field '\(chosenField!)': \(raw) is not a number")
            }
            values.append(value.doubleValue)
            lines.append(number)
        }
        return ReadSamples(values: values, lines: lines, source: source)
    }
}
