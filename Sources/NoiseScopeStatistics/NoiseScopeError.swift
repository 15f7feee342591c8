/// A problem the user can fix, said in one line that names it and the fix.
/// Every layer throws this one type for bad input (the CLI prints its
/// description after `noisescope: error:` and exits 1); the nested `Failure`
/// names in other types are aliases of it.
public struct NoiseScopeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
    public init(description: String) { self.description = description }
}
