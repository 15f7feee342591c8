/// A fixed-size, 64-byte-aligned, zero-initialised array of scalars that owns its
/// memory and never reallocates.
///
/// Models keep their parameters, their gradient and every activation in these, so
/// the addresses handed to BLAS are stable for the model's lifetime and the steady
/// state allocates nothing (`baseAddress` never changes; tests check that).
package final class FlatBuffer<T: BLASScalar>: @unchecked Sendable {
    /// The storage; valid for the lifetime of this object.
    package let buffer: UnsafeMutableBufferPointer<T>

    /// Allocates `count` zeros.
    package init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: Swift.max(count, 1) * MemoryLayout<T>.stride, alignment: 64)
        let typed = raw.bindMemory(to: T.self, capacity: Swift.max(count, 1))
        typed.initialize(repeating: 0, count: Swift.max(count, 1))
        buffer = UnsafeMutableBufferPointer(start: typed, count: count)
    }

    deinit {
        UnsafeMutableRawPointer(buffer.baseAddress!).deallocate()
    }

    /// Number of scalars.
    @inline(__always) package var count: Int { buffer.count }
    /// First element's address (never nil, stable).
    @inline(__always) package var pointer: UnsafeMutablePointer<T> { buffer.baseAddress! }

    /// Sets every element to zero.
    @inline(__always) package func zero() {
        pointer.update(repeating: 0, count: count)
    }
}
