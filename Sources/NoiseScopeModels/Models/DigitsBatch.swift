/// The input side shared by the digits models: a worker's minibatch of images as
/// features (B, 64) = pixels/16 and labels (B).
final class DigitsBatch<T: BLASScalar> {
    let data: DigitsDataset
    let features: FlatBuffer<T>
    let labels: UnsafeMutablePointer<Int32>

    init(data: DigitsDataset, capacity: Int) {
        self.data = data
        features = FlatBuffer(count: capacity * DigitsDataset.pixelCount)
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0, count: capacity)
    }

    deinit { labels.deallocate() }

    /// Gathers the examples `indices` (at most the capacity).
    @inline(__always)
    func load(_ indices: UnsafeBufferPointer<Int>) {
        for (k, i) in indices.enumerated() {
            data.copyExample(i, features: features.pointer + k * DigitsDataset.pixelCount, label: labels + k)
        }
    }
}
