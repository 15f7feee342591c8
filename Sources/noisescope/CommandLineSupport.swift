import ArgumentParser
import Foundation
import NoiseScope
import NoiseScopeCore

/// Prints one line to standard error, with control characters escaped and
/// the length capped: messages quote file names, cells and flags, and none of
/// that may reach the terminal raw.
func printError(_ message: String) {
    StandardStreams.writeError(TerminalText.safeForTerminal(message, limit: 600) + "\n")
}

/// Stops the command with a one-line error on stderr and exit status 1.
/// Every runtime failure goes through here so users see the same shape:
/// `noisescope: error: <what is wrong>; <how to fix it>`.
func fail(_ message: String) -> ExitCode {
    printError("noisescope: error: \(message)")
    return ExitCode(1)
}

/// Runs `body`, turning the library's descriptive errors into `fail`.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as NoiseScopeError where error.isInterruption {
        printError("noisescope: \(Interruption.signalName ?? "interrupted"): \(CommandLineFlags.message(for: error))")
        throw ExitCode(Interruption.exitStatus)
    } catch let error as NoiseScopeError {
        throw fail(CommandLineFlags.message(for: error))
    } catch let error as CustomStringConvertible {
        throw fail(error.description)
    } catch {
        throw fail("\(error)")
    }
}

/// Writes `text` to `path` atomically, or to stdout when `path` is nil or "-".
func emit(_ text: String, to path: String?) throws {
    if let path, path != "-" {
        try AtomicFile.write(text, to: path)
    } else {
        StandardStreams.writeOutput(Data(text.utf8))
    }
}

/// A real-valued flag as people write one: an optional sign, digits with at
/// most one point, an optional exponent. Hex floats (`0x10`), nan, inf, a
/// value that overflows, and subnormals (`1e-320`, which no setting means and
/// which lose precision) are refused with the reason, before any work.
func decimalFlag(_ text: String) throws -> Double {
    let decimal = #/[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?/#
    guard (try? decimal.wholeMatch(in: text)) != nil, let value = Double(text) else {
        throw ValidationError("not a decimal number (write it as 0.05 or 5e-2)")
    }
    guard value.isFinite else { throw ValidationError("too large for a double") }
    // 1e-400 reads as 0: refused like a subnormal, unless every digit is a zero.
    let mantissa = text.split(whereSeparator: { $0 == "e" || $0 == "E" }).first ?? ""
    let writtenZero = mantissa.allSatisfy { $0 == "0" || $0 == "." || $0 == "+" || $0 == "-" }
    guard value == 0 ? writtenZero : value.magnitude >= Double.leastNormalMagnitude else {
        throw ValidationError("below the smallest normal double (2.2e-308)")
    }
    return value
}

/// Refuses a whole-number flag outside `range` in `validate()`, before any work.
func requireRange(_ value: Int, _ flag: String, _ range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        let upper = range.upperBound == Int.max ? "" : " and \(range.upperBound)"
        throw ValidationError(upper.isEmpty ? "\(flag) must be at least \(range.lowerBound), got \(value)"
                                            : "\(flag) must be between \(range.lowerBound)\(upper), got \(value)")
    }
}

/// Refuses a real-valued flag that is not a finite positive number.
func requirePositive(_ value: Double, _ flag: String) throws {
    guard value.isFinite, value > 0 else { throw ValidationError("\(flag) must be a finite positive number, got \(value)") }
}

extension NoiseScopeError {
    var isInterruption: Bool { if case .interrupted = self { return true } else { return false } }
}

/// A comma-separated flag value: every item parsed, none repeated, none empty;
/// refused in one line otherwise.
func commaSeparated<T>(_ text: String, _ flag: String, _ parse: (String) -> T?) throws -> [T] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let parsed = items.compactMap(parse)
    guard !items.isEmpty, parsed.count == items.count, Set(items).count == items.count else {
        throw ValidationError("\(flag): '\(TerminalText.safeForTerminal(text, limit: 60))' is not a comma-separated list of distinct valid values")
    }
    return parsed
}
