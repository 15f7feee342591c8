import Foundation
import NoiseScope
import NoiseScopeStatistics
import XCTest

/// The advice table is one file (integrations/pytorch/src/noisescope_torch/advice.json):
/// the Python companion reads it at run time, the Swift report has it compiled in
/// by tools/generate-advice, and the README shows its meaning and what_to_do.
/// These tests fail when any of the three drifts from the file.
final class AdviceTableTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Entry: Decodable {
        var meaning: String
        var whatToDo: String
        var detail: String
        var family: String
        var optimizers: [String]
        enum CodingKeys: String, CodingKey { case meaning, detail, family, optimizers, whatToDo = "what_to_do" }
    }

    func table() throws -> [String: Entry] {
        struct File: Decodable { var verdicts: [String: Entry] }
        let url = Self.repository.appendingPathComponent("integrations/pytorch/src/noisescope_torch/advice.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).verdicts
    }

    func testTheCompiledTableIsTheFile() throws {
        let table = try table()
        XCTAssertEqual(Set(table.keys), Set(TailVerdict.allCases.map(\.rawValue)))
        for verdict in TailVerdict.allCases {
            let entry = try XCTUnwrap(table[verdict.rawValue])
            XCTAssertEqual(verdict.advice, VerdictAdvice(meaning: entry.meaning, whatToDo: entry.whatToDo, detail: entry.detail),
                           "\(verdict.rawValue): run python3 tools/generate-advice")
            XCTAssertEqual(RunReport.advice(for: verdict), entry.detail)
        }
        // Committing advice (clipping or not) only for the committed verdicts.
        XCTAssertEqual(table["inconclusive"]?.family, "no-change")
        XCTAssertEqual(table["inconclusive"]?.optimizers, [])
    }

    func testTheReadmeVerdictTableIsTheFile() throws {
        let table = try table()
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        var rows: [String: (String, String)] = [:]
        for line in readme.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5 else { continue }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            if table[name] != nil { rows[name] = (cells[2], cells[3]) }
        }
        XCTAssertEqual(Set(rows.keys), Set(table.keys), "the README's verdict table has a row per verdict")
        for (name, entry) in table {
            XCTAssertEqual(rows[name]?.0, entry.meaning, "README meaning of \(name)")
            XCTAssertEqual(rows[name]?.1, entry.whatToDo, "README what-to-do of \(name)")
        }
    }
}
