import ArgumentParser
import Foundation
import NoiseScope

/// Prints one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
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
    } catch let error as CustomStringConvertible {
        throw fail(error.description)
    } catch {
        throw fail("\(error)")
    }
}

/// JSON the same bytes every run: sorted keys, two-space indentation.
func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

/// Writes `text` to `path` atomically, or to stdout when `path` is nil or "-".
func emit(_ text: String, to path: String?) throws {
    if let path, path != "-" {
        try AtomicFile.write(text, to: path)
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension SampleFormat: ExpressibleByArgument {}
extension SampleCleaner.Policy: ExpressibleByArgument {}
