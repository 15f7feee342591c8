import NoiseScopeSampling
import XCTest

/// The data order: a batch of every example (the full batch) visits all of
/// them at every step; a batch that does not divide the examples drops the rest
/// of each epoch.
final class MinibatchScheduleTests: XCTestCase {
    func testAFullBatchIsEveryExampleEveryStep() {
        for count in [1, 2, 37, 512] {
            var schedule = MinibatchSchedule(exampleCount: count, batchSize: count, seed: 11)
            XCTAssertEqual(schedule.batchesPerEpoch, 1)
            for step in 0..<5 {
                let batch = schedule.next()
                XCTAssertEqual(batch.count, count, "step \(step)")
                XCTAssertEqual(batch.sorted(), Array(0..<count), "N = \(count), step \(step): every example, once")
            }
        }
    }

    func testASmallerBatchDropsTheRemainderOfAnEpoch() {
        var schedule = MinibatchSchedule(exampleCount: 37, batchSize: 8, seed: 11)
        XCTAssertEqual(schedule.batchesPerEpoch, 4)
        let epoch = (0..<4).flatMap { _ in schedule.next() }
        XCTAssertEqual(Set(epoch).count, 32, "no example twice within an epoch")
        XCTAssertEqual(37 - Set(epoch).count, 5, "37 mod 8 examples are left out of this epoch")
    }
}
