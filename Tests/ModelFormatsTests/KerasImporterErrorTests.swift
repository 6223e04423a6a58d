import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// What the Keras importer says about models it cannot convert: the file, the layer's class and
/// name, and what is supported instead.
final class KerasImporterErrorTests: XCTestCase {
    /// A legacy `.h5` holding `layers` as a Sequential model on a [batch, 4] input, without weights.
    static func sequentialH5(_ layers: String, in directory: TemporaryDirectory, name: String = "model.h5") throws -> URL {
        let config = """
            {"class_name": "Sequential", "config": {"name": "broken", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "name": "input"}},
              \(layers)]}}
            """
        return try legacyH5(config: config, in: directory, name: name)
    }

    static func legacyH5(config: String?, in directory: TemporaryDirectory, name: String = "model.h5") throws -> URL {
        let url = directory.file(name)
        let file = try HDF5File(creating: url)
        if let config { try file.writeAttribute("model_config", string: config) }
        try file.writeAttribute("keras_version", string: "3.15.1")
        try file.createGroup(at: "model_weights")
        try file.close()
        return url
    }

    private func message(converting url: URL) -> String {
        do {
            _ = try KerasModelFile.load(url)
            XCTFail("\(url.path) converted")
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testUnsupportedLayerNamesClassLayerAndSupportedLayers() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.sequentialH5(#"{"class_name": "Lambda", "config": {"name": "my_lambda", "function": "x"}}"#, in: directory)
        let text = message(converting: url)
        XCTAssertTrue(text.hasPrefix(url.path), text)
        XCTAssertTrue(text.contains("layer 'my_lambda' of class Lambda is not supported"), text)
        for supported in ["Dense", "Conv2D", "LSTM", "Bidirectional", "BatchNormalization"] {
            XCTAssertTrue(text.contains(supported), "the message lists \(supported): \(text)")
        }
        XCTAssertTrue(text.contains("the Python function it holds cannot be read from the file"), text)
    }

    func testStringAndAudioPreprocessingLayersSayWhyTheyAreRefused() throws {
        let directory = try TemporaryDirectory()
        let cases = [("TextVectorization", "maps strings to token ids"), ("StringLookup", "maps strings to indices"),
                     ("MelSpectrogram", "short-time Fourier transform")]
        for (index, (className, reason)) in cases.enumerated() {
            let layer = #"{"class_name": "\#(className)", "config": {"name": "pre"}}"#
            let url = try Self.sequentialH5(layer, in: directory, name: "model\(index).h5")
            let text = message(converting: url)
            XCTAssertTrue(text.contains("layer 'pre' of class \(className) is not supported"), text)
            XCTAssertTrue(text.contains(reason), text)
        }
    }

    /// A KerasHub backbone saved directly is a subclassed model: the message says which Functional
    /// model to save instead.
    func testSavedKerasHubBackboneSaysToSaveItsFunctionalModel() throws {
        let directory = try TemporaryDirectory()
        let config = #"{"module": "keras_hub.src.models.bert.bert_backbone", "class_name": "BertBackbone", "#
            + #""registered_name": "keras_hub>BertBackbone", "config": {"name": "bert_backbone", "vocabulary_size": 10}}"#
        let url = try Self.legacyH5(config: config, in: directory)
        let text = message(converting: url)
        XCTAssertTrue(text.hasPrefix(url.path), text)
        XCTAssertTrue(text.contains("KerasHub model BertBackbone"), text)
        XCTAssertTrue(text.contains("subclassed models cannot be converted"), text)
        XCTAssertTrue(text.contains("save keras.Model(backbone.inputs, backbone.outputs) instead"), text)
    }

    /// A functional model on a [batch, 4] input `x` whose second entry is `node` (called on `x`).
    static func functionalH5(_ node: String, in directory: TemporaryDirectory, name: String) throws -> URL {
        let config = """
            {"class_name": "Functional", "config": {"name": "f", "layers": [
              {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4], "dtype": "float32", "name": "x"}, "inbound_nodes": []},
              \(node)],
             "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}
            """
        return try legacyH5(config: config, in: directory, name: name)
    }

    static let tensorX = #"{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["x", 0, 0]}}"#

    func testUnsupportedOperationNodeNamesTheOperationAndTheSupportedOnes() throws {
        let directory = try TemporaryDirectory()
        let node = #"{"module": "keras.src.ops.numpy", "class_name": "Sort", "config": {"name": "out", "axis": -1}, "name": "out", "inbound_nodes": [{"args": ["#
            + Self.tensorX + #"], "kwargs": {}}]}"#
        let url = try Self.functionalH5(node, in: directory, name: "sort.h5")
        let text = message(converting: url)
        XCTAssertTrue(text.hasPrefix(url.path), text)
        XCTAssertTrue(text.contains("operation 'out' of class keras.src.ops.numpy.Sort is not supported"), text)
        for supported in ["Add", "Matmul", "Reshape", "GetItem", "Softmax"] {
            XCTAssertTrue(text.contains(supported), "the message lists \(supported): \(text)")
        }
    }

    func testUnsupportedOperationArgumentsAndKeywordTensorsAreNamed() throws {
        let directory = try TemporaryDirectory()
        let indexByTensor = #"{"module": "keras.src.ops.numpy", "class_name": "GetItem", "config": {"name": "out"}, "name": "out", "inbound_nodes": [{"args": ["#
            + Self.tensorX + ", " + Self.tensorX + #"], "kwargs": {}}]}"#
        var text = message(converting: try Self.functionalH5(indexByTensor, in: directory, name: "getitem.h5"))
        XCTAssertTrue(text.contains("layer 'out' of class GetItem"), text)
        XCTAssertTrue(text.contains("indexing with a tensor is not supported"), text)
        let reshapeByTensor = #"{"module": "keras.src.ops.numpy", "class_name": "Reshape", "config": {"name": "out"}, "name": "out", "inbound_nodes": [{"args": ["#
            + Self.tensorX + #", [{"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}}, 2]], "kwargs": {}}]}"#
        text = message(converting: try Self.functionalH5(reshapeByTensor, in: directory, name: "reshape.h5"))
        XCTAssertTrue(text.contains("layer 'out' of class Reshape"), text)
        XCTAssertTrue(text.contains("reshape to a constant shape"), text)
        let initialState = #"{"class_name": "Dense", "config": {"name": "out", "units": 2, "trainable": true}, "name": "out", "inbound_nodes": [{"args": ["#
            + Self.tensorX + #"], "kwargs": {"extra": "#  + Self.tensorX + "}}]}"
        text = message(converting: try Self.functionalH5(initialState, in: directory, name: "keyword.h5"))
        XCTAssertTrue(text.contains("layer 'out' is called with tensors as keyword arguments (extra)"), text)
    }

    func testUnsupportedOptionsNameTheOptionAndTheAlternative() throws {
        let directory = try TemporaryDirectory()
        let cases: [(layer: String, expected: [String])] = [
            (#"{"class_name": "Activation", "config": {"name": "act", "activation": "crelu"}}"#,
             ["layer 'act' of class Activation", "activation 'crelu' is not supported", "use one of: linear, relu"]),
            (#"{"class_name": "LayerNormalization", "config": {"name": "norm", "axis": -1, "rms_scaling": true}}"#,
             ["layer 'norm' of class LayerNormalization", "rms_scaling=True is not supported", "use rms_scaling=False"]),
            (#"{"class_name": "Conv1D", "config": {"name": "conv", "filters": 2, "kernel_size": [1], "data_format": "channels_first"}}"#,
             ["layer 'conv' of class Conv1D", "data_format='channels_first' is not supported", "channels_last"]),
            (#"{"class_name": "Activation", "config": {"name": "act", "activation": "threshold"}}"#,
             ["activation 'threshold' is not supported", "celu, glu, hard_tanh", "soft_shrink, sparsemax"]),
            (#"{"class_name": "RandomCrop", "config": {"name": "crop", "height": 1, "width": 2}}"#,
             ["layer 'crop' of class RandomCrop", "cropping images of height 2 and width 2 to height 1 and width 2 is not supported",
              "Keras 3.15 passes the input through at inference while earlier Keras releases centre-crop", "use CenterCrop"]),
            (#"{"class_name": "Resizing", "config": {"name": "resize", "height": 3, "width": 3, "interpolation": "lanczos3"}}"#,
             ["layer 'resize' of class Resizing", "interpolation='lanczos3' is not supported", "use one of bilinear, nearest, bicubic"]),
            (#"{"class_name": "Resizing", "config": {"name": "resize", "height": 3, "width": 3, "antialias": true}}"#,
             ["layer 'resize' of class Resizing", "antialias=True is not supported"]),
            (#"{"class_name": "GroupNormalization", "config": {"name": "norm", "groups": 3, "axis": -1}}"#,
             ["layer 'norm' of class GroupNormalization", "1 channels do not split into 3 groups"]),
        ]
        for (index, testCase) in cases.enumerated() {
            let prefix: String
            if testCase.layer.contains("Conv1D") {
                prefix = #"{"class_name": "Reshape", "config": {"name": "r", "target_shape": [4, 1]}}, "#
            } else if ["RandomCrop", "Resizing", "GroupNormalization"].contains(where: testCase.layer.contains) {
                prefix = #"{"class_name": "Reshape", "config": {"name": "r", "target_shape": [2, 2, 1]}}, "#
            } else {
                prefix = ""
            }
            let layers = prefix + testCase.layer
            let url = try Self.sequentialH5(layers, in: directory, name: "model\(index).h5")
            let text = message(converting: url)
            XCTAssertTrue(text.hasPrefix(url.path), text)
            for expected in testCase.expected { XCTAssertTrue(text.contains(expected), "missing '\(expected)' in: \(text)") }
        }
    }

    func testUnsupportedOptionsOfKeras3AndKerasHubLayersAreNamed() throws {
        let directory = try TemporaryDirectory()
        let series = #"{"class_name": "Reshape", "config": {"name": "r", "target_shape": [2, 2]}}, "#
        let cases: [(layer: String, expected: [String])] = [
            (#"{"class_name": "EinsumDense", "config": {"name": "ed", "equation": "ab,bc->ac", "output_shape": 2, "lora_rank": 2}}"#,
             ["layer 'ed' of class EinsumDense", "lora_rank is not supported", "merge the LoRA weights"]),
            (series + #"{"class_name": "RMSNormalization", "config": {"name": "rms", "axis": 1}}"#,
             ["layer 'rms' of class RMSNormalization", "axis=[1] is not supported", "trailing axes"]),
            (#"{"class_name": "Discretization", "config": {"name": "bins", "num_bins": 4}}"#,
             ["layer 'bins' of class Discretization", "a layer without bin_boundaries is not supported"]),
            (#"{"class_name": "CategoryEncoding", "config": {"name": "enc", "num_tokens": 4, "output_mode": "tf_idf"}}"#,
             ["layer 'enc' of class CategoryEncoding", "output_mode='tf_idf' is not supported", "int, one_hot, multi_hot, count"]),
            (series + #"{"class_name": "RNN", "config": {"name": "rnn", "return_state": true, "cell": {"class_name": "LSTMCell", "config": {"units": 2}}}}"#,
             ["layer 'rnn' of class RNN", "return_state=True is not supported"]),
            (series + #"{"class_name": "RNN", "config": {"name": "rnn", "cell": {"class_name": "ConvLSTMCell", "config": {"filters": 2}}}}"#,
             ["layer 'rnn' of class RNN", "a cell of class ConvLSTMCell is not supported", "LSTMCell, GRUCell, SimpleRNNCell"]),
            (series + #"{"class_name": "keras_hub>RotaryEmbedding", "config": {"name": "rope", "rope_type": "yarn"}}"#,
             ["layer 'rope' of class keras_hub>RotaryEmbedding", "rope_type='yarn' is not supported"]),
            (#"{"class_name": "keras_hub>FNetEncoder", "config": {"name": "fnet"}}"#,
             ["layer 'fnet' of class keras_hub>FNetEncoder is not supported", "keras_hub>TransformerEncoder"]),
            (#"{"class_name": "keras_hub>GPT2Backbone", "config": {"name": "gpt2", "vocabulary_size": 10}}"#,
             ["layer 'gpt2' of class keras_hub>GPT2Backbone is not supported",
              "a KerasHub backbone nested as a layer is a subclassed model", "keras.Model(backbone.inputs, backbone.outputs)"]),
        ]
        for (index, testCase) in cases.enumerated() {
            let url = try Self.sequentialH5(testCase.layer, in: directory, name: "model\(index).h5")
            let text = message(converting: url)
            XCTAssertTrue(text.hasPrefix(url.path), text)
            for expected in testCase.expected { XCTAssertTrue(text.contains(expected), "missing '\(expected)' in: \(text)") }
        }
    }

    func testMissingWeightsAreAnErrorNamingTheLayer() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.sequentialH5(#"{"class_name": "Dense", "config": {"name": "head", "units": 3}}"#, in: directory)
        let text = message(converting: url)
        XCTAssertTrue(text.contains("layer 'head' of class Dense"), text)
        XCTAssertTrue(text.contains("the file holds 0"), text)
    }

    func testWeightsOnlyFileSaysHowToSaveAWholeModel() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.legacyH5(config: nil, in: directory)
        let text = message(converting: url)
        XCTAssertTrue(text.hasPrefix(url.path), text)
        XCTAssertTrue(text.contains("save_weights"), text)
    }

    func testBrokenConfigurationsAreErrorsNotCrashes() throws {
        let directory = try TemporaryDirectory()
        let configs = [
            "not json at all",
            #"{"class_name": "MyModel", "config": {}}"#,
            #"{"class_name": "Functional", "config": {"name": "f", "layers": [{"class_name": "InputLayer", "name": "a", "config": {"batch_shape": [null, 2], "name": "a"}, "inbound_nodes": []}, {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["ghost", 0, 0]}}], "kwargs": {}}]}], "input_layers": [["a", 0, 0]], "output_layers": [["d", 0, 0]]}}"#,
            #"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 4, 2], "name": "x"}}, {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [0, 0]}}]}}"#,
            #"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, -4], "name": "x"}}]}}"#,
            #"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "x"}}, {"class_name": "RepeatVector", "config": {"name": "r", "n": 1e300}}]}}"#,
        ]
        let expected = ["not valid JSON", "subclassed models cannot be converted", "never computed", "'pool_size' must hold positive integers",
                        "negative size", "'n' is not an integer"]
        for (index, config) in configs.enumerated() {
            let url = try Self.legacyH5(config: config, in: directory, name: "config\(index).h5")
            let text = message(converting: url)
            XCTAssertTrue(text.hasPrefix(url.path), text)
            XCTAssertTrue(text.contains(expected[index]), "missing '\(expected[index])' in: \(text)")
        }
    }

    func testDamagedKerasZipNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let notZip = directory.file("text.keras")
        try Data("config.json but not a zip".utf8).write(to: notZip)
        XCTAssertTrue(message(converting: notZip).contains("zip"))
        let source = FixturePaths.fixture("keras/dense/model.keras")
        guard FileManager.default.fileExists(atPath: source.path) else { throw XCTSkip("fixture keras/dense missing") }
        let truncated = directory.file("truncated.keras")
        try Data(contentsOf: source).prefix(900).write(to: truncated)
        let text = message(converting: truncated)
        XCTAssertTrue(text.hasPrefix(truncated.path), text)
    }
}
