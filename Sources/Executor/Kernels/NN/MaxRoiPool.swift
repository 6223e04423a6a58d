import Foundation
import ModelIR

/// Region-of-interest max pooling (Fast R-CNN's RoI pooling): each region of X, given as
/// `[batch_index, x1, y1, x2, y2]` in input coordinates before `spatial_scale`, is rounded to whole
/// cells (half away from zero), cut into `pooled_shape` bins of `⌊·⌋`…`⌈·⌉` cells, and each bin takes
/// its largest value; a bin outside X is 0. The arithmetic is ONNX Runtime's (float bin sizes).
struct MaxRoiPool_1: TensorKernel {
    static let opType = "MaxRoiPool", sinceVersion = 1
    static let inputArity = 2...2
    let pooledHeight: Int, pooledWidth: Int, spatialScale: Float

    init(_ node: KernelNode) throws {
        let pooled = try node.requiredInts("pooled_shape")
        guard pooled.count == 2, pooled.allSatisfy({ $0 > 0 }) else {
            throw KernelError.invalidAttribute("pooled_shape must be two positive sizes, got \(pooled)")
        }
        (pooledHeight, pooledWidth) = (pooled[0], pooled[1])
        spatialScale = try node.float("spatial_scale", default: 1)
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), roisTensor = try inputs.required(1)
        guard x.rank == 4, roisTensor.rank == 2, roisTensor.shape[1] == 5 else {
            throw KernelError.invalidInput("X must be N×C×H×W and rois [num_rois, 5] (batch index, x1, y1, x2, y2), got \(x.shape) and \(roisTensor.shape)")
        }
        let (batches, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let values = try x.doubleValues(), rois = try roisTensor.floatValues()
        let count = roisTensor.shape[0]
        var result = [Double](repeating: 0, count: count * channels * pooledHeight * pooledWidth)
        for r in 0..<count {
            let roi = Array(rois[(r * 5)..<(r * 5 + 5)])
            let batch = Int(roi[0])
            guard batch >= 0 && batch < batches else { throw KernelError.invalidInput("roi \(r) names batch \(batch) of \(batches)") }
            func scaled(_ value: Float) -> Int { Int((value * spatialScale).rounded(.toNearestOrAwayFromZero)) }
            let (startW, startH, endW, endH) = (scaled(roi[1]), scaled(roi[2]), scaled(roi[3]), scaled(roi[4]))
            let binH = Float(max(endH - startH + 1, 1)) / Float(pooledHeight)
            let binW = Float(max(endW - startW + 1, 1)) / Float(pooledWidth)
            for c in 0..<channels {
                let plane = (batch * channels + c) * height * width
                for ph in 0..<pooledHeight {
                    let top = min(max(Int((Float(ph) * binH).rounded(.down)) + startH, 0), height)
                    let bottom = min(max(Int((Float(ph + 1) * binH).rounded(.up)) + startH, 0), height)
                    for pw in 0..<pooledWidth {
                        let left = min(max(Int((Float(pw) * binW).rounded(.down)) + startW, 0), width)
                        let right = min(max(Int((Float(pw + 1) * binW).rounded(.up)) + startW, 0), width)
                        guard bottom > top, right > left else { continue }
                        var largest = -Double.infinity
                        for h in top..<bottom {
                            for w in left..<right { largest = max(largest, values[plane + h * width + w]) }
                        }
                        result[((r * channels + c) * pooledHeight + ph) * pooledWidth + pw] = largest
                    }
                }
            }
        }
        return [try Tensor(name: "", converting: result, to: x.dataType, shape: [count, channels, pooledHeight, pooledWidth])]
    }
}
