import Foundation
import ModelFormats

/// Runs conformance cases in worker processes, so that a case that crashes or hangs the executor
/// fails alone: the worker is restarted after it and the run goes on.
///
/// A worker is this same program started with `workerArguments(listFile)`; it reads a list of
/// cases (one `name<TAB>folder` per line), runs them in order, and prints one JSON
/// `ConformanceResult` per line on its standard output (`ConformanceWorker.run`).
public struct IsolatedConformanceRunner: Sendable {
    public var executable: URL
    public var workerArguments: @Sendable (String) -> [String]
    public var jobs: Int
    /// A case running longer than this is stopped and fails.
    public var caseTimeout: TimeInterval
    public var batchSize = 64

    public init(executable: URL, jobs: Int, caseTimeout: TimeInterval, workerArguments: @escaping @Sendable (String) -> [String]) {
        self.executable = executable
        self.jobs = max(1, jobs)
        self.caseTimeout = caseTimeout
        self.workerArguments = workerArguments
    }

    private final class Worker {
        let process: WorkerProcess
        let batch: [ConformanceCase]
        var lastSize: UInt64 = 0
        var lastProgress = Date()
        var killedForTimeout = false

        init(process: WorkerProcess, batch: [ConformanceCase]) {
            self.process = process
            self.batch = batch
        }
    }

    /// Runs `cases` and returns their results in the order of `cases`.
    public func run(_ cases: [ConformanceCase], progress: ((ConformanceResult) -> Void)? = nil) throws -> [ConformanceResult] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var queue = cases[...]
        var results: [String: ConformanceResult] = [:]
        var running: [Worker] = []
        var counter = 0

        func start() throws {
            let batch = Array(queue.prefix(batchSize))
            queue = queue.dropFirst(batch.count)
            counter += 1
            let list = scratch.appendingPathComponent("cases-\(counter).txt")
            let output = scratch.appendingPathComponent("results-\(counter).jsonl")
            try batch.map { "\($0.name)\t\($0.directory.path)" }.joined(separator: "\n").write(to: list, atomically: false, encoding: .utf8)
            let process = try WorkerProcess(executable: executable, arguments: workerArguments(list.path),
                                            standardOutput: output, standardError: nil)
            running.append(Worker(process: process, batch: batch))
        }

        func finish(_ worker: Worker) {
            let text = (try? String(contentsOf: worker.process.standardOutput, encoding: .utf8)) ?? ""
            var done = Set<String>()
            let decoder = JSONDecoder()
            for line in text.split(separator: "\n") {
                guard let result = try? decoder.decode(ConformanceResult.self, from: Data(line.utf8)) else { continue }
                if results[result.name] == nil { progress?(result) }
                results[result.name] = result
                done.insert(result.name)
            }
            let remaining = worker.batch.filter { !done.contains($0.name) }
            if let failed = remaining.first {
                let reason = worker.killedForTimeout
                    ? "timed out after \(Int(caseTimeout)) s"
                    : "the executor crashed on this case (\(worker.process.termination))"
                let model = try? ONNXModelFile.load(failed.directory.appendingPathComponent("model.onnx"))
                let result = ConformanceResult(name: failed.name, operators: model.map(ConformanceCase.operators) ?? [],
                                               passed: false, reason: reason, seconds: 0)
                results[failed.name] = result
                progress?(result)
                queue = remaining.dropFirst() + queue
            }
        }

        while !queue.isEmpty || !running.isEmpty {
            while running.count < jobs && !queue.isEmpty { try start() }
            Thread.sleep(forTimeInterval: 0.02)
            let now = Date()
            for worker in running where worker.process.isRunning {
                let size = (try? FileManager.default.attributesOfItem(atPath: worker.process.standardOutput.path)[.size] as? UInt64) ?? 0
                if size != worker.lastSize {
                    worker.lastSize = size
                    worker.lastProgress = now
                } else if now.timeIntervalSince(worker.lastProgress) > caseTimeout {
                    worker.killedForTimeout = true
                    worker.process.signal(SIGKILL)
                }
            }
            for worker in running.removeEnded(\.process) { finish(worker) }
        }
        return cases.map { results[$0.name] ?? ConformanceResult(name: $0.name, operators: [], passed: false, reason: "not run", seconds: 0) }
    }

}

/// The worker side of `IsolatedConformanceRunner`.
public enum ConformanceWorker {
    /// Runs the cases listed in `listFile`, printing one JSON result per line and flushing after each.
    public static func run(listFile: String, comparison: ValueComparison = ValueComparison()) throws {
        let text = try String(contentsOfFile: listFile, encoding: .utf8)
        let encoder = JSONEncoder()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let testCase = ConformanceCase(directory: URL(fileURLWithPath: String(parts[1])), name: String(parts[0]))
            let result = testCase.run(comparison: comparison)
            var data = try encoder.encode(result)
            data.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(data)
        }
    }
}
