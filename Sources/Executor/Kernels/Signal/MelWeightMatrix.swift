import Foundation
import ModelIR

/// The [dft_length / 2 + 1, num_mel_bins] matrix of triangular mel filters between the two edge frequencies.
struct MelWeightMatrix_17: TensorKernel {
    static let opType = "MelWeightMatrix", sinceVersion = 17
    static let inputArity = 5...5
    let type: DataType
    init(_ node: KernelNode) throws {
        let raw = try node.int("output_datatype", default: 1)
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: raw)) else { throw KernelError.invalidAttribute("unknown output_datatype \(raw)") }
        self.type = type
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let bins = try inputs.required(0).scalarInt(), dftLength = try inputs.required(1).scalarInt()
        let sampleRate = try inputs.required(2).scalarDouble()
        let lower = try inputs.required(3).scalarDouble(), upper = try inputs.required(4).scalarDouble()
        guard bins > 0, dftLength > 0, sampleRate > 0 else { throw KernelError.invalidInput("bins, dft_length and sample_rate must be positive") }
        let spectrogramBins = dftLength / 2 + 1
        let lowMel = 2595 * Foundation.log1p(lower / 700) / Foundation.log(10.0)
        let highMel = 2595 * Foundation.log1p(upper / 700) / Foundation.log(10.0)
        let step = (highMel - lowMel) / Double(bins + 2)
        let edges = (0..<(bins + 2)).map { i -> Int in
            let hertz = 700 * Foundation.expm1((Double(i) * step + lowMel) / 2595 * Foundation.log(10.0))
            return Int((Double(dftLength + 1) * hertz / sampleRate).rounded(.down))
        }
        var output = [Double](repeating: 0, count: spectrogramBins * bins)
        func set(_ j: Int, _ i: Int, _ value: Double) throws {
            guard j >= 0 && j < spectrogramBins else { throw KernelError.invalidInput("a filter edge falls outside the spectrogram") }
            output[j * bins + i] = value
        }
        for i in 0..<bins {
            let (low, center, high) = (edges[i], edges[i + 1], edges[i + 2])
            if center == low { try set(center, i, 1) } else if low <= center {
                for j in low...center { try set(j, i, Double(j - low) / Double(center - low)) }
            }
            if high > center { for j in center..<high { try set(j, i, Double(high - j) / Double(high - center)) } }
        }
        return [try Tensor(converting: output, to: type, shape: [spectrogramBins, bins])]
    }
}
