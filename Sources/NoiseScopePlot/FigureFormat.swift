import NoiseScopeCore
import Foundation

/// The file formats a figure can be written in. SVG is written by noisescope's
/// own renderer; PDF and PNG are converted from it by rsvg-convert (Debian's
/// librsvg2-bin), so all three show the same drawing.
public enum FigureFormat: String, CaseIterable, Sendable {
    case svg, pdf, png

    /// The converter, or nil when it is not installed.
    package static var converter: String? {
        ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Parses "svg,pdf,png"; throws on an unknown name or an empty list.
    package static func parse(_ list: String) throws -> [FigureFormat] {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var formats: [FigureFormat] = []
        for name in names {
            guard let format = FigureFormat(rawValue: name) else {
                throw NoiseScopeError("unknown figure format \(TerminalText.quoted(name)); choose from svg, pdf, png (comma-separated)")
            }
            if !formats.contains(format) { formats.append(format) }
        }
        guard !formats.isEmpty else { throw NoiseScopeError("no figure format given; choose from svg, pdf, png") }
        if formats.contains(where: { $0 != .svg }) && converter == nil {
            throw NoiseScopeError("PDF and PNG figures need rsvg-convert; install it (Debian: apt-get install librsvg2-bin) or ask for svg only")
        }
        return formats
    }

    /// The bytes of `svg` in this format (PNG at twice the SVG's size, for slides and screens).
    package func data(fromSVG svg: String) throws -> Data {
        if self == .svg { return Data(svg.utf8) }
        guard let converter = Self.converter else {
            throw NoiseScopeError("PDF and PNG figures need rsvg-convert; install it (Debian: apt-get install librsvg2-bin)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: converter)
        process.arguments = self == .pdf ? ["-f", "pdf"] : ["-f", "png", "-z", "2"]
        // Same figure, same bytes: cairo stamps PDFs with this date instead of now.
        process.environment = ProcessInfo.processInfo.environment.merging(["SOURCE_DATE_EPOCH": "0"]) { $1 }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write and read on separate threads so that neither pipe fills up.
        let writer = Thread { try? input.fileHandleForWriting.write(contentsOf: Data(svg.utf8)); try? input.fileHandleForWriting.close() }
        writer.start()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !bytes.isEmpty else {
            throw NoiseScopeError("rsvg-convert could not convert a figure to \(rawValue): \(TerminalText.safeForTerminal(String(decoding: message, as: UTF8.self), limit: 200))")
        }
        return bytes
    }
}

extension FigureFormat {
    /// The files of a run directory with every SVG figure (a name ending in
    /// ".svg") in each of `formats` instead: "a.svg" becomes "a.svg", "a.pdf",
    /// "a.png" for svg,pdf,png. Other files pass unchanged. Converted in memory,
    /// so that a directory written all at once (`AtomicDirectory`) gets its PDFs
    /// and PNGs in the same single step; deterministic (see `data(fromSVG:)`).
    package static func convertingFigures(_ files: [(name: String, data: Data)], to formats: [FigureFormat]) throws -> [(name: String, data: Data)] {
        guard formats != [.svg] else { return files }
        var converted: [(name: String, data: Data)] = []
        for file in files {
            guard file.name.hasSuffix(".svg") else { converted.append(file); continue }
            let stem = String(file.name.dropLast(4)), svg = String(decoding: file.data, as: UTF8.self)
            for format in formats { converted.append((stem + "." + format.rawValue, try format.data(fromSVG: svg))) }
        }
        return converted
    }
}
