import Passes

extension OptimizationPath.Component {
    /// The thresholds a built-in path component gets when `corpus.yml` sets none: the lossless
    /// ones are judged against the model's noise floor (`NoiseFloor`), the lossy ones by
    /// task-level measures (cosine, accuracy), since their error is by design far above float32
    /// rounding; `fp16` may also pass on the float16 floor (`max_fp16_floor_ratio`). Every
    /// `prune-<N>` and every `prune-channels-<N>` share one default.
    public var defaultThresholds: Thresholds {
        switch self {
        case .fp32, .fused:
            Thresholds([.maxFloorRatio: Self.floorRatio])
        case .fp16:
            Thresholds([.minCosine: 0.999, .maxFP16FloorRatio: Self.fp16FloorRatio, .maxAccuracyLoss: 0.005])
        case .int8Dynamic, .int8Static, .int8Auto:
            Thresholds([.minCosine: 0.99, .maxAccuracyLoss: 0.01])
        case .prune:
            Thresholds([.minCosine: 0.95, .maxAccuracyLoss: 0.02])
        case .pruneChannels:
            Thresholds([.minCosine: 0.9, .maxAccuracyLoss: 0.03])
        }
    }

    /// The `min_detection_agreement` an output paired by detections (`match: detections` or
    /// `detection_values`) gets on this component when `corpus.yml` sets none: every detection
    /// keeps its counterpart through a lossless path; a lossy one may move a box across NMS or the
    /// score threshold now and then (float16 on SSDLite: one box of 300).
    public var defaultDetectionAgreement: Double {
        switch self {
        case .fp32, .fused: 1
        case .fp16, .int8Dynamic, .int8Static, .int8Auto, .prune, .pruneChannels: Self.lossyDetectionAgreement
        }
    }

    /// The `min_detection_agreement` of the lossy paths: 95 % of the detections keep a counterpart.
    public static let lossyDetectionAgreement = 0.95

    /// The default `max_floor_ratio` of the lossless paths: the golden outputs and the cell's are
    /// two float32 executions, each about one floor from the exact values, in other summation
    /// orders. Measured on Keras InceptionV3, ResNet50, EfficientNetB0 and torchvision resnet18,
    /// correct fp32 and fused cells land at 0.5–5.2× (ONNX Runtime on the same files 0.5–4.3×);
    /// torchvision RetinaNet's boxes and scores at 9.6× and 11.1×, ONNX Runtime at 10.6× and 13.9×
    /// (PyTorch's own float32 run is the farther one from exact). Injected conversion bugs land at
    /// 26× and above (the mutation benchmark's caught mutants: 37.9× and above; none between 8×
    /// and 16×).
    public static let floorRatio = 16.0

    /// The default `max_fp16_floor_ratio` of `fp16`: a model whose float16 arithmetic alone loses
    /// more than `min_cosine` allows still passes when its error is within what float16 explains
    /// (`NoiseFloor.float16Allowance`). Correct fp16 files land at 0.2–0.5× of it.
    public static let fp16FloorRatio = 1.0
}
