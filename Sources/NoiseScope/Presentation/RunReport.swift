import NoiseScopePlot
import NoiseScopeCore
import Foundation
import NoiseScopeStatistics

/// One self-contained HTML page about a run: the verdict and its evidence,
/// the figures, the tables. No scripts, no external files, no web fonts, so
/// it reads offline and archives as one file. The markup is well-formed XML
/// (XHTML syntax) so that tests can parse it strictly.
///
/// Nothing on the page can run: a Content-Security-Policy forbids scripts
/// and every outside load, text is escaped, and figures are embedded as
/// images (`<img src="data:image/svg+xml;base64,…">`), a context in which a
/// browser never runs an SVG's scripts or event handlers. Callers pass only
/// figures they drew themselves from the run's numbers.
public struct RunReport {
    /// A titled table of label → value rows.
    package struct Table {
        package var title: String
        package var rows: [(String, String)]
        /// A wide table (per layer group, per snapshot, over training) spans the
        /// page instead of sitting beside the others: its rows are sentences.
        package var wide: Bool
        package init(title: String, rows: [(String, String)], wide: Bool = false) { self.title = title; self.rows = rows; self.wide = wide }
    }

    public var title: String
    /// The run's verdict; nil on a page of several runs, whose table gives each one's.
    public var verdict: TailVerdict?
    public var verdictReason: String
    /// One-line facts under the verdict (model, sizes, seed …).
    package var facts: [String]
    /// The estimates with their intervals, shown in the verdict section: the
    /// numbers the console prints (see `glance(for:)`).
    package var glance: [(String, String)]
    package var tables: [Table]
    /// Figures: caption and standalone SVG document.
    package var figures: [(caption: String, svg: String)]

    package init(title: String, verdict: TailVerdict?, verdictReason: String, facts: [String], glance: [(String, String)] = [],
                tables: [Table], figures: [(caption: String, svg: String)]) {
        self.title = title; self.verdict = verdict; self.verdictReason = verdictReason
        self.facts = facts; self.glance = glance; self.tables = tables; self.figures = figures
    }

    /// A number as the console prints it (`%.4g`; "n/a" when absent).
    package static func g(_ x: Double?) -> String { NumberText.short(x) }

    /// An interval as the console prints it, "[lower, upper]" (∞ for no upper bound).
    package static func interval(_ i: ClosedInterval?) -> String { "[\(g(i?.lower)), \(i?.upper == nil ? "∞" : g(i?.upper))]" }

    /// The estimates the verdict rests on, with their 95 % intervals, formatted
    /// as `noisescope check` prints them: Hill α̂, the GPD ξ̂ of the peaks over
    /// threshold, and the Clauset–Shalizi–Newman α̂ with its goodness-of-fit p.
    /// Shown beside the verdict so that the page says how sure it is at a glance.
    package static func glance(for check: TailCheckReport) -> [(String, String)] {
        var rows: [(String, String)] = []
        // The verdict's interval first, with its measured coverage; the others are nominal.
        if let alpha = check.evidence.alpha, let k = check.evidence.kStar {
            rows.append(("Verdict's α̂ (reduced-bias Hill, k* = \(k))", "\(g(alpha)), 95 % interval \(interval(check.evidence.alphaInterval95)) \(MeasuredCoverage.verdictInterval.sentence(n: check.n))"))
        }
        let hill = check.hill
        rows.append(("Hill α̂ (k = \(hill.k))", "\(hill.alpha.map { g($0) } ?? "none"), 95 % CI \(interval(hill.alphaInterval95)), exact only for a pure Pareto (\(MeasuredCoverage.hillInterval.short(n: check.n)))"))
        if let gpd = check.evidence.gpd {
            rows.append(("GPD ξ̂ (top \(gpd.k))", "\(g(gpd.xi)), nominal 95 % CI \(interval(gpd.xiInterval95))"))
        } else if let light = check.evidence.lightTest {
            rows.append(("GPD ξ̂ (top \(light.k))", "≤ \(g(light.xiUpper95)) at 95 %"))
        }
        if let p = check.powerLaw {
            let fit = p.goodnessOfFitP.map { "p = \(g($0)) (\(PowerLawFit.replicatesText(p)))" } ?? "p not run"
            rows.append(("CSN power law α̂ (x ≥ \(g(p.xmin)))", "\(g(p.alpha)) ± \(g(p.sigma)), goodness of fit \(fit)"))
        } else {
            rows.append(("CSN power law", "no fit (too few distinct values)"))
        }
        return rows
    }

    /// The tables every check report has: summary, the tail-index estimators, the power-law fit.
    package static func tables(for check: TailCheckReport) -> [Table] {
        var estimators: [(String, String)] = [
            ("k (upper order statistics)", "\(check.kSelection.k) (\(check.kSelection.method))"),
            ("Hill α̂, 95 % CI (exact only for a pure Pareto)", "\(g(check.hill.alpha)) \(interval(check.hill.alphaInterval95))"),
            ("Moments γ̂, nominal 95 % CI", "\(g(check.moments?.gamma)) \(interval(check.moments?.gammaInterval95))"),
            ("Pickands α̂", g(check.pickands?.alpha)),
            ("Kernel-type α̂ (biweight, h = k/n)", g(check.kernel?.alpha)),
        ]
        if let alpha = check.evidence.alpha {
            estimators.insert(("Verdict: reduced-bias Hill α̂ at k*, 95 % CI with bias allowance", "\(g(alpha)) \(interval(check.evidence.alphaInterval95)) (k* = \(check.evidence.kStar ?? 0))"), at: 0)
        }
        if let gpd = check.evidence.gpd {
            estimators.append(("Peaks over threshold: GPD ξ̂, nominal 95 % profile CI", "\(g(gpd.xi)) \(interval(gpd.xiInterval95)) (top \(gpd.k))"))
        }
        var tables = [
            Table(title: "Samples", rows: [("n", "\(check.n)"), ("mean", g(check.summary.mean)), ("median", g(check.summary.median)),
                                           ("max / median", g(check.summary.maxOverMedian)), ("excess kurtosis", g(check.summary.excessKurtosis))]),
            Table(title: "Tail index", rows: estimators),
        ]
        if let p = check.powerLaw {
            tables.append(Table(title: "Power-law fit (Clauset–Shalizi–Newman)", rows: [
                ("α̂ ± σ (tail index)", "\(g(p.alpha)) ± \(g(p.sigma))"), ("density exponent", g(p.densityExponent)),
                ("xmin, n_tail", "\(g(p.xmin)), \(p.tailCount)"), ("KS distance", g(p.ksDistance)),
                ("goodness of fit p", p.goodnessOfFitP.map { "\(g($0)) (\(PowerLawFit.replicatesText(p)))" } ?? "not run"),
                ("vs lognormal: R, p", "\(g(p.versusLognormal.R)), \(g(p.versusLognormal.p))"),
                ("vs exponential: R, p", "\(g(p.versusExponential.R)), \(g(p.versusExponential.p))"),
            ]))
        }
        return tables
    }

    /// What the verdict suggests doing, with its evidence and its limits.
    package static func advice(for verdict: TailVerdict) -> String { verdict.advice.detail }

    /// The style sheet. On screen: figures as wide as the page (never wider),
    /// tables side by side where they fit and wide ones across the page, long
    /// cells wrapped instead of overflowing. In print: A4 margins, no
    /// backgrounds (the verdict keeps its coloured rule), nothing split across
    /// a page break that reads badly split (a figure, a table, the verdict).
    static let styleSheet = """
        body { font-family: sans-serif; max-width: 1500px; margin: 2em auto; padding: 0 1em; color: #222; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
        .verdict { font-size: 1.3em; padding: 0.6em 0.9em; border-radius: 6px; border-left: 6px solid; }
        .infinite-variance { background: #fde8e4; border-color: #D55E00; }
        .heavy { background: #fdf3dc; border-color: #E69F00; }
        .light { background: #e3f1fa; border-color: #0072B2; }
        .inconclusive { background: #eeeeee; border-color: #777777; }
        table { border-collapse: collapse; margin: 0.5em 0; max-width: 100%; }
        td { padding: 0.25em 1em 0.25em 0; border-bottom: 1px solid #ddd; vertical-align: top; overflow-wrap: break-word; }
        td:first-child { color: #555; min-width: 7em; }
        .glance td:last-child { font-variant-numeric: tabular-nums; }
        .tables { display: flex; flex-wrap: wrap; gap: 0 2em; }
        .tables > div { min-width: 0; max-width: 100%; }
        .tables > div.wide { flex-basis: 100%; }
        figure { margin: 1.5em 0; } figcaption { color: #555; margin-top: 0.3em; }
        figure img { display: block; width: 100%; max-width: 100%; height: auto; }
        @page { size: A4; margin: 18mm 15mm; }
        @media print {
          body { max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; }
          * { background: none !important; box-shadow: none !important; }
          .verdict { border-left-width: 4pt; }
          h2 { break-after: avoid; }
          figure, .verdict, .glance, .tables > div { break-inside: avoid; page-break-inside: avoid; }
          figure img { max-height: 240mm; object-fit: contain; }
        }
        """

    /// The page: the verdict with its intervals and what to do first, then the
    /// facts, the tables and the figures.
    public func html() -> String {
        var page = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"/>
        <title>\(escape(title))</title>
        <style>
        \(Self.styleSheet)
        </style>
        </head>
        <body>
        <h1>\(escape(title))</h1>\n
        """
        if let verdict {
            page += """
            <section class="verdict-section">
            <p class="verdict \(verdict.rawValue)"><strong>\(verdict.rawValue)</strong> — \(escape(verdictReason))</p><p><small>\(escape(verdict.rawValue)) means \(escape(verdict.meaning())).</small></p>\n
            """
            if !glance.isEmpty {
                page += "<table class=\"glance\">\n"
                for (label, value) in glance { page += "<tr><td>\(escape(label))</td><td>\(escape(value))</td></tr>\n" }
                page += "</table>\n"
            }
            page += "<h2>What to do</h2>\n<p>\(escape(Self.advice(for: verdict)))</p>\n</section>\n"
        } else if !verdictReason.isEmpty {
            page += "<p>\(escape(verdictReason))</p>\n"
        }
        page += "<h2>\(verdict == nil ? "The runs" : "The run")</h2>\n<ul>\n"
        for fact in facts { page += "<li>\(escape(fact))</li>\n" }
        page += "</ul>\n<div class=\"tables\">\n"
        for table in tables {
            page += "<div\(table.wide ? " class=\"wide\"" : "")><h2>\(escape(table.title))</h2>\n<table>\n"
            for (label, value) in table.rows { page += "<tr><td>\(escape(label))</td><td>\(escape(value))</td></tr>\n" }
            page += "</table></div>\n"
        }
        page += "</div>\n"
        for figure in figures {
            page += "<figure>\n<img alt=\"\(escape(figure.caption))\" src=\"\(Self.dataURI(svg: figure.svg))\"/>\n<figcaption>\(escape(figure.caption))</figcaption>\n</figure>\n"
        }
        page += "<p><small>Made by noisescope. The verdict rule and its measured error rates are in docs/check.md of the noisescope repository (section “The verdict”); inconclusive means the data cannot tell.</small></p>\n</body>\n</html>\n"
        return page
    }

    /// An SVG document as a data URI for an `<img>`: shown, never run.
    static func dataURI(svg: String) -> String {
        "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString()
    }

    /// Text and attribute values of the page: the SVG writer's escaping (the
    /// five special characters as entities, characters XML forbids removed).
    func escape(_ text: String) -> String { xmlEscaped(text) }
}

extension RunReport.Table {
    /// A table of the windows for the report.
    package static func overTraining(_ trajectory: TrajectoryWindows) -> RunReport.Table {
        func g(_ x: Double) -> String { String(format: "%.4g", x) }
        var rows = trajectory.windows.map { w in
            (w.firstStep == w.lastStep ? "step \(w.firstStep) (n = \(w.n))" : "steps \(w.firstStep)–\(w.lastStep) (n = \(w.n))",
             "median \(g(w.median)), q90 \(g(w.q90)), q99 \(g(w.q99)); \(w.verdict.rawValue)"
                + (w.alphaInterval95.map { " (α in [\(g($0.lower ?? 0)), \($0.upper.map(g) ?? "∞")])" } ?? ""))
        }
        rows.append(("stationary?", trajectory.nonStationary
            ? String(format: "no: window medians differ by up to %.1f standard errors; a verdict pooled over the run mixes different distributions", trajectory.medianDriftZ)
            : String(format: "yes: no drift beyond sampling error (largest difference of medians %.1f SE)", trajectory.medianDriftZ)))
        return RunReport.Table(title: "Over training (windows of recording steps)", rows: rows)
    }
}
