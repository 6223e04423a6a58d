import Executor
import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import Passes

/// Runs one model × path cell in this process, step by step (docs/architecture.md, "How one cell runs"):
/// load the source and golden file, apply the path, save `<models>/<model>/<path>.onnx`, check
/// it, execute the golden inputs, compare, diagnose a failure against the fp32 graph, and
/// measure size and latency. The first failing stage ends the cell and is recorded in its result.
public struct CellRunner: Sendable {
    public var manifest: Manifest
    /// `<out>/models`: converted models are written to `<model>/<path>.onnx` under it.
    public var modelsFolder: URL
    public var settings: RunSettings

    public init(manifest: Manifest, modelsFolder: URL, settings: RunSettings = RunSettings()) {
        self.manifest = manifest
        self.modelsFolder = modelsFolder
        self.settings = settings
    }

    /// The file a cell's converted model is saved to.
    public func modelFile(_ key: CellKey) -> URL {
        modelsFolder.appendingPathComponent(key.model).appendingPathComponent("\(key.path).onnx")
    }

    /// Runs `key`.
    ///
    /// - Parameters:
    ///   - lookup: the cell's cache keys when the caller has made them and found no cached result
    ///     (`Runner` hands them to its workers); nil makes them here and looks for the result first.
    ///   - measureFP32Latency: also time the fp32 graph, for a cell whose model's fp32 cell is not
    ///     part of the run (a shard, or `--paths` without fp32).
    ///   - onStage: called as each stage starts.
    public func run(_ key: CellKey, lookup: CellCacheLookup? = nil, measureFP32Latency: Bool = false,
                    onStage: (CellStage) -> Void = { _ in }) -> CellResult {
        // External commands stop a little before the runner would stop the whole cell.
        let deadline = Date().addingTimeInterval(settings.timeoutSeconds - min(1, settings.timeoutSeconds / 10))
        let clock = ContinuousClock()
        let started = clock.now
        guard let entry = manifest.model(named: key.model), let spec = manifest.pathSpec(key.path) else {
            return CellResult(model: key.model, path: key.path,
                              error: CellError(stage: .load, message: "\(manifest.file): no model '\(key.model)' with path '\(key.path)'"))
        }
        let goldenEntry = manifest.goldenModel(for: entry)
        var r = CellResult(model: entry.name, path: key.path, goldenModel: entry.teacher, budget: manifest.budget(model: entry, path: key.path))
        let seconds = { () -> Double in
            (clock.now - started).seconds
        }
        func finish(_ result: CellResult) -> CellResult {
            var result = result
            result.durationSeconds = seconds()
            return result
        }
        let file = modelFile(key)
        let cache = settings.cacheFolder.map { CellCache(folder: URL(fileURLWithPath: $0)) }
        let keys = lookup.map(\.keys) ?? cacheKeys(key)
        if lookup == nil, let cache, let keys, !settings.remeasureLatency, let cached = cache.reusedResult(keys, modelFile: file) {
            discardModelUnlessKept(cached, key: key)
            return finish(cached)
        }

        onStage(.load)
        guard let fp32 = r.run(.load, { try ModelLoader.load(entry.sourceURL) }),
              let golden = r.run(.load, {
                  try GoldenFile.load(besideModel: goldenEntry.sourceURL,
                                      graph: { goldenEntry == entry ? fp32.graph : try ModelLoader.load(goldenEntry.sourceURL).graph })
              }) else { return finish(r) }
        let detectorMatch = OutputMatch.detectorOutputs(of: fp32, golden: golden.outputs)

        onStage(.convert)
        let budget = r.budget
        let converted = r.run(.convert) { () throws -> (Model, [Finding], QuantizationSensitivity?, Bool) in
            if let cache, let keys, let reused = cache.reusedConversion(keys, modelFile: file) {
                let model = try ONNXModelFile.decode(reused.model, file: file.path, directory: file.deletingLastPathComponent())
                return (model, reused.findings, reused.sensitivity, true)
            }
            let work = file.deletingLastPathComponent().appendingPathComponent(".work-\(key.path)")
            let judge = spec.quantizesStatically ? ExecutorQuantizationJudge(
                inputs: golden.inputs, file: golden.displayName, golden: .init(outputs: golden.outputs, labels: golden.labels),
                tolerance: { manifest.tolerance(model: entry, path: key.path, output: $0, detectorMatch: detectorMatch[$0]) }, budget: budget, batchSize: settings.batchSize) : nil
            let options = manifest.passOptions(model: entry, path: key.path)
            let applier = PathApplier(spec: spec, sourceURL: entry.sourceURL, workFolder: work, deadline: deadline, judge: judge, options: options,
                                      calibrationSamples: {
                                          try ModelOptimizer.defaultCalibrationFile(for: entry.sourceURL).map(ModelOptimizer.loadCalibrationSamples)
                                      })
            let (model, findings, sensitivity) = try applier.apply(to: fp32)
            try? FileManager.default.removeItem(at: work)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ONNXModelFile.save(model, to: file)
            if let cache, let keys { cache.storeQuietly(conversion: keys.conversion, model: file, findings: findings, sensitivity: sensitivity) }
            return (try ONNXModelFile.load(file), findings, sensitivity, false)
        }
        guard let (model, passFindings, sensitivity, reused) = converted else { return finish(r) }
        r.quantization = sensitivity
        if reused { r.cache = .conversion }

        onStage(.check)
        let report = GraphChecker().check(model)
        r.findings = passFindings + report.findings
        let checked: Void? = r.run(.check) {
            let errors = report.errors
            if !errors.isEmpty {
                throw CellStageFailure("\(file.lastPathComponent) is not a valid ONNX model: "
                                       + errors.prefix(3).map { ($0.node.map { "node '\($0)': " } ?? "") + $0.message }.joined(separator: "; ")
                                       + (errors.count > 3 ? " (+\(errors.count - 3) more)" : ""))
            }
        }
        guard checked != nil else { return finish(r) }

        onStage(.execute)
        let executed = r.run(.execute) { () throws -> (Evaluator, [String: Tensor], [(name: String, tensor: Tensor)]) in
            let evaluator = try Evaluator(model: model)
            let feeds = try SampleBatches.feeds(for: evaluator.requiredInputs, from: golden.inputs, file: golden.displayName)
            let outputs = try SampleBatches(evaluator: evaluator, batchSize: settings.batchSize).run(feeds)
            return (evaluator, feeds, outputs)
        }
        guard let (evaluator, feeds, outputs) = executed else { return finish(r) }

        onStage(.compare)
        let precision = ModelPrecision.of(model)
        r.budget = manifest.budget(model: entry, path: key.path, precision: precision)
        let tolerance = { (output: String) in manifest.tolerance(model: entry, path: key.path, output: output, precision: precision,
                                                                  detectorMatch: detectorMatch[output]) }
        let fp32Outputs: [(name: String, tensor: Tensor)]? = spec.isReference ? outputs : nil
        let comparison = r.run(.compare) { () throws -> GoldenComparison.Result in
            try GoldenComparison.compare(actual: outputs, golden: golden.outputs, labels: golden.labels, thresholds: tolerance) {
                try NoiseFloorMeter(batchSize: settings.batchSize)
                    .measure(fp32: fp32, model: entry.name, inputs: golden.inputs, file: golden.displayName,
                             match: { tolerance($0).match ?? .elements }, float32: fp32Outputs, golden: golden.outputs)
            }
        }
        guard let comparison else { return finish(r) }
        r.outputs = comparison.outputs
        r.accuracy = comparison.accuracy

        onStage(.size)
        let size = r.run(.size) { () throws -> SizeMetrics in
            let bytes = try Self.fileSize(file)
            return SizeMetrics(bytes: bytes, fp32Bytes: spec.isReference ? bytes : try ONNXModelFile.encode(fp32).count)
        }
        guard let size else { return finish(r) }
        r.size = size
        r.weightErrors = spec.isReference ? nil : WeightComparison.compare(reference: fp32, model: model)

        if !spec.isReference, Gates().verdict(for: r).status == .fail {
            onStage(.diagnose)
            let judged = r.outputs.first { $0.noiseFloor != nil } ?? r.outputs.first
            let threshold = DivergenceLocator.thresholdSNRdB(judged?.thresholds ?? tolerance(""), noiseFloor: judged?.noiseFloor)
            let diagnosed = r.run(.diagnose) { () throws -> Diagnosis in
                let reference = try Evaluator(model: fp32)
                var subset: [String: Tensor] = [:]
                let count = min(settings.diagnosisSamples, feeds.values.map { $0.shape.first ?? 1 }.min() ?? 1)
                let fixed = SampleBatches.fixedBatch(of: evaluator.requiredInputs)
                for (name, tensor) in feeds {
                    subset[name] = try SampleBatches.rows(of: tensor, from: 0, to: fixed.map { min($0, count) } ?? count, paddedTo: fixed)
                }
                return try DivergenceLocator().diagnose(reference: reference, model: evaluator, feeds: subset, thresholdSNRdB: threshold)
            }
            guard let diagnosed else { return finish(r) }
            r.diagnosis = diagnosed
        }

        onStage(.latency)
        let latency = r.run(.latency) { () throws -> LatencyMetrics? in
            var single: [String: Tensor] = [:]
            let fixed = SampleBatches.fixedBatch(of: evaluator.requiredInputs) ?? 1
            for (name, tensor) in feeds { single[name] = try SampleBatches.rows(of: tensor, from: 0, to: 1, paddedTo: fixed) }
            func measured(_ timedFeeds: [String: Tensor]) throws -> LatencyMetrics? {
                var fp32P50: Double?
                if measureFP32Latency && !spec.isReference {
                    let reference = try Evaluator(model: fp32)
                    let fp32Feeds = try SampleBatches.feeds(for: reference.requiredInputs, from: timedFeeds, file: golden.displayName)
                    fp32P50 = try timed(reference, fp32Feeds)?.p50Ms
                }
                return try timed(evaluator, timedFeeds, fp32P50Ms: fp32P50)
            }
            do {
                return try measured(single)
            } catch let error as ExecutionError {
                // An export that fixed its batch inside its computation runs only the batch it was traced with.
                guard let batch = feeds.values.first?.shape.first, batch > fixed, feeds.values.allSatisfy({ $0.shape.first == batch }) else { throw error }
                var metrics = try measured(feeds)
                metrics?.batch = batch
                return metrics
            }
        }
        r.latency = latency ?? nil
        let result = finish(r)
        if let cache, let keys, result.error == nil { cache.storeQuietly(result: result, key: keys.result) }
        discardModelUnlessKept(result, key: key)
        return result
    }

    /// Removes the cell's converted model (and its model's folder once empty) when the run's
    /// `keptModels` does not keep it.
    func discardModelUnlessKept(_ result: CellResult, key: CellKey) {
        guard settings.keptModels != .all, !settings.keptModels.keeps(Gates().verdict(for: result)) else { return }
        let file = modelFile(key), folder = file.deletingLastPathComponent(), files = FileManager.default
        for name in (try? files.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(file.lastPathComponent) {
            try? files.removeItem(at: folder.appendingPathComponent(name))
        }
        if (try? files.contentsOfDirectory(atPath: folder.path))?.isEmpty == true { try? files.removeItem(at: folder) }
    }

    /// The cell's cache keys, or nil when there is no cache folder or the cell is not cacheable
    /// (a path with an external step, or a source that cannot be read).
    public func cacheKeys(_ key: CellKey) -> CellCacheKeys? {
        guard settings.cacheFolder != nil, let entry = manifest.model(named: key.model) else { return nil }
        return try? CellCacheKeys.make(manifest: manifest, model: entry, path: key.path, settings: settings)
    }

    /// Looks `key` up in the cell cache: its cached result (model copied into place, marked
    /// `.result`) when there is one and latency is not to be measured again, else what a worker
    /// needs to go on without making the keys again.
    public func lookUp(_ key: CellKey) -> (result: CellResult?, lookup: CellCacheLookup) {
        let keys = cacheKeys(key)
        guard let folder = settings.cacheFolder, let keys, !settings.remeasureLatency else { return (nil, CellCacheLookup(keys: keys)) }
        let started = ContinuousClock.now
        guard var result = CellCache(folder: URL(fileURLWithPath: folder)).reusedResult(keys, modelFile: modelFile(key)) else {
            return (nil, CellCacheLookup(keys: keys))
        }
        result.durationSeconds = (ContinuousClock.now - started).seconds
        discardModelUnlessKept(result, key: key)
        return (result, CellCacheLookup(keys: keys))
    }

    private func timed(_ evaluator: Evaluator, _ feeds: [String: Tensor], fp32P50Ms: Double? = nil) throws -> LatencyMetrics? {
        let sampler = LatencySampler(warmupRuns: settings.warmupRuns, timedRuns: settings.latencyRuns, budgetSeconds: settings.latencyBudgetSeconds)
        let measured = try sampler.measure { _ = try evaluator.run(tensors: feeds) }
        return LatencyMetrics(samplesMs: measured.samplesMs, warmupRuns: measured.warmupRuns, fp32P50Ms: fp32P50Ms)
    }

    static func fileSize(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}

/// A stage's failure described by the runner itself (as opposed to an error from a library).
struct CellStageFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
