import Foundation
import NoiseScopeCore
import NoiseScopeModels
import XCTest
@testable import NoiseScopeSampling

/// `--data words`: the novel in word tokens for the tinygpt models, refused by
/// name for the others, shown as text where examples are shown.
final class WordTokensTests: XCTestCase {
    static let small = ModelCatalog.Overrides(width: 16, layers: 1, heads: 2, context: 16)

    func testTheDataSourceIsNamedWords() {
        XCTAssertEqual(ModelCatalog.DataSource(argument: "words"), .words)
        XCTAssertEqual(ModelCatalog.DataSource.words.name, "words")
        XCTAssertEqual(ModelCatalog.DataSource.words.vocabularySize, 4096)
        XCTAssertEqual(ModelCatalog.DataSource.text.vocabularySize, 256)
    }

    /// The default tinygpt on words: the head and embedding grow from 256 to
    /// 4096 rows, 3840 · 64 = 245,760 parameters more than on bytes.
    func testTinyGPTReadsWordTokens() throws {
        let model = try ModelCatalog.makeModel(.tinygpt, data: .words, batchSize: 2, seed: 1)
        XCTAssertEqual(model.parameterCount, 120_576 + 245_760)
        let classes = try XCTUnwrap(model as? any ClassTargetLosses)
        XCTAssertEqual(classes.classCount, 4096)
        XCTAssertEqual(model.exampleCount, (205_259 - 1) / 64)
        XCTAssertTrue(model.loss(indices: [0, 1]).isFinite)
        let noAttention = try ModelCatalog.makeModel(.tinygptNoAttention, data: .words, batchSize: 2, seed: 1,
                                                     overrides: .init(width: 16, layers: 1, context: 16))
        XCTAssertEqual((noAttention as? any ClassTargetLosses)?.classCount, 4096)
        XCTAssertGreaterThan(ModelCatalog.estimatedBytes(.init(architecture: .tinygpt, data: .words, batchSize: 8, seed: 0)),
                             ModelCatalog.estimatedBytes(.init(architecture: .tinygpt, data: .text, batchSize: 8, seed: 0)))
    }

    /// Consecutive windows' inputs tile the tokens, so their descriptions, joined,
    /// are the novel's opening bytes exactly.
    func testExamplesAreShownAsTheirText() throws {
        let model = try ModelCatalog.makeModel(.tinygpt, data: .words, batchSize: 2, seed: 1, overrides: Self.small)
        let shown = (0..<20).compactMap { model.describeExample($0) }.joined()
        let novel = try TextCorpus.bytes(of: ModelCatalog.dataDirectory.appendingPathComponent("prideprejudice.txt"))
        XCTAssertEqual(Array(shown.utf8), Array(novel.prefix(shown.utf8.count)))
        // 20 windows of 16 tokens hold far more than 320 bytes.
        XCTAssertGreaterThan(shown.utf8.count, 2 * 320)
        XCTAssertTrue(shown.hasPrefix("PRIDE AND PREJUDICE\n\nBy Jane Austen"))
        XCTAssertNil(model.describeExample(model.exampleCount))
    }

    func testOtherModelsRefuseWordsByName() {
        for architecture in [ModelCatalog.Architecture.logreg, .resmlp, .linreg, .digitsMLP] {
            XCTAssertThrowsError(try ModelCatalog.makeModel(architecture, data: .words, batchSize: 2, seed: 1)) { error in
                guard case let .invalidSetting(.data, message)? = error as? NoiseScopeError else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("not words"), message)
            }
        }
    }
}
