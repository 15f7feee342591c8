#if canImport(Glibc)
import Glibc
#endif

/// Reads a decimal number from bytes, rounded exactly as `strtod` rounds it
/// (to nearest, ties to even), without building a String and, for the
/// numbers data files hold, without calling `strtod`.
///
/// The forms accepted are the ones the readers have always accepted: an
/// optional sign, digits with at most one '.', at least one digit, an optional
/// exponent (e or E, an optional sign, at least one digit); and the words nan,
/// inf and infinity in any case, signed or not. Nothing else: no hex floats,
/// no "nan(...)", no inner spaces. Surrounding spaces and tabs are ignored.
///
/// The value is exact by construction. With at most 19 significant digits the
/// digits form an integer w < 2⁶⁴ and the number is w·10^q. When |q| ≤ 27, 5^|q|
/// fits in 64 bits, so for q ≥ 0 the product w·5^q is an exact 128-bit integer,
/// and for q < 0 the quotient of w·2^k by 5^|q| is an exact 64-bit quotient and
/// remainder; either way every bit below the 53 kept ones is known (the
/// remainder only as zero or not), so rounding to nearest-even is exact, and
/// the power of two is applied exactly. Anything else (more digits, larger
/// exponents, results far from 1) goes to `strtod` on a copy in a small
/// stack buffer — the same function that read every number before, so the
/// results are bit for bit the same (the tests compare a million strings).
enum DecimalNumber {
    /// The longest cell read as a number; longer cells are not numbers.
    static let maximumLength = 400

    /// The value of the bytes, or nil when they are not a number.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard var start = bytes.baseAddress else { return nil }
        var end = start + bytes.count
        while start < end && (start.pointee == 32 || start.pointee == 9) { start += 1 }
        while end > start && (end[-1] == 32 || end[-1] == 9) { end -= 1 }
        let count = end - start
        guard count > 0, count <= maximumLength else { return nil }

        var p = start
        var negative = false
        if p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+") {
            negative = p.pointee == UInt8(ascii: "-")
            p += 1
        }
        // Mantissa: digits, at most one '.', at least one digit.
        var w: UInt64 = 0
        var significant = 0          // digits in w, leading zeros not counted
        var dropped = false          // a nonzero digit did not fit in w
        var digits = 0
        var decimalExponent = 0      // the number is w · 10^decimalExponent (before the exponent part)
        var seenPoint = false
        while p < end {
            let c = p.pointee
            if c &- 48 < 10 {
                digits += 1
                let d = UInt64(c &- 48)
                if significant < 19 {
                    if w != 0 || d != 0 {
                        w = w &* 10 &+ d
                        significant += 1
                    }
                    if seenPoint { decimalExponent -= 1 }
                } else {
                    // Past 19 significant digits: a zero only scales, anything else needs strtod.
                    if d != 0 { dropped = true }
                    if !seenPoint { decimalExponent += 1 }
                }
            } else if c == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else {
                break
            }
            p += 1
        }
        guard digits > 0 else { return word(start, count) }
        if p < end {
            guard p.pointee == UInt8(ascii: "e") || p.pointee == UInt8(ascii: "E") else { return word(start, count) }
            p += 1
            var exponentNegative = false
            if p < end && (p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+")) {
                exponentNegative = p.pointee == UInt8(ascii: "-")
                p += 1
            }
            var exponent = 0, exponentDigits = 0
            while p < end, p.pointee &- 48 < 10 {
                // Saturates far beyond any double's range; strtod reads such exponents.
                if exponent < 100_000 { exponent = exponent * 10 + Int(p.pointee &- 48) }
                exponentDigits += 1
                p += 1
            }
            guard exponentDigits > 0, p == end else { return word(start, count) }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        if w == 0 && !dropped { return negative ? -0.0 : 0.0 }
        if !dropped, abs(decimalExponent) <= 27, let magnitude = exact(w, decimalExponent) {
            return negative ? -magnitude : magnitude
        }
        return strtodFallback(start, count)
    }

    /// w · 10^q rounded to nearest-even, for w > 0 and |q| ≤ 27; nil if the
    /// result would leave the normal range (it never does for such w and q,
    /// but the fallback keeps that a non-question).
    @inline(__always)
    static func exact(_ w: UInt64, _ q: Int) -> Double? {
        if q >= 0 {
            let product = w.multipliedFullWidth(by: powersOfFive[q])
            return round(high: product.high, low: product.low, sticky: false, twoExponent: q)
        }
        let divisor = powersOfFive[-q]
        // Scale w so the quotient has 63 or 64 bits: with L the bit length of
        // the divisor, w·2^(L−1)·2^lz / divisor < 2⁶⁴ and ≥ 2⁶², and the high
        // word of the numerator stays below the divisor.
        let lz = w.leadingZeroBitCount
        let normalized = w << lz
        let length = 64 - divisor.leadingZeroBitCount
        let k = length - 1
        let high = k == 0 ? 0 : normalized >> (64 - k)
        let low = k == 0 ? normalized : normalized << k
        let (quotient, remainder) = divisor.dividingFullWidth((high: high, low: low))
        return round(high: 0, low: quotient, sticky: remainder != 0, twoExponent: q - k - lz)
    }

    /// (high·2⁶⁴ + low + a sticky fraction) · 2^twoExponent, rounded to 53 bits, nearest-even.
    @inline(__always)
    static func round(high: UInt64, low: UInt64, sticky: Bool, twoExponent: Int) -> Double? {
        // Keep the top 64 significant bits in `top`; what falls below is sticky.
        var top: UInt64, exponent: Int, below = sticky
        if high != 0 {
            let lz = high.leadingZeroBitCount
            top = lz == 0 ? high : (high << lz) | (low >> (64 - lz))
            below = below || (lz == 0 ? low != 0 : (low << lz) != 0)
            exponent = twoExponent + 64 - lz
        } else {
            guard low != 0 else { return 0 }
            let lz = low.leadingZeroBitCount
            top = low << lz
            exponent = twoExponent - lz
        }
        // top has its highest bit set: value = top · 2^exponent (+ below).
        var mantissa = top >> 11
        let rest = top & 0x7FF
        if rest > 0x400 || (rest == 0x400 && (below || mantissa & 1 == 1)) {
            mantissa += 1
            if mantissa == 1 << 53 { mantissa >>= 1; exponent += 1 }
        }
        let scale = exponent + 11          // value = mantissa · 2^scale
        let unbiased = scale + 52           // exponent of the leading bit
        guard unbiased > -1022 && unbiased < 1023 else { return nil }
        return Double(sign: .plus, exponent: scale, significand: Double(mantissa))
    }

    static let powersOfFive: [UInt64] = {
        var powers: [UInt64] = [1]
        for _ in 1...27 { powers.append(powers.last! * 5) }
        return powers
    }()

    /// nan, inf or infinity, signed or not, any case; nil for anything else.
    static func word(_ start: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard count <= 9 else { return nil }
        var sign = 1.0, first = 0
        if start[0] == UInt8(ascii: "-") || start[0] == UInt8(ascii: "+") {
            sign = start[0] == UInt8(ascii: "-") ? -1 : 1
            first = 1
        }
        // Lower case by setting bit 5: only the letters of the words turn into them.
        let lower = (first..<count).map { start[$0] | 0x20 }
        switch lower {
        case Array("nan".utf8): return .nan
        case Array("inf".utf8), Array("infinity".utf8): return sign * .infinity
        default: return nil
        }
    }

    /// strtod on a NUL-terminated copy; nil unless it reads every byte. The
    /// grammar above has been checked, so this is only for exact rounding.
    static func strtodFallback(_ start: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: start, byteCount: count)
            base[count] = 0
            var stop: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(base, &stop)
            guard let stop, stop - base == count else { return nil }
            return value
        }
    }
}
