import NoiseScopeCore

/// Reads numbers from line-oriented text: plain one-a-line files, CSV and TSV
/// (RFC 4180 quoting; a header row detected when its cells are not numbers; a
/// column chosen by name or 1-based index), and JSON lines (a field chosen by
/// name). CRLF line ends and a byte order mark are accepted everywhere.
/// Missing values (an empty cell, JSON null) read as NaN, which the cleaner
/// then drops and counts, or refuses.
struct DelimitedTextReader {
    var source: String
    /// Column name or 1-based index, for CSV/TSV.
    var column: String?
    /// Field name, for JSON lines.
    var field: String?

    /// The source as messages show it.
    var shownSource: String { TerminalText.safeForTerminal(source, limit: 200) }

    /// The error for a line of plain text that is not a number (whole-file and streaming readers alike).
    static func notANumber(_ line: ArraySlice<UInt8>, number: Int, shownSource: String) -> NoiseScopeError {
        NoiseScopeError("\(shownSource) line \(number): \(TerminalText.quoted(String(decoding: line, as: UTF8.self))) is not a number; plain text wants one number a line (for a table pass --format csv or tsv)")
    }

    func readPlain(_ bytes: [UInt8]) throws -> ReadSamples {
        var values: [Double] = [], lines = LineRuns()
        values.reserveCapacity(TextLines.count(bytes))
        try TextLines.each(bytes) { number, line in
            if TextLines.isBlankOrComment(line) { return }
            guard let x = ByteNumber.parse(line) else {
                throw Self.notANumber(line, number: number, shownSource: shownSource)
            }
            values.append(x)
            lines.append(number)
        }
        return ReadSamples(values: values, lineRuns: lines, source: source)
    }

    func readTable(_ bytes: [UInt8], separator: Character) throws -> ReadSamples {
        let separatorByte = separator.asciiValue!
        var values: [Double] = [], lines = LineRuns()
        values.reserveCapacity(TextLines.count(bytes))
        var columnIndex: Int? = nil
        do {
            try CSVRecords.each(bytes, separator: separatorByte) { record in
                guard let chosen = columnIndex else {
                    let cells = (0..<record.fields.count).map { record.field($0) }
                    let hasHeader = cells.contains { ByteNumber.parse($0) == nil && !Self.isEmpty($0) }
                    let header = hasHeader ? cells.map { String(decoding: Self.trimmed($0), as: UTF8.self) } : nil
                    let index = try chooseColumn(header: header, width: cells.count)
                    columnIndex = index
                    if !hasHeader { try take(record, index) }
                    return
                }
                try take(record, chosen)
            }
        } catch let open as CSVRecords.UnterminatedQuote {
            throw NoiseScopeError("\(shownSource) line \(open.line): a quoted field is never closed (a \" without its partner); fix the quoting")
        }
        func take(_ record: CSVRecords.Record, _ index: Int) throws {
            guard index < record.fields.count else {
                throw NoiseScopeError("\(shownSource) line \(record.line): has \(record.fields.count) columns, column \(index + 1) is missing; fix the row")
            }
            let cell = record.field(index)
            if Self.isEmpty(cell) {
                values.append(.nan)
            } else if let x = ByteNumber.parse(cell) {
                values.append(x)
            } else {
                throw NoiseScopeError("\(shownSource) line \(record.line), column \(index + 1): \(TerminalText.quoted(String(decoding: cell, as: UTF8.self))) is not a number; fix the cell or choose another column with --column")
            }
            lines.append(record.line)
        }
        return ReadSamples(values: values, lineRuns: lines, source: source)
    }

    static func trimmed(_ cell: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var c = cell
        while let f = c.first, f == 32 || f == 9 { c = c.dropFirst() }
        while let l = c.last, l == 32 || l == 9 { c = c.dropLast() }
        return c
    }

    static func isEmpty(_ cell: ArraySlice<UInt8>) -> Bool { trimmed(cell).isEmpty }

    /// The 0-based column to read: by header name, by 1-based index, or the only one.
    func chooseColumn(header: [String]?, width: Int) throws -> Int {
        let names = header.map { TerminalText.safeForTerminal($0.joined(separator: ", "), limit: 200) } ?? "no header"
        guard let column else {
            if width == 1 { return 0 }
            throw NoiseScopeError("\(shownSource) has \(width) columns (\(names)); choose one with --column NAME or --column INDEX (1-based)")
        }
        if let header, let index = header.firstIndex(of: column) { return index }
        if let index = Int(column) {
            guard index >= 1 && index <= width else {
                throw NoiseScopeError("--column \(index) is out of range: \(shownSource) has \(width) columns (1-based)")
            }
            return index - 1
        }
        throw NoiseScopeError("\(shownSource) has no column named \(TerminalText.quoted(column)) (\(names)); pass one of those names or a 1-based index to --column")
    }

    func readJSONLines(_ bytes: [UInt8]) throws -> ReadSamples {
        var values: [Double] = [], lines = LineRuns()
        values.reserveCapacity(TextLines.count(bytes))
        var chosenField = field
        try TextLines.each(bytes) { number, line in
            if TextLines.isBlankOrComment(line) { return }
            let object: JSONLineObject
            do { object = try JSONLineObject.parse(line) } catch let problem as JSONLineObject.Problem {
                throw NoiseScopeError("\(shownSource) line \(number): \(problem.reason); JSON lines wants one {...} object a line")
            }
            if chosenField == nil {
                let numeric = object.fields.filter { if case .number = $0.value { return true } else { return false } }.map(\.key).sorted()
                guard numeric.count == 1 else {
                    let names = TerminalText.safeForTerminal(numeric.joined(separator: ", "), limit: 200)
                    throw NoiseScopeError("\(shownSource) line \(number): \(numeric.count) numeric fields (\(names)); choose one with --field NAME")
                }
                chosenField = numeric[0]
            }
            let name = chosenField!
            guard let value = object.value(of: name) else {
                throw NoiseScopeError("\(shownSource) line \(number): no field \(TerminalText.quoted(name)); check --field")
            }
            switch value {
            case .number(let x): values.append(x)
            // JSON null is a missing value: NaN, which the cleaner drops (and counts) or refuses.
            case .null: values.append(.nan)
            default:
                throw NoiseScopeError("\(shownSource) line \(number), field \(TerminalText.quoted(name)): the value is \(value.kindName), not a number")
            }
            lines.append(number)
        }
        return ReadSamples(values: values, lineRuns: lines, source: source)
    }
}
