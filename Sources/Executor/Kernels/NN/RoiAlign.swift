import Foundation
import ModelIR

/// Region-of-interest pooling with bilinear sampling: each output bin averages (or takes the
/// largest weighted corner of) a grid of samples inside its part of the region.
struct RoiAlign_10: TensorKernel {
    static let opType = "RoiAlign", sinceVersion = 10
    static let inputArity = 3...3
    let maxMode: Bool, height: Int, width: Int, samplingRatio: Int, spatialScale: Double, halfPixel: Bool

    init(_ node: KernelNode) throws {
        maxMode = try node.choice("mode", default: "avg", in: ["avg", "max"]) == "max"
        height = try node.int("output_height", default: 1)
        width = try node.int("output_width", default: 1)
        samplingRatio = try node.int("sampling_ratio", default: 0)
        spatialScale = Double(try node.float("spatial_scale", default: 1))
        halfPixel = try node.choice("coordinate_transformation_mode", default: node.opset >= 16 ? "half_pixel" : "output_half_pixel",
                                    in: ["half_pixel", "output_half_pixel"]) == "half_pixel"
        guard height > 0, width > 0 else { throw KernelError.invalidAttribute("output_height and output_width must be positive") }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), roisTensor = try inputs.required(1), batchIndices = try inputs.required(2).indexValues()
        guard x.rank == 4, roisTensor.rank == 2, roisTensor.shape[1] == 4, roisTensor.shape[0] == batchIndices.count else {
            throw KernelError.invalidInput("X must be N×C×H×W, rois [num_rois, 4] and batch_indices [num_rois]")
        }
        let (channels, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let values = try x.doubleValues(), rois = try roisTensor.doubleValues()
        var result = [Double](repeating: 0, count: batchIndices.count * channels * height * width)
        let offset = halfPixel ? 0.5 : 0
        for (r, batch) in batchIndices.enumerated() {
            guard batch >= 0 && batch < x.shape[0] else { throw KernelError.invalidInput("batch index \(batch) out of range") }
            let startW = rois[r * 4] * spatialScale - offset, startH = rois[r * 4 + 1] * spatialScale - offset
            var roiW = rois[r * 4 + 2] * spatialScale - offset - startW, roiH = rois[r * 4 + 3] * spatialScale - offset - startH
            if !halfPixel { roiW = max(roiW, 1); roiH = max(roiH, 1) }
            let binH = roiH / Double(height), binW = roiW / Double(width)
            let gridH = samplingRatio > 0 ? samplingRatio : Int((roiH / Double(height)).rounded(.up))
            let gridW = samplingRatio > 0 ? samplingRatio : Int((roiW / Double(width)).rounded(.up))
            let count = Double(max(gridH * gridW, 1))
            // Each sample: four corners, as positions in the plane and bilinear weights.
            var positions: [Int] = [], weights: [Double] = []
            for ph in 0..<height {
                for pw in 0..<width {
                    for iy in 0..<max(gridH, 0) {
                        for ix in 0..<max(gridW, 0) {
                            var y = startH + Double(ph) * binH + (Double(iy) + 0.5) * binH / Double(gridH)
                            var xx = startW + Double(pw) * binW + (Double(ix) + 0.5) * binW / Double(gridW)
                            if y < -1 || y > Double(h) || xx < -1 || xx > Double(w) {
                                positions += [0, 0, 0, 0]
                                weights += [0, 0, 0, 0]
                                continue
                            }
                            y = max(y, 0); xx = max(xx, 0)
                            var yLow = Int(y), xLow = Int(xx), yHigh = yLow + 1, xHigh = xLow + 1
                            if yLow >= h - 1 { yLow = h - 1; yHigh = h - 1; y = Double(yLow) }
                            if xLow >= w - 1 { xLow = w - 1; xHigh = w - 1; xx = Double(xLow) }
                            let ly = y - Double(yLow), lx = xx - Double(xLow), hy = 1 - ly, hx = 1 - lx
                            positions += [yLow * w + xLow, yLow * w + xHigh, yHigh * w + xLow, yHigh * w + xHigh]
                            weights += [hy * hx, hy * lx, ly * hx, ly * lx]
                        }
                    }
                }
            }
            let perBin = max(gridH, 0) * max(gridW, 0)
            values.withUnsafeBufferPointer { values in
                for c in 0..<channels {
                    let plane = (batch * channels + c) * h * w
                    for bin in 0..<(height * width) {
                        var value = 0.0
                        for s in 0..<perBin {
                            let k = (bin * perBin + s) * 4
                            let v0 = weights[k] * values[plane + positions[k]], v1 = weights[k + 1] * values[plane + positions[k + 1]]
                            let v2 = weights[k + 2] * values[plane + positions[k + 2]], v3 = weights[k + 3] * values[plane + positions[k + 3]]
                            if maxMode {
                                let best = max(max(max(v0, v1), v2), v3)
                                value = s == 0 ? best : max(value, best)
                            } else {
                                value += v0 + v1 + v2 + v3
                            }
                        }
                        result[(r * channels + c) * height * width + bin] = maxMode ? value : value / count
                    }
                }
            }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: [batchIndices.count, channels, height, width])]
    }
}
