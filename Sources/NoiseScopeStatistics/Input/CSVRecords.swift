/// Splits CSV/TSV bytes into records of fields as RFC 4180 defines them: a
/// field in double quotes may hold the separator, line breaks and doubled
/// quotes (""); records end at LF or CRLF; a UTF-8 byte order mark at the
/// start is skipped. Blank lines and lines starting with '#' between records
/// are skipped (comments are not RFC 4180, but logs carry them).
///
/// Written for this project rather than taken from a CSV package: the
/// packages on hand parse through `String` and were slower on 10⁷ rows
/// (docs/hostile-input.md), and the tail check needs only one column.
struct CSVRecords {
    struct Record {
        /// 1-based line on which the record starts.
        var line: Int
        var fields: [ArraySlice<UInt8>]
        /// Fields that were quoted and held a doubled quote, unescaped.
        var unescaped: [Int: [UInt8]] = [:]

        func field(_ i: Int) -> ArraySlice<UInt8> { unescaped[i].map { $0[...] } ?? fields[i] }
    }

    /// A quote left open at the end of the input: no record can be trusted after it.
    struct UnterminatedQuote: Error { var line: Int }

    /// Calls `body` with each record of `bytes`.
    static func each(_ bytes: [UInt8], separator: UInt8, _ body: (Record) throws -> Void) throws {
        let quote = UInt8(ascii: "\"")
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        let n = bytes.count
        while i < n {
            // At the start of a record: skip blank and comment lines.
            var j = i
            while j < n && (bytes[j] == 32 || bytes[j] == 9) { j += 1 }
            if j == n { return }
            if bytes[j] == 10 || (bytes[j] == 13 && j + 1 < n && bytes[j + 1] == 10) || bytes[j] == UInt8(ascii: "#") {
                while j < n && bytes[j] != 10 { j += 1 }
                i = j + 1
                line += 1
                continue
            }
            var record = Record(line: line, fields: [])
            var fieldStart = i
            var endOfRecord = false
            while !endOfRecord {
                // One field, starting at fieldStart (after optional spaces, a quote opens a quoted field).
                var k = fieldStart
                while k < n && bytes[k] == 32 { k += 1 }
                if k < n && bytes[k] == quote {
                    var content: [UInt8]? = nil
                    let contentStart = k + 1
                    var m = contentStart
                    var closed = false
                    while m < n {
                        if bytes[m] == quote {
                            if m + 1 < n && bytes[m + 1] == quote {
                                if content == nil { content = Array(bytes[contentStart..<m]) }
                                content!.append(quote)
                                m += 2
                                continue
                            }
                            closed = true
                            break
                        }
                        if bytes[m] == 10 { line += 1 }
                        content?.append(bytes[m])
                        m += 1
                    }
                    guard closed else { throw UnterminatedQuote(line: record.line) }
                    if let content { record.unescaped[record.fields.count] = content }
                    record.fields.append(bytes[contentStart..<m])
                    // After the closing quote: spaces, then a separator or the end of the record.
                    m += 1
                    while m < n && (bytes[m] == 32 || bytes[m] == 9) && bytes[m] != separator { m += 1 }
                    if m < n && bytes[m] == 13 && m + 1 < n && bytes[m + 1] == 10 { m += 1 }
                    if m >= n || bytes[m] == 10 {
                        endOfRecord = true
                        i = m + 1
                        line += 1
                    } else if bytes[m] == separator {
                        fieldStart = m + 1
                    } else {
                        // Text after a closing quote: keep it in the field, as lenient readers do,
                        // so the number check reports the cell.
                        var e = m
                        while e < n && bytes[e] != separator && bytes[e] != 10 { e += 1 }
                        record.unescaped[record.fields.count - 1] = Array(bytes[k..<e])
                        if e >= n || bytes[e] == 10 { endOfRecord = true; i = e + 1; line += 1 } else { fieldStart = e + 1 }
                    }
                } else {
                    var e = fieldStart
                    while e < n && bytes[e] != separator && bytes[e] != 10 { e += 1 }
                    var end = e
                    if end > fieldStart && bytes[end - 1] == 13 && (e >= n || bytes[e] == 10) { end -= 1 }
                    record.fields.append(bytes[fieldStart..<end])
                    if e >= n || bytes[e] == 10 {
                        endOfRecord = true
                        i = e + 1
                        line += 1
                    } else {
                        fieldStart = e + 1
                    }
                }
            }
            try body(record)
        }
    }
}
