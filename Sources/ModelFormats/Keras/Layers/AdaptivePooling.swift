import ModelIR

/// `AdaptiveAveragePooling1D/2D/3D`, `AdaptiveMaxPooling1D/2D/3D`: each spatial axis of size n is
/// pooled to `output_size` m in windows [⌊j·n/m⌋, ⌈(j+1)·n/m⌉) (Keras 3.15's windows, those of
/// PyTorch), one axis after another: the average as a MatMul with an [n, m] matrix of window
/// weights, the maximum as a ReduceMax per window. Both `data_format`s are honoured; the spatial
/// sizes must be known.
enum AdaptivePoolingMapper: KerasLayerMapper {
    static let classNames = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
                             "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        let spatial = Int(String(call.className.suffix(2).prefix(1))) ?? 0
        guard x.rank == spatial + 2 else { throw call.invalid("expects an input of rank \(spatial + 2), got \(x.shape)") }
        let format = call.string("data_format", default: "channels_last")
        guard ["channels_last", "channels_first"].contains(format) else {
            throw call.unsupported("data_format='\(format)'", "use channels_last or channels_first")
        }
        let outputSize = try call.positiveInts("output_size", count: spatial)
        let firstAxis = format == "channels_last" ? 1 : 2
        let isMax = call.className.hasPrefix("AdaptiveMax")
        let graph = call.graph
        var current = x.name
        var shape = x.shape
        for (offset, size) in outputSize.enumerated() {
            let axis = firstAxis + offset
            guard let length = shape[axis] else { throw call.unsupported("an unknown spatial size", "give the input fixed spatial sizes") }
            let windows = (0..<size).map { j in
                (start: min(j * length / size, length - 1), end: min((j * length + length + size - 1) / size, length))
            }
            let what = "axis\(axis)"
            if isMax {
                let pieces = windows.enumerated().map { j, window in
                    graph.reduce("ReduceMax", graph.op("Slice", [current, graph.int64s([window.start]), graph.int64s([window.end]), graph.int64s([axis])],
                                                      hint: call.hint("\(what)/window\(j)")),
                                 axes: [axis], keepDims: true, hint: call.hint("\(what)/max\(j)"))
                }
                current = pieces.count == 1 ? pieces[0] : graph.op("Concat", pieces, [.int("axis", axis)], hint: call.hint("\(what)/pooled"))
            } else {
                var weights = [Float](repeating: 0, count: length * size)
                for (j, window) in windows.enumerated() {
                    for i in window.start..<window.end { weights[i * size + j] = 1 / Float(window.end - window.start) }
                }
                let matrix = try graph.floats("\(call.scopedName)/\(what)/window_weights", weights, shape: [length, size])
                var perm = Array(0..<x.rank)
                perm.swapAt(axis, x.rank - 1)
                let moved = graph.transpose(current, perm: perm, hint: call.hint("\(what)/last"))
                let pooled = graph.op("MatMul", [moved, matrix], hint: call.hint("\(what)/pooled"))
                current = graph.transpose(pooled, perm: perm, hint: call.hint("\(what)/back"))
            }
            shape[axis] = size
        }
        return [KerasValue(name: current, shape: shape, layout: .native, dataType: x.dataType)]
    }
}
