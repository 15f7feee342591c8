import Foundation
import XCTest

/// `--help` on an 80-column terminal: ArgumentParser wraps prose itself, so
/// the hand-formatted lines (tables, examples) must be short enough never to
/// be wrapped; a wrapped one leaves its tail at column 0 ("row", "novel")
/// under an indented line. Every option that takes a value says its default.
final class HelpTextTests: XCTestCase {
    /// The root and every subcommand the binary registers, read off its own
    /// SUBCOMMANDS list (a hand-kept list once left `sweep` out).
    func commands() throws -> [String] {
        let root = try help("")
        let listed = try XCTUnwrap(root.range(of: "\nSUBCOMMANDS:\n"), "the root help lists its subcommands")
        let names = root[listed.upperBound...].split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            // Subcommand names are lower case; the closing "See 'noisescope help …'" line is not one.
            return name.first?.isLowercase == true && name.allSatisfy({ $0.isLetter || $0 == "-" }) ? String(name) : nil
        }
        XCTAssertTrue(names.contains("sweep") && names.contains("check") && !names.contains("See"), "\(names)")
        return [""] + names
    }

    /// The help of `command` as printed with COLUMNS=80.
    func help(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = CommandLineHarness.binary
        process.arguments = (command.isEmpty ? [] : [command]) + ["--help"]
        process.environment = ProcessInfo.processInfo.environment.merging(["COLUMNS": "80"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "noisescope \(command) --help")
        return String(decoding: data, as: UTF8.self)
    }

    /// Terminal columns of a line: combining marks (the hat of α̂) take none.
    static func columns(_ line: Substring) -> Int {
        line.unicodeScalars.filter { $0.properties.canonicalCombiningClass == .notReordered }.count
    }

    /// The faults of one help text, empty when it reads well at 80 columns.
    static func faults(of text: String, command: String) -> [String] {
        var faults: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines where columns(line) > 80 {
            faults.append("\(command): \(columns(line)) columns: \(line)")
        }
        // Above USAGE (the overview and discussion): a column-0 line that starts in
        // lower case right under an indented line is the cut-off tail of that line.
        var previous: Substring = ""
        for line in lines {
            if line.hasPrefix("USAGE:") { break }
            if let first = line.first, first.isLowercase, previous.hasPrefix(" ") {
                faults.append("\(command): a table or example line was wrapped: \(previous.trimmingCharacters(in: .whitespaces)) / \(line)")
            }
            previous = line
        }
        // Each option taking a value (`--name <value>`) says its default.
        if let options = text.range(of: "\nOPTIONS:\n") {
            var entries: [String] = []
            for line in text[options.upperBound...].split(separator: "\n") {
                if line.hasPrefix("  -") { entries.append(String(line)) } else if !entries.isEmpty { entries[entries.count - 1] += " " + line }
            }
            for entry in entries {
                let head = entry.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ").first ?? ""
                if head.contains("<"), !entry.lowercased().contains("default") {
                    faults.append("\(command): no default shown: \(entry.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))")
                }
            }
        }
        return faults
    }

    func testEveryHelpFitsEightyColumnsAndShowsItsDefaults() throws {
        var faults: [String] = []
        for command in try commands() { faults += Self.faults(of: try help(command), command: command.isEmpty ? "noisescope" : command) }
        XCTAssertEqual(faults, [], faults.joined(separator: "\n"))
    }

    /// The check itself catches what it is for (the output before the fix).
    func testTheCheckCatchesAWrappedTableLine() {
        let wrapped = """
            OVERVIEW: x

            Writes:
              coordinates.csv          g_B − ∇f of the first minibatch, one coordinate a
            row

            USAGE: noisescope measure <options>

            OPTIONS:
              --width <width>         Width d (tinygpt, resmlp).
              --out <out>             Output directory. (default: out)
            """
        let faults = Self.faults(of: wrapped, command: "measure")
        XCTAssertEqual(faults.count, 2, faults.joined(separator: "\n"))
        XCTAssertTrue(faults[0].contains("was wrapped"))
        XCTAssertTrue(faults[1].contains("--width"))
        XCTAssertEqual(Self.faults(of: "USAGE: noisescope " + String(repeating: "x", count: 80), command: "long").count, 1)
    }
}
