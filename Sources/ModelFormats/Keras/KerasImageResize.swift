import ModelIR

/// Keras 3's `ops.image.resize` on TensorFlow (what `Resizing`, `CenterCrop` and the `image.Resize`
/// operation run): an optional centre crop (`crop_to_aspect_ratio`) or symmetric padding with
/// `fill_value` (`pad_to_aspect_ratio`) to the target's aspect ratio, then `tf.image.resize` without
/// antialiasing. Its bilinear kernel samples at half-pixel centres with edge taps clamped (ONNX
/// Resize, `half_pixel`); its nearest neighbour takes source pixel ⌊(i + ½)·in/out⌋ (a Gather of
/// those indices); its bicubic kernel (Keys, a = −0.5, at half-pixel centres) reads its weights from
/// a table of 1024 steps, drops taps outside the image and renormalizes the rest, which ONNX Resize
/// does not reproduce: it is two MatMuls by the interpolation matrices, computed here as TensorFlow
/// computes them.
struct KerasImageResize {
    var height: Int
    var width: Int
    var interpolation: String
    var cropToAspectRatio = false
    var padToAspectRatio = false
    var fillValue: Double = 0

    static let interpolations = ["bilinear", "nearest", "bicubic"]

    /// The options of a `Resizing` layer or an `image.Resize` operation, whose size is `size`.
    init(_ call: KerasLayerCall, size: [Int]) throws(KerasImportError) {
        guard size.count == 2, size.allSatisfy({ $0 >= 1 }) else { throw call.invalid("the target size \(size) is not two positive integers") }
        height = size[0]
        width = size[1]
        interpolation = call.parameter("interpolation")?.string ?? "bilinear"
        cropToAspectRatio = call.parameter("crop_to_aspect_ratio")?.bool ?? false
        padToAspectRatio = call.parameter("pad_to_aspect_ratio")?.bool ?? false
        fillValue = call.parameter("fill_value")?.double ?? 0
        guard KerasImageResize.interpolations.contains(interpolation) else {
            throw call.unsupported("interpolation='\(interpolation)'", "use one of \(KerasImageResize.interpolations.joined(separator: ", "))")
        }
        if call.parameter("antialias")?.bool == true { throw call.unsupported("antialias=True", "use antialias=False (the default)") }
        let fillMode = call.parameter("fill_mode")?.string ?? "constant"
        guard fillMode == "constant" else { throw call.unsupported("fill_mode='\(fillMode)'", "use fill_mode='constant'") }
        let format = call.parameter("data_format")?.string ?? "channels_last"
        guard format == "channels_last" else { throw call.unsupported("data_format='\(format)'", "use data_format='channels_last'") }
    }

    init(height: Int, width: Int, interpolation: String, cropToAspectRatio: Bool) {
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.cropToAspectRatio = cropToAspectRatio
    }

    /// `x` ([batch, height, width, channels], float, known height and width) resized; channels first.
    func apply(to x: KerasValue, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        guard x.rank == 4, let inputHeight = x.shape[1], let inputWidth = x.shape[2] else {
            throw call.unsupported("resizing an input of shape \(x.shape)", "resize batches of images [batch, height, width, channels] of known size")
        }
        guard x.dataType.isFloatingPoint else { throw call.unsupported("resizing \(x.dataType) images", "cast the images to float32 first") }
        let graph = call.graph
        var image = x.with(name: graph.channelsFirst(x), layout: .channelsFirst)
        var sizes = [inputHeight, inputWidth]
        if cropToAspectRatio {
            let crop = KerasImageResize.aspectCrop(height: inputHeight, width: inputWidth, targetHeight: height, targetWidth: width)
            image = KerasImageResize.slice(image, starts: crop.starts, sizes: crop.sizes, call: call)
            sizes = crop.sizes
        } else if padToAspectRatio {
            let paddedHeight = max(inputHeight, Int(Double(inputWidth * height) / Double(width)))
            let paddedWidth = max(inputWidth, Int(Double(inputHeight * width) / Double(height)))
            let top = (paddedHeight - inputHeight) / 2
            let left = (paddedWidth - inputWidth) / 2
            if top > 0 || left > 0 {
                let fill = try call.constantTensor(KerasConstant(values: [fillValue], shape: [], isFloat: true), as: x.dataType, what: "fill_value")
                let pads = graph.int64s([0, 0, top, left, 0, 0, top, left])
                image = image.with(name: graph.op("Pad", [image.name, pads, fill], [.string("mode", "constant")], hint: call.hint("pad_to_aspect_ratio")))
                sizes = [inputHeight + 2 * top, inputWidth + 2 * left]
            }
        }
        let output: String
        if sizes == [height, width] {
            output = image.name
        } else if interpolation == "nearest" {
            var gathered = image.name
            for (axis, (source, target)) in zip(sizes, [height, width]).enumerated() {
                let scale = Float(source) / Float(target)
                let indices = (0..<target).map { min(Int((Float($0) + 0.5) * scale), source - 1) }
                let tensor = (try? Tensor(name: "", shape: [target], scalars: indices.map { Int64($0) })) ?? Tensor(name: "", scalar: Int64(0))
                let indexName = graph.initializer("\(call.scopedName)/nearest_\(axis == 0 ? "rows" : "columns")", tensor)
                gathered = graph.op("Gather", [gathered, indexName], [.int("axis", axis + 2)], hint: call.hint("nearest"))
            }
            output = gathered
        } else if interpolation == "bicubic" {
            let columns = try graph.floats("\(call.scopedName)/bicubic_columns",
                                           KerasImageResize.bicubicMatrix(input: sizes[1], output: width, transposed: true), shape: [sizes[1], width])
            let rows = try graph.floats("\(call.scopedName)/bicubic_rows",
                                        KerasImageResize.bicubicMatrix(input: sizes[0], output: height, transposed: false), shape: [height, sizes[0]])
            let across = graph.op("MatMul", [image.name, columns], hint: call.hint("bicubic_columns"))
            output = graph.op("MatMul", [rows, across], hint: call.hint("bicubic"))
        } else {
            // `sizes` rather than `scales`: a scale such as 40/48 gives floor(48 · 0.8333…) = 39 rows.
            let leading = graph.op("Slice", [graph.op("Shape", [image.name], hint: call.hint("shape")), graph.int64s([0]), graph.int64s([2])],
                                   hint: call.hint("batch_and_channels"))
            let targetSizes = graph.op("Concat", [leading, graph.int64s([height, width])], [.int("axis", 0)], hint: call.hint("sizes"))
            output = graph.op("Resize", [image.name, "", "", targetSizes], [.string("coordinate_transformation_mode", "half_pixel"), .string("mode", "linear")],
                              hint: call.hint("Resize"))
        }
        return KerasValue(name: output, shape: [nil, height, width, x.shape[3]], layout: .channelsFirst, dataType: x.dataType)
    }

    /// TensorFlow's bicubic interpolation from `input` to `output` samples as an [output, input]
    /// matrix (or [input, output] `transposed`): source position (i + ½)·in/out − ½ in float32, the
    /// four Keys weights (a = −0.5) looked up at the nearest of 1024 steps of its fraction, taps
    /// outside the input dropped and the others divided by their sum.
    static func bicubicMatrix(input: Int, output: Int, transposed: Bool) -> [Float] {
        let steps = 1024
        let a = -0.5
        var table = [Float](repeating: 0, count: (steps + 1) * 2)
        for index in 0...steps {
            var x = Float(Double(index) / Double(steps))
            table[index * 2] = Float(((a + 2) * Double(x) - (a + 3)) * Double(x) * Double(x) + 1)
            x += 1
            table[index * 2 + 1] = Float(((a * Double(x) - 5 * a) * Double(x) + 8 * a) * Double(x) - 4 * a)
        }
        let scale = Float(input) / Float(output)
        var matrix = [Float](repeating: 0, count: input * output)
        for target in 0..<output {
            let position = (Float(target) + 0.5) * scale - 0.5
            let base = Int(position.rounded(.down))
            let offset = Int(((position - Float(base)) * Float(steps)).rounded(.toNearestOrEven))
            let taps = [(base - 1, table[offset * 2 + 1]), (base, table[offset * 2]), (base + 1, table[(steps - offset) * 2]),
                        (base + 2, table[(steps - offset) * 2 + 1])].filter { (0..<input).contains($0.0) }
            let sum = taps.reduce(Float(0)) { $0 + $1.1 }
            for (source, weight) in taps {
                let normalized = abs(sum) >= 1000 * Float.leastNormalMagnitude ? weight / sum : weight
                matrix[transposed ? source * output + target : target * input + source] += normalized
            }
        }
        return matrix
    }

    /// The centred window of the target's aspect ratio, as Keras's `smart_resize` and
    /// `crop_to_aspect_ratio` cut it: starts and sizes along height and width.
    static func aspectCrop(height: Int, width: Int, targetHeight: Int, targetWidth: Int) -> (starts: [Int], sizes: [Int]) {
        let cropHeight = max(min(height, Int(Double(width * targetHeight) / Double(targetWidth))), 1)
        let cropWidth = max(min(width, Int(Double(height * targetWidth) / Double(targetHeight))), 1)
        return ([(height - cropHeight) / 2, (width - cropWidth) / 2], [cropHeight, cropWidth])
    }

    /// `image` cut to `sizes` from `starts` along its height and width, in its own layout.
    static func slice(_ image: KerasValue, starts: [Int], sizes: [Int], call: KerasLayerCall) -> KerasValue {
        guard starts != [0, 0] || sizes.map(Optional.init) != Array(image.shape[1...2]) else { return image }
        let graph = call.graph
        let axes = [image.onnxAxis(1), image.onnxAxis(2)]
        let output = graph.op("Slice", [image.name, graph.int64s(starts), graph.int64s(zip(starts, sizes).map { $0 + $1 }), graph.int64s(axes)],
                              hint: call.hint("crop"))
        var shape = image.shape
        shape[1] = sizes[0]
        shape[2] = sizes[1]
        return image.with(name: output, shape: shape)
    }
}
