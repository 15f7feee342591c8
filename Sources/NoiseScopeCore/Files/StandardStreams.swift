import Foundation

/// Standard output and error written with write(2), as a Unix tool does: a
/// reader that goes away (EPIPE: `| head`) ends the program quietly with
/// status 0; a full disk or another write error is one line on stderr and
/// status 1. (FileHandle's writer crashes on both.)
package enum StandardStreams {
    package static func writeOutput(_ data: Data) {
        if let code = AtomicFile.writeAll(1, data) {
            if code == EPIPE { exit(0) }
            writeError("noisescope: error: cannot write the output: \(String(cString: strerror(code)))\n")
            exit(1)
        }
    }

    package static func writeError(_ text: String) {
        _ = AtomicFile.writeAll(2, Data(text.utf8))
    }
}
