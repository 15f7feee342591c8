import Foundation

/// libFuzzer's entry point. The target comes from NOISESCOPE_FUZZ_TARGET
/// (tools/fuzz/run sets it); the targets themselves live in
/// Tests/FuzzReplayTests/FuzzTargets.swift, shared with the replay test.
nonisolated(unsafe) var chosenTarget: FuzzTarget? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if chosenTarget == nil {
        let name = ProcessInfo.processInfo.environment["NOISESCOPE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set NOISESCOPE_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
        }
        chosenTarget = target
    }
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    chosenTarget!.run(bytes)
    return 0
}
