/// What a tail verdict means and what to do about it, in the words of the one
/// advice table (integrations/pytorch/src/noisescope_torch/advice.json) that
/// the README's verdict table, this report and noisescope_torch.recommend()
/// all show. `TailVerdict.advice` gives it (VerdictAdviceTable.swift,
/// generated from the JSON by tools/generate-advice).
package struct VerdictAdvice: Equatable, Sendable {
    /// The verdict's meaning, one sentence (the README table's second column).
    package var meaning: String
    /// What to do, short (the README table's third column).
    package var whatToDo: String
    /// What to do, with the reasons and the dispute (the report's "What to do").
    package var detail: String

    package init(meaning: String, whatToDo: String, detail: String) {
        self.meaning = meaning
        self.whatToDo = whatToDo
        self.detail = detail
    }
}
