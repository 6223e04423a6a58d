import Foundation

/// The steps of a plan that compute from shapes, not from values: `Shape` and `Size` of any value,
/// and every deterministic step whose inputs are all constants or results of such steps (the
/// Gather/Unsqueeze/Concat chains exported transformers build their Reshape targets with, a causal
/// mask made from a `Range`). Runs whose `Shape` and `Size` steps see the shapes the previous run
/// saw reuse that run's results instead of running those steps.
///
/// Only small results are kept (`maxKeptElements` per step): a step that computes a large tensor
/// from shapes (the index grid of an exported slice assignment, hundreds of MB on a video
/// transformer) runs again each run from the kept results before it, and its result is freed
/// once read, as any other value.
///
/// Thread-safe: each run starts from the results the last completed run left (`begin`) and, once
/// it has run every step, hands back the results it holds (`end`); a run that fails hands back none.
final class ShapeArithmetic: @unchecked Sendable {
    enum Role: Sendable {
        /// A `Shape` or `Size` step: its result depends on the shape of the value in this slot.
        case shapeOf(slot: Int)
        /// A step whose inputs are constants or results of shape steps.
        case derived
    }

    /// The most elements the outputs of one step may hold for its results to be kept.
    static let maxKeptElements = 1 << 16

    /// What one run left for one shape step.
    enum StepResult {
        /// Not run (yet), or not recorded.
        case notRun
        /// Run; its outputs are kept, with the shape it read for a `Shape` or `Size` step.
        case kept(outputs: [RuntimeValue?], shape: [Int]?)
        /// Run; its outputs were larger than `maxKeptElements`, so every run computes them again.
        case tooLarge

        /// The shape a `Shape` or `Size` step read, when its outputs are kept.
        var shape: [Int]? {
            if case .kept(_, let shape) = self { shape } else { nil }
        }

        /// The kept outputs.
        var outputs: [RuntimeValue?]? {
            if case .kept(let outputs, _) = self { outputs } else { nil }
        }

        var isTooLarge: Bool {
            if case .tooLarge = self { true } else { false }
        }
    }

    /// The results of one run, one per step position (`.notRun` for steps that compute from values).
    struct Results {
        var steps: [StepResult]

        init(steps: Int) {
            self.steps = Array(repeating: .notRun, count: steps)
        }
    }

    /// A run in progress: the previous results it may reuse while every shape it reads matches.
    /// `computed` starts as the previous results (shared, not copied, until the run records one).
    struct Run {
        let previous: Results?
        var matches: Bool
        var computed: Results
        var recomputed = false
    }

    /// The role of each step, nil for a step that computes from values.
    let roles: [Role?]
    private let lock = NSLock()
    private var latest: Results?

    private init(roles: [Role?]) {
        self.roles = roles
    }

    /// The shape steps of `steps` over `slotCount` slots of which `constants` hold constants, or
    /// nil when there are none.
    static func analysing(_ steps: [PreparedGraph.Step], slotCount: Int, constants: [Int]) -> ShapeArithmetic? {
        var fromShapes = [Bool](repeating: false, count: slotCount)
        for slot in constants { fromShapes[slot] = true }
        var roles: [Role?] = Array(repeating: nil, count: steps.count)
        for (position, step) in steps.enumerated() {
            guard step.domain.isEmpty, !FastPlan.nondeterministic.contains(step.opType), !FastPlan.scoped.contains(step.opType),
                  !(step.kernel is FunctionCall), step.outputs.contains(where: { $0 != nil }) else { continue }
            if ["Shape", "Size"].contains(step.opType), let slot = step.inputs.first ?? nil {
                roles[position] = fromShapes[slot] ? .derived : .shapeOf(slot: slot)
            } else if step.inputs.contains(where: { $0 != nil }), step.inputs.allSatisfy({ $0.map { fromShapes[$0] } ?? true }) {
                roles[position] = .derived
            } else {
                continue
            }
            for slot in step.outputs { if let slot { fromShapes[slot] = true } }
        }
        return roles.contains(where: { $0 != nil }) ? ShapeArithmetic(roles: roles) : nil
    }

    /// A run that reuses the latest results while the shapes it reads match theirs.
    func begin() -> Run {
        lock.lock()
        defer { lock.unlock() }
        return Run(previous: latest, matches: latest != nil, computed: latest ?? Results(steps: roles.count))
    }

    /// Keeps `run`'s results for the next runs when it computed any.
    func end(_ run: Run) {
        guard run.recomputed else { return }
        lock.lock()
        defer { lock.unlock() }
        latest = run.computed
    }
}

extension ShapeArithmetic.Run {
    /// The previous results of the step at `position` with `role`, when the run may reuse them;
    /// `frame` holds the value whose shape a `Shape` step reads. A step whose results were too
    /// large to keep runs again without ending the reuse.
    mutating func reusable(_ position: Int, role: ShapeArithmetic.Role, frame: Frame) -> [RuntimeValue?]? {
        guard matches, let previous else { return nil }
        switch previous.steps[position] {
        case .tooLarge:
            return nil
        case .notRun:
            matches = false
            return nil
        case .kept(let outputs, let shape):
            if case .shapeOf(let slot) = role {
                guard let current = frame.values[slot]?.tensor?.shape, shape == current else {
                    matches = false
                    return nil
                }
            }
            return outputs
        }
    }

    /// Records what the step at `position` computed, or that it was too large to keep.
    mutating func record(_ position: Int, role: ShapeArithmetic.Role, outputs: [RuntimeValue?], frame: Frame) {
        if matches, let previous, previous.steps[position].isTooLarge { return }
        recomputed = true
        var shape: [Int]?
        if case .shapeOf(let slot) = role {
            guard let read = frame.values[slot]?.tensor?.shape else { return }
            shape = read
        }
        let elements = outputs.reduce(0) { $0 + ($1.map { $0.tensor?.elementCount ?? ShapeArithmetic.maxKeptElements + 1 } ?? 0) }
        computed.steps[position] = elements > ShapeArithmetic.maxKeptElements ? .tooLarge : .kept(outputs: outputs, shape: shape)
    }
}
