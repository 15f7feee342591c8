import Foundation

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP set a flag that long loops poll, so
/// they stop cleanly: nothing half-written is left behind, and the command
/// exits with the shell's status for the signal (130, 143, 129).
enum Interruption {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in Interruption.requested = received }
        }
    }

    static var isRequested: Bool { requested != 0 }

    /// The exit status for the signal received (128 + its number), 1 if none.
    static var exitStatus: Int32 { requested != 0 ? 128 + Int32(requested) : 1 }

    static var signalName: String? {
        switch requested {
        case SIGINT: return "interrupted (SIGINT)"
        case SIGTERM: return "terminated (SIGTERM)"
        case SIGHUP: return "hung up (SIGHUP)"
        default: return nil
        }
    }
}
