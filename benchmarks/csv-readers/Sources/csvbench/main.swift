// csvbench: noisescope's CSV reader vs SwiftCSV 0.10.0 vs CSV.swift 2.5.2 on one numeric column.
// Usage:
//   csvbench gen PATH [ROWS]          write the test CSV (default 1_000_000 rows)
//   csvbench MODE PATH [REPS]         MODE: ours | swiftcsv | swiftcsv-stream | csvswift; best of REPS (default 3)
import Foundation
import NoiseScope            // umbrella product; re-exports NoiseScopeStatistics
import SwiftCSV
import CSV

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func generate(path: String, rows: Int) throws {
    // Deterministic values: a 64-bit LCG; norms are positive, printed with Swift's shortest round-trip form.
    var state: UInt64 = 0x9E3779B97F4A7C15
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) * 0x1p-53
    }
    var out = "step,norm,loss,note\n"
    out.reserveCapacity(rows * 48)
    for i in 1...rows {
        let norm = 1.0 / pow(1.0 - uniform(), 1.0 / 1.7)     // Pareto(1.7) tail, like gradient-noise norms
        let loss = 2.5 * exp(-Double(i) / Double(rows)) + 0.01 * uniform()
        let note: String
        if i % 100 == 0 { note = "\"said \"\"hi\"\", then left\"" }     // doubled quotes inside a quoted field
        else if i % 10 == 0 { note = "\"a, b\"" }                       // separator inside a quoted field
        else { note = "" }
        out += "\(i),\(norm),\(loss),\(note)\n"
    }
    try out.write(toFile: path, atomically: false, encoding: .utf8)
}

func readOurs(_ path: String) throws -> [Double] {
    try SampleReader(format: .csv, column: "norm").read(path: path).values
}

/// SwiftCSV as its README shows it: load the file, parse all rows, take the column.
func readSwiftCSV(_ path: String) throws -> [Double] {
    let csv = try EnumeratedCSV(url: URL(fileURLWithPath: path), delimiter: .comma, loadColumns: false)
    guard let index = csv.header.firstIndex(of: "norm") else { fatalError("no norm column") }
    return csv.rows.map { Double($0[index])! }
}

/// SwiftCSV's row callback: parse only the header in init (rowLimit 0), then enumerate without keeping rows.
func readSwiftCSVStream(_ path: String) throws -> [Double] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false, rowLimit: 0)
    guard let index = csv.header.firstIndex(of: "norm") else { fatalError("no norm column") }
    var values: [Double] = []
    try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { row in values.append(Double(row[index])!) }
    return values
}

var csvSwiftEOFQuirk = false

/// CSV.swift: CSVReader over an InputStream, one row at a time.
func readCSVSwift(_ path: String) throws -> [Double] {
    guard let stream = InputStream(fileAtPath: path) else { fatalError("cannot open \(path)") }
    let reader = try CSVReader(stream: stream, hasHeaderRow: true)
    guard let index = reader.headerRow?.firstIndex(of: "norm") else { fatalError("no norm column") }
    var values: [Double] = []
    while let row = reader.next() { values.append(Double(row[index])!) }
    // On Linux, Foundation's InputStream keeps answering hasBytesAvailable == true at end of file,
    // so CSV.swift's last byte read fails with .cannotReadFile and the reader stops there: that is
    // its end of input here. Any other error is real. (Completeness is checked by rows and sum.)
    if let error = reader.error {
        if case CSVError.cannotReadFile = error { csvSwiftEOFQuirk = true } else { throw error }
    }
    return values
}

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: csvbench gen PATH [ROWS] | csvbench ours|swiftcsv|swiftcsv-stream|csvswift PATH [REPS]"); exit(2)
}
let mode = args[1], path = args[2]
if mode == "gen" {
    try generate(path: path, rows: args.count > 3 ? Int(args[3])! : 1_000_000)
    exit(0)
}
let reps = args.count > 3 ? Int(args[3])! : 3
let read: (String) throws -> [Double]
switch mode {
case "ours": read = readOurs
case "swiftcsv": read = readSwiftCSV
case "swiftcsv-stream": read = readSwiftCSVStream
case "csvswift": read = readCSVSwift
default: print("unknown mode \(mode)"); exit(2)
}
let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).doubleValue
var best = Double.infinity, times: [Double] = [], sum = 0.0, count = 0
for _ in 0..<reps {
    let t0 = now()
    let values = try read(path)
    let dt = now() - t0
    times.append(dt); best = min(best, dt)
    sum = values.reduce(0, +); count = values.count
}
let timesText = times.map { String(format: "%.3f", $0) }.joined(separator: " ")
print(String(format: "%@ rows=%d sum=%.17g best=%.3fs MB/s=%.1f (1 MB = 1e6 bytes; file %.1f MB) runs=[%@]",
             mode, count, sum, best, bytes / 1e6 / best, bytes / 1e6, timesText))
if csvSwiftEOFQuirk { print("note: CSV.swift ended with CSVError.cannotReadFile at end of file (Linux InputStream quirk)") }
