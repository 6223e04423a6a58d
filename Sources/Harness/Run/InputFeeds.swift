import ModelIR

/// How a file's sample datasets feed a model's inputs: the one rule `run`, calibration, noise
/// floors, `exec` and `golden` share.
///
/// Each input takes the dataset of its name, or the only dataset when the model has one input and
/// the file one dataset. A dataset of another element type is converted when every value keeps
/// its value there (int32 token ids into a float32 input, whole floats into an int64 input), or
/// between floating-point types (float64 samples into a float32 input, rounded as a cast rounds);
/// anything else (fractions into an integer input, ids beyond 2²⁴ into float32) is refused.
public enum InputFeeds {
    /// Why a dataset cannot feed an input.
    public enum Failure: Error, Equatable {
        case missing(input: String, available: [String])
        case unusable(input: String, reason: String)
    }

    /// The feed of every input of `inputs` from `datasets`.
    public static func match(_ inputs: [ValueInfo], datasets: [String: Tensor]) throws(Failure) -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for input in inputs {
            var dataset = datasets[input.name]
            if dataset == nil, inputs.count == 1, datasets.count == 1 { dataset = datasets.values.first }
            guard let dataset else { throw .missing(input: input.name, available: datasets.keys.sorted()) }
            feeds[input.name] = try converted(dataset, for: input)
        }
        return feeds
    }

    /// `tensor` in `input`'s declared element type, under the rule above.
    public static func converted(_ tensor: Tensor, for input: ValueInfo) throws(Failure) -> Tensor {
        guard let wanted = input.type?.type.tensorType?.elementType, wanted != .undefined, wanted != tensor.dataType else { return tensor }
        if let exact = tensor.convertedExactly(to: wanted) { return exact }
        guard tensor.dataType.isFloatingPoint, wanted.isFloatingPoint else {
            throw .unusable(input: input.name, reason: "its \(tensor.dataType) values do not all keep their value as \(wanted), the input's type; "
                            + "store them as \(wanted)")
        }
        do {
            return try Tensor(name: tensor.name, converting: tensor.doubleValues(), to: wanted, shape: tensor.shape)
        } catch {
            throw .unusable(input: input.name, reason: error.description)
        }
    }
}
