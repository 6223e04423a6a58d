import Executor
import Foundation

/// Runs the cells of a plan, `settings.jobs` at a time, each in its own worker process so that a
/// cell that crashes or hangs fails alone: a worker past `settings.timeoutSeconds` is killed and
/// its cell recorded as an error at the stage it had reached; the run goes on.
///
/// A worker is this same program started with `workerArguments(jobFile)` (`CellWorker.run` on
/// the other side). Each worker's executor (and matrix library) gets `settings.threadsPerCell(cores:)` threads.
/// Cells the cell cache holds are taken from it here, without a worker. After all cells finish,
/// size and latency ratios are filled in from each model's fp32 cell.
public struct Runner: Sendable {
    public var manifest: Manifest
    public var plan: CellPlan
    /// `<out>/models`.
    public var modelsFolder: URL
    public var settings: RunSettings
    /// The program workers run; nil runs cells on threads of this process, without timeouts.
    public var executable: URL?
    public var workerArguments: @Sendable (String) -> [String]

    public init(manifest: Manifest, plan: CellPlan, modelsFolder: URL, settings: RunSettings,
                executable: URL? = nil, workerArguments: @escaping @Sendable (String) -> [String] = { ["run-cell", $0] }) {
        self.manifest = manifest
        self.plan = plan
        self.modelsFolder = modelsFolder
        self.settings = settings
        self.executable = executable
        self.workerArguments = workerArguments
    }

    /// Whether the cell must time the fp32 graph itself: its model's fp32 cell is not in this run.
    func needsFP32Latency(_ key: CellKey) -> Bool {
        guard let spec = manifest.pathSpec(key.path), !spec.isReference else { return false }
        return !plan.cells.contains { $0.model == key.model && manifest.pathSpec($0.path)?.isReference == true }
    }

    /// Runs every cell and returns the results in plan order; `progress` is called as each cell finishes.
    ///
    /// Once `stop` is requested, no further cell starts and running worker processes are stopped
    /// with their process groups (SIGTERM, then SIGKILL after `stopGraceSeconds` or at once when
    /// the stop is immediate; cells on threads finish), and only the cells that finished are
    /// returned, still in plan order.
    public func run(stop: RunStop? = nil, progress: (CellResult) -> Void = { _ in }) throws -> [CellResult] {
        let results = try executable.map { try runIsolated($0, stop: stop, progress: progress) }
            ?? runInProcess(stop: stop, progress: progress)
        return Self.fillingRatios(results, isReference: { manifest.pathSpec($0)?.isReference == true })
    }

    /// How long a stopped worker has to exit after SIGTERM before it is killed.
    public static let stopGraceSeconds = 2.0

    /// Ratios to each model's fp32 cell: size from its file, latency from its p50.
    static func fillingRatios(_ results: [CellResult], isReference: (String) -> Bool) -> [CellResult] {
        var fp32: [String: CellResult] = [:]
        for result in results where isReference(result.path) && result.error == nil { fp32[result.model] = result }
        return results.map { result in
            var result = result
            guard let reference = fp32[result.model] else { return result }
            if let size = result.size, let bytes = reference.size?.bytes { result.size = SizeMetrics(bytes: size.bytes, fp32Bytes: bytes) }
            if let latency = result.latency, let p50 = reference.latency?.p50Ms {
                result.latency = LatencyMetrics(warmupRuns: latency.warmupRuns, runs: latency.runs, p50Ms: latency.p50Ms,
                                                p90Ms: latency.p90Ms, meanMs: latency.meanMs, fp32P50Ms: p50)
            }
            return result
        }
    }

    // MARK: In process

    private func runInProcess(stop: RunStop?, progress: (CellResult) -> Void) -> [CellResult] {
        let previousThreads = ExecutorThreads.count
        ExecutorThreads.set(settings.threadsPerCell(cores: ProcessInfo.processInfo.activeProcessorCount))
        defer { ExecutorThreads.set(previousThreads) }
        let runner = CellRunner(manifest: manifest, modelsFolder: modelsFolder, settings: settings)
        let cells = plan.cells
        let fp32Latency = cells.map(needsFP32Latency)
        let state = SharedResults(count: cells.count)
        let workers = min(settings.jobs, max(cells.count, 1))
        var threads: [Thread] = []
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<workers {
            let thread = Thread {
                while stop?.isRequested != true, let index = state.next() {
                    state.store(runner.run(cells[index], measureFP32Latency: fp32Latency[index]), at: index)
                }
                done.signal()
            }
            thread.stackSize = 16 << 20
            threads.append(thread)
            thread.start()
        }
        var reported = 0
        var finished = 0
        while finished < workers {
            if done.wait(timeout: .now() + 0.05) == .success { finished += 1 }
            for result in state.drainFinished(after: &reported) { progress(result) }
        }
        for result in state.drainFinished(after: &reported) { progress(result) }
        if stop?.isRequested == true { return state.results.compactMap { $0 } }
        return state.results.enumerated().map { index, result in
            result ?? CellResult(model: cells[index].model, path: cells[index].path,
                                 error: CellError(stage: .load, message: "the cell did not run"))
        }
    }

    // MARK: Worker processes

    private final class Worker {
        let index: Int
        let process: WorkerProcess
        var killedForTimeout = false

        init(index: Int, process: WorkerProcess) {
            self.index = index
            self.process = process
        }
    }

    private func runIsolated(_ executable: URL, stop: RunStop?, progress: (CellResult) -> Void) throws -> [CellResult] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cells = plan.cells
        var results = [CellResult?](repeating: nil, count: cells.count)
        var lookups = [CellCacheLookup?](repeating: nil, count: cells.count)
        var next = 0
        var running: [Worker] = []
        var environment = ProcessInfo.processInfo.environment
        let threads = String(settings.threadsPerCell(cores: ProcessInfo.processInfo.activeProcessorCount))
        environment["OPENBLAS_NUM_THREADS"] = threads
        environment["OMP_NUM_THREADS"] = threads
        let encoder = CellWorker.encoder

        func errorResult(_ index: Int, stage: CellStage, message: String, seconds: Double) -> CellResult {
            let key = cells[index]
            let goldenModel = manifest.model(named: key.model)?.teacher
            let budget = manifest.model(named: key.model).map { manifest.budget(model: $0, path: key.path) } ?? Thresholds()
            return CellResult(model: key.model, path: key.path, goldenModel: goldenModel, error: CellError(stage: stage, message: message),
                              budget: budget, durationSeconds: seconds)
        }

        /// Starts the cell's worker; a cell whose worker cannot be started (its job file cannot be
        /// written: a full disk) becomes an error result and the run goes on.
        func start(_ index: Int) {
            let key = cells[index]
            let job = CellJob(manifest: manifest, model: key.model, path: key.path, modelsFolder: modelsFolder.path,
                              settings: settings, measureFP32Latency: needsFP32Latency(key), lookup: lookups[index])
            let jobFile = scratch.appendingPathComponent("cell-\(index).json")
            do {
                try encoder.encode(job).write(to: jobFile)
                let process = try WorkerProcess(executable: executable, arguments: workerArguments(jobFile.path), environment: environment,
                                                standardOutput: scratch.appendingPathComponent("cell-\(index).out"),
                                                standardError: scratch.appendingPathComponent("cell-\(index).err"))
                running.append(Worker(index: index, process: process))
            } catch {
                let result = errorResult(index, stage: .load, message: Self.workerNotStarted(scratch: scratch, error: error), seconds: 0)
                results[index] = result
                progress(result)
            }
        }

        func finish(_ worker: Worker) -> CellResult {
            let text = (try? String(contentsOf: worker.process.standardOutput, encoding: .utf8)) ?? ""
            let (stage, parsed) = CellWorker.parse(text)
            if let parsed, !worker.killedForTimeout { return parsed }
            let seconds = worker.process.seconds
            let reason: String
            if worker.killedForTimeout {
                reason = "timed out after \(Self.format(settings.timeoutSeconds)) s (--timeout)"
            } else {
                let log = worker.process.standardError.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
                let tail = log.split(separator: "\n").suffix(3).joined(separator: " | ")
                reason = "the worker process stopped (\(worker.process.termination)) without a result" + (tail.isEmpty ? "" : ": \(tail)")
            }
            return errorResult(worker.index, stage: stage ?? .load, message: reason, seconds: seconds)
        }

        let cellRunner = CellRunner(manifest: manifest, modelsFolder: modelsFolder, settings: settings)
        for index in cells.indices where stop?.isRequested != true {
            let (cached, lookup) = cellRunner.lookUp(cells[index])
            lookups[index] = lookup
            guard let cached else { continue }
            results[index] = cached
            progress(cached)
        }
        func collectEnded() {
            for worker in running.removeEnded(\.process) {
                let result = finish(worker)
                results[worker.index] = result
                progress(result)
            }
        }
        while next < cells.count || !running.isEmpty {
            if stop?.isRequested == true {
                collectEnded()
                stopWorkers(running.map(\.process), stop: stop)
                return results.compactMap { $0 }
            }
            while running.count < settings.jobs && next < cells.count {
                if results[next] == nil { start(next) }
                next += 1
            }
            Thread.sleep(forTimeInterval: 0.02)
            let now = Date()
            for worker in running where worker.process.isRunning && now.timeIntervalSince(worker.process.started) > settings.timeoutSeconds {
                worker.killedForTimeout = true
                worker.process.signal(SIGKILL)
            }
            collectEnded()
        }
        return results.enumerated().map { index, result in
            result ?? CellResult(model: cells[index].model, path: cells[index].path,
                                 error: CellError(stage: .load, message: "the cell did not run"))
        }
    }

    /// Sends SIGTERM to every worker still running, waits up to `stopGraceSeconds` (or until the
    /// stop turns immediate), then kills the rest.
    private func stopWorkers(_ processes: [WorkerProcess], stop: RunStop?) {
        for process in processes where process.isRunning { process.signal(SIGTERM) }
        let deadline = Date().addingTimeInterval(Self.stopGraceSeconds)
        while processes.contains(where: \.isRunning) && Date() < deadline && stop?.isImmediate != true {
            Thread.sleep(forTimeInterval: 0.02)
        }
        for process in processes where process.isRunning { process.signal(SIGKILL) }
        for process in processes { process.wait() }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    /// Why a cell's worker did not start, naming the scratch folder and what to do: the operating
    /// system's reason (`No space left on device`) where the error carries one.
    static func workerNotStarted(scratch: URL, error: any Error) -> String {
        let nsError = error as NSError
        let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        let code = underlying?.domain == NSPOSIXErrorDomain ? underlying?.code : (nsError.domain == NSPOSIXErrorDomain ? nsError.code : nil)
        let reason = code.flatMap { POSIXErrorCode(rawValue: Int32($0)) }.map { String(cString: strerror($0.rawValue)) }
            ?? nsError.localizedDescription
        return "the cell's worker could not be started: writing its job file in \(scratch.path) failed (\(reason)); "
            + "free space there or set TMPDIR to a folder with room (--keep-models failed keeps the report folder small)"
    }
}

/// Results written by worker threads and read by the thread that reports progress.
private final class SharedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var finishedOrder: [Int] = []
    private(set) var results: [CellResult?]

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < results.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func store(_ result: CellResult, at index: Int) {
        lock.lock(); defer { lock.unlock() }
        results[index] = result
        finishedOrder.append(index)
    }

    func drainFinished(after reported: inout Int) -> [CellResult] {
        lock.lock(); defer { lock.unlock() }
        let fresh = finishedOrder[reported...].compactMap { results[$0] }
        reported = finishedOrder.count
        return fresh
    }
}
