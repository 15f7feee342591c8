import XCTest
@testable import NoiseScopeModels

/// Every layer's backward pass against central finite differences in Double, on
/// small random inputs. Each test builds the scalar objective L = ⟨w, layer(x, θ)⟩
/// for a random w (so backward gets dout = w) and checks ∂L/∂x and ∂L/∂θ at EVERY
/// coordinate. Tolerances (see `FiniteDifference`): rtol 1e-6, atol 1e-8 — L is
/// O(1..10) here, so rounding in the difference is ~2e-16·10/1e-5 = 2e-10 and the
/// O(h²) truncation ~1e-10; the floor sits two orders above both.
final class LayerGradientTests: XCTestCase {
    let atol = 1e-8

    func buffer(_ values: [Double]) -> FlatBuffer<Double> {
        let b = FlatBuffer<Double>(count: values.count)
        for (i, v) in values.enumerated() { b.buffer[i] = v }
        return b
    }

    func dot(_ a: FlatBuffer<Double>, _ b: FlatBuffer<Double>) -> Double {
        (0..<a.count).reduce(0) { $0 + a.buffer[$1] * b.buffer[$1] }
    }

    /// Checks all coordinates of `x` against `analytic`; returns the worst relative error.
    @discardableResult
    func checkAll(_ name: String, _ x: FlatBuffer<Double>, _ analytic: [Double], _ f: () -> Double,
                  file: StaticString = #filePath, line: UInt = #line) -> Double {
        XCTAssertEqual(analytic.count, x.count, file: file, line: line)
        var worst = 0.0
        for i in 0..<x.count {
            let fd = FiniteDifference.derivative(at: i, of: x.pointer, f)
            let rel = FiniteDifference.check(analytic[i], fd, atol: atol, "\(name)[\(i)]", file: file, line: line)
            if abs(fd) > 1e-6 { worst = max(worst, rel) }
        }
        return worst
    }

    func testLinearWithAndWithoutBias() {
        let r = TestRandom(seed: 1)
        let n = 5, c = 4, oc = 3
        for withBias in [true, false] {
            let x = buffer(r.normal(n * c)), w = buffer(r.normal(oc * c)), b = buffer(r.normal(oc))
            let dout = buffer(r.normal(n * oc)), y = FlatBuffer<Double>(count: n * oc)
            let f: () -> Double = {
                linearForward(y.pointer, x.pointer, w.pointer, withBias ? b.pointer : nil, rows: n, inDim: c, outDim: oc)
                return self.dot(y, dout)
            }
            // dinp is documented as overwritten, dW/db as accumulated: pre-fill to check both.
            let dx = buffer(r.normal(n * c)), dw = buffer(r.normal(oc * c)), db = buffer(r.normal(oc))
            let dw0 = Array(dw.buffer), db0 = Array(db.buffer)
            linearBackward(dinp: dx.pointer, dweight: dw.pointer, dbias: withBias ? db.pointer : nil,
                           dout: dout.pointer, inp: x.pointer, weight: w.pointer, rows: n, inDim: c, outDim: oc)
            checkAll("linear dx", x, Array(dx.buffer), f)
            checkAll("linear dW", w, zip(dw.buffer, dw0).map { $0 - $1 }, f)
            if withBias {
                checkAll("linear db", b, zip(db.buffer, db0).map { $0 - $1 }, f)
            } else {
                XCTAssertEqual(Array(db.buffer), db0, "no-bias backward must not touch dbias")
            }
        }
    }

    func testLayerNorm() {
        let r = TestRandom(seed: 2)
        let n = 4, c = 7
        let x = buffer(r.normal(n * c, std: 2).map { $0 + 0.5 })
        let w = buffer(r.normal(c).map { 1 + 0.3 * $0 }), b = buffer(r.normal(c))
        let dout = buffer(r.normal(n * c))
        let a = LayerNormActivations<Double>(rows: n, dim: c)
        let f: () -> Double = {
            layerNormForward(a.out.pointer, mean: a.mean.pointer, rstd: a.rstd.pointer, x.pointer,
                             weight: w.pointer, bias: b.pointer, rows: n, dim: c)
            return self.dot(a.out, dout)
        }
        _ = f()
        // Normalised rows: mean 0, biased variance 1 − eps·rstd² (before gamma/beta).
        let row0 = (0..<c).map { (x.buffer[$0] - a.mean.buffer[0]) * a.rstd.buffer[0] }
        XCTAssertEqual(row0.reduce(0, +), 0, accuracy: 1e-12)
        let dx = buffer(r.normal(n * c)), dw = FlatBuffer<Double>(count: c), db = FlatBuffer<Double>(count: c)
        let dx0 = Array(dx.buffer)
        layerNormBackward(dinp: dx.pointer, dweight: dw.pointer, dbias: db.pointer, dout: dout.pointer,
                          inp: x.pointer, weight: w.pointer, mean: a.mean.pointer, rstd: a.rstd.pointer, rows: n, dim: c)
        checkAll("layernorm dx (accumulated)", x, zip(dx.buffer, dx0).map { $0 - $1 }, f)
        checkAll("layernorm dgamma", w, Array(dw.buffer), f)
        checkAll("layernorm dbeta", b, Array(db.buffer), f)
    }

    func testGELUAndReferenceValues() {
        let r = TestRandom(seed: 3)
        let n = 40
        let x = buffer(r.normal(n, std: 2)), dout = buffer(r.normal(n)), y = FlatBuffer<Double>(count: n)
        let cache = FlatBuffer<Double>(count: n)
        let f: () -> Double = {
            geluForward(y.pointer, sigmoidCache: cache.pointer, x.pointer, count: n)
            return self.dot(y, dout)
        }
        _ = f()
        let dx = FlatBuffer<Double>(count: n)
        geluBackward(dinp: dx.pointer, inp: x.pointer, sigmoidCache: cache.pointer, dout: dout.pointer, count: n)
        checkAll("gelu dx", x, Array(dx.buffer), f)
        // torch 2.15: torch.nn.functional.gelu(torch.tensor([-1., 0.5, 2.], dtype=torch.float64), approximate="tanh")
        let probe = buffer([-1.0, 0.5, 2.0]), out = FlatBuffer<Double>(count: 3)
        geluForward(out.pointer, sigmoidCache: cache.pointer, probe.pointer, count: 3)
        let expected = [-0.15880800939172324, 0.34571400982514394, 1.954597694087775]
        for i in 0..<3 { XCTAssertEqual(out.buffer[i], expected[i], accuracy: 1e-15) }
    }

    func testCausalSelfAttention() {
        let r = TestRandom(seed: 4)
        let b = 2, t = 5, c = 6, h = 2
        let qkv = buffer(r.normal(b * t * 3 * c)), dout = buffer(r.normal(b * t * c))
        let out = FlatBuffer<Double>(count: b * t * c), att = FlatBuffer<Double>(count: b * h * t * t)
        let f: () -> Double = {
            attentionForward(out.pointer, att: att.pointer, qkv: qkv.pointer, batch: b, context: t, dim: c, heads: h)
            return self.dot(out, dout)
        }
        _ = f()
        // Causality and normalisation: each row of att sums to 1 and is 0 above the diagonal.
        for bh in 0..<(b * h) {
            for row in 0..<t {
                let p = att.pointer + (bh * t + row) * t
                XCTAssertEqual((0..<t).reduce(0) { $0 + p[$1] }, 1, accuracy: 1e-14)
                for j in (row + 1)..<max(t, row + 1) { XCTAssertEqual(p[j], 0) }
            }
        }
        let dqkv = buffer(r.normal(b * t * 3 * c)), scratch = FlatBuffer<Double>(count: t * t)
        attentionBackward(dqkv: dqkv.pointer, scratch: scratch.pointer, dout: dout.pointer, qkv: qkv.pointer,
                          att: att.pointer, batch: b, context: t, dim: c, heads: h)
        checkAll("attention dqkv", qkv, Array(dqkv.buffer), f)
    }

    func testAttentionIsCausal() {
        // Changing a later position's k or v must not change an earlier output.
        let r = TestRandom(seed: 5)
        let b = 1, t = 4, c = 4, h = 2
        let qkv = buffer(r.normal(b * t * 3 * c))
        let out1 = FlatBuffer<Double>(count: t * c), out2 = FlatBuffer<Double>(count: t * c)
        let att = FlatBuffer<Double>(count: h * t * t)
        attentionForward(out1.pointer, att: att.pointer, qkv: qkv.pointer, batch: b, context: t, dim: c, heads: h)
        for j in 0..<(3 * c) { qkv.buffer[(t - 1) * 3 * c + j] += 1 }
        attentionForward(out2.pointer, att: att.pointer, qkv: qkv.pointer, batch: b, context: t, dim: c, heads: h)
        XCTAssertEqual(Array(out1.buffer[0..<((t - 1) * c)]), Array(out2.buffer[0..<((t - 1) * c)]))
        XCTAssertNotEqual(Array(out1.buffer[((t - 1) * c)...]), Array(out2.buffer[((t - 1) * c)...]))
    }

    func testSoftmaxCrossEntropy() {
        let r = TestRandom(seed: 6)
        let n = 4, v = 9
        let logits = buffer(r.normal(n * v, std: 3)), work = FlatBuffer<Double>(count: n * v)
        let targets: [Int32] = (0..<n).map { _ in Int32(r.index(v)) }
        let f: () -> Double = {
            work.pointer.update(from: logits.pointer, count: n * v)
            return softmaxCrossEntropyForward(work.pointer, targets: targets, rows: n, classes: v)
        }
        // Reference: direct −log softmax.
        var expected = 0.0
        for row in 0..<n {
            let z = (0..<v).map { logits.buffer[row * v + $0] }
            expected += log(z.map { exp($0) }.reduce(0, +)) - z[Int(targets[row])]
        }
        XCTAssertEqual(f(), expected, accuracy: 1e-13)
        softmaxCrossEntropyBackward(work.pointer, targets: targets, rows: n, classes: v, scale: 1)
        checkAll("cross-entropy dlogits", logits, Array(work.buffer), f)
        // Extreme logits: the log-sum-exp form stays finite where p underflows.
        let big = buffer([0, 2000, -2000]), w2 = FlatBuffer<Double>(count: 3)
        w2.pointer.update(from: big.pointer, count: 3)
        XCTAssertEqual(softmaxCrossEntropyForward(w2.pointer, targets: [2], rows: 1, classes: 3), 4000, accuracy: 1e-9)
    }

    func testEmbeddingAndPositions() {
        let r = TestRandom(seed: 7)
        let b = 2, t = 3, c = 4, vocab = 5
        let tokens: [Int32] = [1, 4, 1, 0, 1, 3]
        let wte = buffer(r.normal(vocab * c)), wpe = buffer(r.normal(t * c))
        let dout = buffer(r.normal(b * t * c)), y = FlatBuffer<Double>(count: b * t * c)
        let f: () -> Double = {
            embeddingForward(y.pointer, tokens: tokens, wte: wte.pointer, wpe: wpe.pointer, batch: b, context: t, dim: c)
            return self.dot(y, dout)
        }
        let dwte = FlatBuffer<Double>(count: vocab * c), dwpe = FlatBuffer<Double>(count: t * c)
        embeddingBackward(dwte: dwte.pointer, dwpe: dwpe.pointer, dout: dout.pointer, tokens: tokens,
                          batch: b, context: t, dim: c)
        checkAll("embedding dwte", wte, Array(dwte.buffer), f)
        checkAll("embedding dwpe", wpe, Array(dwpe.buffer), f)
        // Rows of unused tokens (2) get no gradient.
        XCTAssertEqual(Array(dwte.buffer[(2 * c)..<(3 * c)]), [0, 0, 0, 0])
    }

    func testResidual() {
        let r = TestRandom(seed: 8)
        let n = 6
        let a = buffer(r.normal(n)), b = buffer(r.normal(n)), dout = buffer(r.normal(n))
        let y = FlatBuffer<Double>(count: n)
        let f: () -> Double = {
            residualForward(y.pointer, a.pointer, b.pointer, count: n)
            return self.dot(y, dout)
        }
        let da = FlatBuffer<Double>(count: n), db = FlatBuffer<Double>(count: n)
        residualBackward(da: da.pointer, db: db.pointer, dout: dout.pointer, count: n)
        checkAll("residual da", a, Array(da.buffer), f)
        checkAll("residual db", b, Array(db.buffer), f)
    }
}
