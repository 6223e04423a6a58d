import Foundation
import ModelIR

/// The discrete Fourier transform along one signal axis of a `[..., 1 or 2]` real or complex
/// tensor (computed directly, O(n²), in double): forward, inverse, and one-sided forms, with the
/// signal cut or zero-padded to `dft_length`.
struct FourierTransform: Sendable {
    let inverse: Bool, onesided: Bool

    func apply(_ x: Tensor, length requested: Int?, axis rawAxis: Int) throws -> Tensor {
        guard x.rank >= 2, let components = x.shape.last, components == 1 || components == 2 else {
            throw KernelError.invalidInput("input must end in a dimension of 1 (real) or 2 (complex), got \(x.shape)")
        }
        let axis = ((rawAxis % x.rank) + x.rank) % x.rank
        guard axis < x.rank - 1 else { throw KernelError.invalidInput("axis \(rawAxis) is the complex dimension") }
        let size = x.shape[axis]
        let n = requested ?? (inverse && onesided ? 2 * (size - 1) : size)
        guard n > 0 else { throw KernelError.invalidInput("dft_length must be positive") }
        let values = try x.doubleValues()
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)..<(x.rank - 1)].reduce(1, *)
        func sample(_ o: Int, _ t: Int, _ i: Int) -> (Double, Double) {
            guard t < size else { return (0, 0) }
            let base = ((o * size + t) * inner + i) * components
            return (values[base], components == 2 ? values[base + 1] : 0)
        }
        let outputLength = !inverse && onesided ? n / 2 + 1 : n
        let outputComponents = inverse && onesided ? 1 : 2
        var shape = x.shape
        shape[axis] = outputLength
        shape[x.rank - 1] = outputComponents
        var result = [Double](repeating: 0, count: try Tensor.checkedCount(shape))
        let sign = inverse ? 1.0 : -1.0
        for o in 0..<outer {
            for i in 0..<inner {
                // The spectrum or signal as n complex values (an inverse one-sided input is completed by symmetry).
                var input = [(Double, Double)](repeating: (0, 0), count: n)
                if inverse && onesided {
                    let bins = n / 2 + 1
                    for k in 0..<bins where k < size { input[k] = sample(o, k, i) }
                    input[0].1 = 0
                    if n % 2 == 0 { input[n / 2].1 = 0 }
                    for k in bins..<max(n, bins) where n - k < bins { input[k] = (input[n - k].0, -input[n - k].1) }
                } else {
                    for t in 0..<n { input[t] = sample(o, t, i) }
                }
                for k in 0..<outputLength {
                    var re = 0.0, im = 0.0
                    for t in 0..<n {
                        let angle = sign * 2 * Double.pi * Double(k * t % n) / Double(n)
                        let (c, s) = (Foundation.cos(angle), Foundation.sin(angle))
                        re += input[t].0 * c - input[t].1 * s
                        im += input[t].0 * s + input[t].1 * c
                    }
                    if inverse { re /= Double(n); im /= Double(n) }
                    let base = ((o * outputLength + k) * inner + i) * outputComponents
                    result[base] = re
                    if outputComponents == 2 { result[base + 1] = im }
                }
            }
        }
        return try Tensor(converting: result, to: x.dataType, shape: shape)
    }
}

/// Opsets 17–19: `axis` is an attribute (default 1).
struct DFT_17: TensorKernel {
    static let opType = "DFT", sinceVersion = 17
    static let inputArity = 1...2
    let transform: FourierTransform, axis: Int
    init(_ node: KernelNode) throws {
        transform = FourierTransform(inverse: try node.int("inverse", default: 0) != 0, onesided: try node.int("onesided", default: 0) != 0)
        axis = try node.int("axis", default: 1)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let length = try inputs.optional(1).map { try $0.scalarInt() }
        return [try transform.apply(inputs.required(0), length: length, axis: axis)]
    }
}

/// From opset 20 `axis` is an optional input (default −2).
struct DFT_20: TensorKernel {
    static let opType = "DFT", sinceVersion = 20
    static let inputArity = 1...3
    let transform: FourierTransform
    init(_ node: KernelNode) throws {
        transform = FourierTransform(inverse: try node.int("inverse", default: 0) != 0, onesided: try node.int("onesided", default: 0) != 0)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let length = try inputs.optional(1).flatMap { $0.elementCount == 0 ? nil : try $0.scalarInt() }
        let axis = try inputs.optional(2).map { try $0.scalarInt() } ?? -2
        return [try transform.apply(inputs.required(0), length: length, axis: axis)]
    }
}

/// Short-time Fourier transform: frames of `frame_length` every `frame_step` samples, each
/// multiplied by the window and transformed (one-sided by default).
struct STFT_17: TensorKernel {
    static let opType = "STFT", sinceVersion = 17
    static let inputArity = 2...4
    let onesided: Bool
    init(_ node: KernelNode) throws { onesided = try node.int("onesided", default: 1) != 0 }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let signal = try inputs.required(0), step = try inputs.required(1).scalarInt()
        let window = try inputs.optional(2)?.doubleValues()
        guard let frameLength = try inputs.optional(3).map({ try $0.scalarInt() }) ?? window?.count, frameLength > 0, step > 0,
              signal.rank == 3 else {
            throw KernelError.invalidInput("STFT needs a [batch, length, 1 or 2] signal, a positive step and a frame length or window")
        }
        let (batch, length, components) = (signal.shape[0], signal.shape[1], signal.shape[2])
        let frames = (length - frameLength) / step + 1
        guard frames > 0 else { throw KernelError.invalidInput("the signal is shorter than one frame") }
        let values = try signal.doubleValues()
        var framed = [Double](repeating: 0, count: batch * frames * frameLength * components)
        for b in 0..<batch {
            for f in 0..<frames {
                for t in 0..<frameLength {
                    for c in 0..<components {
                        framed[((b * frames + f) * frameLength + t) * components + c] =
                            values[(b * length + f * step + t) * components + c] * (window?[t] ?? 1)
                    }
                }
            }
        }
        let frameTensor = try Tensor(converting: framed, to: signal.dataType, shape: [batch, frames, frameLength, components])
        return [try FourierTransform(inverse: false, onesided: onesided).apply(frameTensor, length: frameLength, axis: 2)]
    }
}
