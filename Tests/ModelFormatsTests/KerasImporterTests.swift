import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// The Keras importer on every fixture of `Tests/Fixtures/keras/` (both file formats) and on the
/// Keras models of `Golden/`: graph structure checked here, numbers checked against Keras's golden
/// outputs on ONNX Runtime by `Tools/keras_crosscheck.py` (rtol 1e-4, atol 1e-5), which also runs
/// `onnx.checker.check_model(full_check=True)`.
final class KerasImporterTests: XCTestCase {
    static let formats = ["h5", "keras"]
    static let rtol = 1e-4
    static let atol = 1e-5

    struct CrossCheck: Decodable {
        struct Output: Decodable {
            var shape_ok: Bool
            var max_abs: Double?
            var max_rel: Double?
            var mismatches: Int?
        }

        var `case`: String
        var checker: String
        var outputs: [String: Output]
        var pass: Bool
        var error: String
    }

    /// One model to convert and compare: a label, the source file and its golden file.
    struct Case {
        var label: String
        var source: URL
        var golden: URL
        var opset: Int = KerasModelFile.defaultOpset
    }

    static var fixtureFolder: URL { FixturePaths.fixture("keras") }

    /// The fixture case folders (those with a golden.h5), sorted.
    static func fixtureCases() throws -> [URL] {
        let folder = fixtureFolder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw XCTSkip("the Keras fixtures are missing at \(folder.path); Tools/fixtures/make_keras_fixtures.py makes them")
        }
        return names.sorted().map { folder.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("golden.h5").path) }
    }

    func testEveryFixtureConvertsInBothFormatsAndMatchesKeras() throws {
        let folders = try Self.fixtureCases()
        XCTAssertGreaterThanOrEqual(folders.count, 100, "expected the full fixture set")
        var cases: [Case] = []
        for folder in folders {
            for format in Self.formats {
                let source = folder.appendingPathComponent("model.\(format)")
                XCTAssertTrue(FileManager.default.fileExists(atPath: source.path), "missing \(source.path)")
                cases.append(Case(label: "\(folder.lastPathComponent)/\(format)", source: source,
                                  golden: folder.appendingPathComponent("golden.h5")))
            }
        }
        // Other opsets: ReduceMean axes as an attribute (13) or an input (18), LayerNormalization
        // spelled out before 17, HardSwish from 14.
        for (name, opset) in [("global_average_pooling2d", 13), ("global_max_pooling1d", 18), ("layer_normalization", 13),
                              ("layer_normalization_no_center", 21), ("bidirectional_gru_sum", 13), ("bidirectional_lstm", 18),
                              ("activation_hard_silu", 13), ("dot_normalize", 18), ("conv2d_same_strided", 21)] {
            let folder = Self.fixtureFolder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.path) else { continue }
            cases.append(Case(label: "\(name)/h5@opset\(opset)", source: folder.appendingPathComponent("model.h5"),
                              golden: folder.appendingPathComponent("golden.h5"), opset: opset))
        }
        try convertAndCrossCheck(cases)
    }

    func testGoldenKerasModelsMatchTheirGoldenOutputs() throws {
        let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden")
        var cases: [Case] = []
        for model in ["mnist_cnn/model.h5", "mobilenet_tiny/model.h5", "keras_mlp/model.keras", "gru_rows/model.keras"] {
            let source = golden.appendingPathComponent(model)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            let goldenFile = source.deletingLastPathComponent().appendingPathComponent("golden.h5")
            cases.append(Case(label: model, source: source, golden: goldenFile))
            // The same model in its other format, saved by Keras (Tools/corpus/save_other_formats.py).
            let name = source.deletingLastPathComponent().lastPathComponent
            let other = source.pathExtension == "h5" ? "keras" : "h5"
            let copy = FixturePaths.fixture("keras-corpus/\(name)/model.\(other)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: copy.path), "missing \(copy.path)")
            cases.append(Case(label: "\(name)/model.\(other)", source: copy, golden: goldenFile))
        }
        XCTAssertEqual(cases.count, 8, "the four Keras models of Golden/ in both formats")
        guard !cases.isEmpty else { throw XCTSkip("no Keras models under \(golden.path) yet") }
        try convertAndCrossCheck(cases)
    }

    func testTFKeras2LegacyFilesMatchKeras() throws {
        let folder = FixturePaths.fixture("keras_tf2")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(names, ["custom_scale_layer", "functional_conv_hard_sigmoid", "masked_lstm", "nested_models_called_twice",
                               "sequential_lstm_hard_sigmoid", "tf_functions", "tf_op_lambda_arithmetic"])
        try convertAndCrossCheck(names.map {
            Case(label: "tf.keras 2 \($0)", source: folder.appendingPathComponent("\($0)/model.h5"),
                 golden: folder.appendingPathComponent("\($0)/golden.h5"))
        })
        let functional = try KerasModelFile.load(folder.appendingPathComponent("functional_conv_hard_sigmoid/model.h5"))
        let hardSigmoid = try XCTUnwrap(functional.graph.nodes.first { $0.opType == "HardSigmoid" })
        XCTAssertEqual(hardSigmoid.attribute("alpha")?.float, 0.2, "tf.keras 2 defines hard_sigmoid as clip(0.2x + 0.5, 0, 1)")
        XCTAssertEqual(functional.graph.inputs.map(\.name), ["image", "extra"])
        let sequential = try KerasModelFile.load(folder.appendingPathComponent("sequential_lstm_hard_sigmoid/model.h5"))
        let lstm = try XCTUnwrap(sequential.graph.nodes.first { $0.opType == "LSTM" })
        XCTAssertEqual(lstm.attribute("activations")?.strings, ["HardSigmoid", "Tanh", "Tanh"])
        XCTAssertEqual(lstm.attribute("activation_alpha")?.floats, [0.2])
        XCTAssertEqual(sequential.graph.inputs.map(\.name), ["lstm_input"], "tf.keras 2 names the input after the first layer")
        let lambdas = try KerasModelFile.load(folder.appendingPathComponent("tf_op_lambda_arithmetic/model.h5"))
        let operators = Set(lambdas.graph.nodes.map(\.opType))
        XCTAssertTrue(operators.isSuperset(of: ["Add", "Mul", "Sub", "Div", "Max", "Sigmoid"]), "\(operators.sorted())")
        let nested = try KerasModelFile.load(folder.appendingPathComponent("nested_models_called_twice/model.h5"))
        XCTAssertEqual(nested.graph.nodes.filter { $0.opType == "Tanh" }.count, 2, "the nested Sequential runs twice")
        let functions = try KerasModelFile.load(folder.appendingPathComponent("tf_functions/model.h5"))
        let functionOperators = Set(functions.graph.nodes.map(\.opType))
        XCTAssertTrue(functionOperators.isSuperset(of: ["ReduceMean", "Reshape", "Concat", "Transpose", "Slice"]), "\(functionOperators.sorted())")
        let masked = try KerasModelFile.load(folder.appendingPathComponent("masked_lstm/model.h5"))
        let maskedLSTM = try XCTUnwrap(masked.graph.nodes.first { $0.opType == "LSTM" })
        XCTAssertGreaterThan(maskedLSTM.inputs.count, 4, "the implicit Embedding mask gives the LSTM its sequence lengths")
        XCTAssertFalse(maskedLSTM.inputs.count > 4 && maskedLSTM.inputs[4].isEmpty)
    }

    func testLayoutFixturesMatchKerasWithFewTransposes() throws {
        let folder = FixturePaths.fixture("keras_layout")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(names.count, 10)
        var cases: [Case] = []
        for name in names {
            for format in Self.formats {
                cases.append(Case(label: "layout \(name)/\(format)", source: folder.appendingPathComponent("\(name)/model.\(format)"),
                                  golden: folder.appendingPathComponent("\(name)/golden.h5")))
            }
        }
        try convertAndCrossCheck(cases)
        func transposes(_ name: String) throws -> Int {
            try KerasModelFile.load(folder.appendingPathComponent("\(name)/model.h5")).graph.nodes.filter { $0.opType == "Transpose" }.count
        }
        // Flatten → Dense keeps channels-first order and permutes the Dense kernel instead of transposing back.
        XCTAssertEqual(try transposes("conv_flatten_activation_dense"), 1)
        XCTAssertEqual(try transposes("conv_flatten_batchnorm_dense"), 2, "BatchNormalization needs Keras's feature order")
        // The residual Add and Multiply stay channels first, reusing the input's transpose.
        XCTAssertEqual(try transposes("native_and_channels_first_add"), 2)
        XCTAssertEqual(try transposes("conv_prelu_padding_upsampling"), 2)
        // Unknown sizes: TensorFlow's 'same' is SAME_UPPER, left to run time.
        let dynamic = try KerasModelFile.load(folder.appendingPathComponent("dynamic_size_image/model.keras"))
        XCTAssertEqual(dynamic.graph.nodes.first { $0.opType == "Conv" }?.attribute("auto_pad")?.string, "SAME_UPPER")
        XCTAssertEqual(dynamic.graph.inputs.first?.type?.type.tensorType?.shape?.description, "[batch, ?, ?, 2]")
    }

    /// Keras 3 operation nodes (`x + 3.0`, `keras.ops.*` with constants and keyword arguments),
    /// keras.applications' LayerScale, StochasticDepth and CustomScaleLayer, MultiHeadAttention with
    /// keyword masks, Embedding and Masking masks into recurrent layers, augmentation layers,
    /// Resizing, CenterCrop, GroupNormalization, UnitNormalization, Attention, AdditiveAttention,
    /// transposed convolutions with output_padding, ConvLSTM, the activations and operations Keras 3 added,
    /// Keras 3's Identity, EinsumDense, RMSNormalization, ReversibleEmbedding, GroupedQueryAttention,
    /// adaptive pooling, RNN cells, CategoryEncoding, Discretization, SpectralNormalization and AutoContrast,
    /// and KerasHub's position embeddings, TransformerEncoder, TransformerDecoder and the Functional models of
    /// tiny GPT-2 and BERT backbones: `Tests/Fixtures/keras_ops/`, made by `Tools/fixtures/make_keras_zoo_fixtures.py`.
    func testOperationAttentionAndMaskFixturesMatchKeras() throws {
        let folder = FixturePaths.fixture("keras_ops")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/golden.h5").path) }
        XCTAssertEqual(names.count, 51, "the operation, attention, mask, preprocessing, activation and Keras 3 layer fixtures")
        var cases: [Case] = []
        for name in names {
            for format in Self.formats {
                cases.append(Case(label: "ops \(name)/\(format)", source: folder.appendingPathComponent("\(name)/model.\(format)"),
                                  golden: folder.appendingPathComponent("\(name)/golden.h5")))
            }
        }
        for (name, opset) in [("mha_causal_and_mask", 13), ("op_reductions", 13), ("op_reductions", 18), ("masked_bidirectional_sequences", 13),
                              ("masking_recurrent", 13), ("op_arrangement", 18), ("group_unit_normalization", 18), ("resizing", 13),
                              ("op_activations_parameters", 13), ("adaptive_pooling", 13), ("category_encoding_discretization", 13),
                              ("rms_normalization", 13), ("spectral_normalization_auto_contrast", 13), ("hub_gpt2_any_length", 13),
                              ("hub_transformer_encoder", 18), ("rnn_cells", 13)] {
            cases.append(Case(label: "ops \(name)/h5@opset\(opset)", source: folder.appendingPathComponent("\(name)/model.h5"),
                              golden: folder.appendingPathComponent("\(name)/golden.h5"), opset: opset))
        }
        try convertAndCrossCheck(cases)
    }

    /// Masking's mask reaches the LSTM as its sequence lengths; nearest resizing gathers rows and
    /// columns, bicubic is two MatMuls, bilinear one Resize; output_padding pads ConvTranspose's end.
    func testMaskingResizingAndOutputPaddingStructure() throws {
        let masked = try KerasModelFile.load(FixturePaths.fixture("keras_ops/masking_recurrent/model.keras"))
        let lstm = try XCTUnwrap(masked.graph.nodes.first { $0.opType == "LSTM" })
        XCTAssertEqual(lstm.inputs.count, 5, "X, W, R, B and sequence_lens")
        let resizing = try KerasModelFile.load(FixturePaths.fixture("keras_ops/resizing/model.h5"))
        XCTAssertEqual(resizing.graph.nodes.filter { $0.opType == "Resize" }.count, 3, "bilinear, crop_to_aspect_ratio, pad_to_aspect_ratio")
        XCTAssertEqual(resizing.graph.nodes.filter { $0.opType == "Gather" }.count, 2, "nearest: rows, then columns")
        XCTAssertEqual(resizing.graph.nodes.filter { $0.opType == "MatMul" }.count, 2, "bicubic: columns, then rows")
        let transposed = try KerasModelFile.load(FixturePaths.fixture("keras_ops/conv_transpose_output_padding/model.h5"))
        let convolutions = transposed.graph.nodes.filter { $0.opType == "ConvTranspose" }
        // same_2d: 3×4 → 6×8 from a full 7×9, cropped at the end; valid_2d: 3×4 → 11×12 from a full 9×11.
        let same = try XCTUnwrap(convolutions.first { $0.name.hasPrefix("same_2d") })
        XCTAssertEqual(same.attribute("pads")?.ints, [0, 0, 1, 1])
        XCTAssertNil(same.attribute("output_padding"))
        let valid = try XCTUnwrap(convolutions.first { $0.name.hasPrefix("valid_2d") })
        XCTAssertEqual(valid.attribute("pads")?.ints, [0, 0, 0, 0])
        XCTAssertEqual(valid.attribute("output_padding")?.ints, [2, 1])
    }

    /// EinsumDense is one Einsum per layer; GroupedQueryAttention shares each key and value head by
    /// a Gather; an RNN's cells become one ONNX recurrent node each; SpectralNormalization leaves
    /// vector_u out in both file formats.
    func testKeras3CoreLayersStructure() throws {
        let einsum = try KerasModelFile.load(FixturePaths.fixture("keras_ops/einsum_dense/model.keras"))
        XCTAssertEqual(einsum.graph.nodes.filter { $0.opType == "Einsum" }.map { $0.attribute("equation")?.string },
                       ["ab,bc->ac", "abc,cde->abde", "abc,cd->abd", "...b,bc->...c", "abc,cd->ad", "ab...,bc->ac..."])
        let attention = try KerasModelFile.load(FixturePaths.fixture("keras_ops/grouped_query_attention/model.keras"))
        let repeated = attention.graph.nodes.filter { $0.opType == "Gather" }
        XCTAssertEqual(repeated.count, 4, "key and value heads of gqa_cross and gqa_causal; gqa_window has as many as query heads")
        let cells = try KerasModelFile.load(FixturePaths.fixture("keras_ops/rnn_cells/model.h5"))
        XCTAssertEqual(cells.graph.nodes.filter { $0.opType == "LSTM" }.count, 3)
        XCTAssertEqual(cells.graph.nodes.filter { $0.opType == "GRU" }.count, 3)
        XCTAssertEqual(cells.graph.nodes.filter { $0.opType == "RNN" }.count, 2)
        for format in Self.formats {
            let spectral = try KerasModelFile.load(FixturePaths.fixture("keras_ops/spectral_normalization_auto_contrast/model.\(format)"))
            XCTAssertFalse(spectral.graph.initializers.contains { $0.shape == [1, 4] || $0.shape == [1, 2] }, "\(format): vector_u is not used")
        }
    }

    /// KerasHub layers are found by their registered names; a backbone's Functional model saved with
    /// inputs of any length keeps them open, its causal mask and position rows computed at run time.
    func testKerasHubLayersAndAnyLengthBackbone() throws {
        let gpt2 = try KerasModelFile.load(FixturePaths.fixture("keras_ops/hub_gpt2_any_length/model.keras"))
        XCTAssertEqual(gpt2.graph.inputs.map { $0.type?.type.tensorType?.shape?.description }, ["[batch, ?]", "[batch, ?]"])
        XCTAssertEqual(gpt2.graph.nodes.filter { $0.opType == "Range" }.count, 2, "query and key positions of the causal mask")
        XCTAssertFalse(gpt2.graph.initializers.contains { $0.name.hasSuffix("causal_mask") })
        let fixed = try KerasModelFile.load(FixturePaths.fixture("keras_ops/hub_gpt2_functional/model.h5"))
        XCTAssertEqual(fixed.graph.initializers.filter { $0.name.hasSuffix("causal_mask") }.map(\.shape), [[1, 1, 6, 6], [1, 1, 6, 6]])
        let bert = try KerasModelFile.load(FixturePaths.fixture("keras_ops/hub_bert_functional/model.keras"))
        XCTAssertEqual(bert.graph.nodes.filter { $0.opType == "Softmax" }.count, 1, "one encoder layer")
        XCTAssertEqual(bert.graph.nodes.filter { $0.opType == "LayerNormalization" }.count, 3, "embeddings, attention and feed-forward norms")
    }

    func testHardSigmoidOperationsStayChannelsFirst() throws {
        let model = try KerasModelFile.load(FixturePaths.fixture("keras_ops/op_hard_sigmoid_conv/model.keras"))
        // relu6(conv + 3.0) · (1/6), the SE multiply and − 0.25 all run on the convolution's NCHW output.
        XCTAssertEqual(model.graph.nodes.filter { $0.opType == "Transpose" }.count, 2, "one transpose in, one out")
        let add = try XCTUnwrap(model.graph.nodes.first { $0.opType == "Add" })
        let constant = try XCTUnwrap(model.graph.initializers.first { $0.name == add.inputs[1] })
        XCTAssertEqual(constant.shape, [], "a scalar constant keeps the layout")
        XCTAssertEqual(try constant.floatValues(), [3])
    }

    func testAttentionMasksAndRecurrentMasksAreGraphInputs() throws {
        let attention = try KerasModelFile.load(FixturePaths.fixture("keras_ops/mha_causal_and_mask/model.h5"))
        XCTAssertEqual(attention.graph.inputs.map(\.name), ["x", "mask"])
        let causal = try XCTUnwrap(attention.graph.initializers.first { $0.name.hasSuffix("causal_mask") })
        XCTAssertEqual(causal.shape, [1, 1, 5, 5])
        XCTAssertEqual(causal.dataType, .bool)
        XCTAssertEqual(attention.graph.nodes.filter { $0.opType == "Where" }.count, 1)
        XCTAssertEqual(attention.graph.nodes.filter { $0.opType == "And" }.count, 1, "the given mask and the causal mask")
        let recurrent = try KerasModelFile.load(FixturePaths.fixture("keras_ops/masked_lstm/model.keras"))
        let lstm = try XCTUnwrap(recurrent.graph.nodes.first { $0.opType == "LSTM" })
        XCTAssertEqual(lstm.inputs.count, 5, "X, W, R, B and sequence_lens")
        XCTAssertTrue(recurrent.graph.nodes.contains { $0.opType == "TopK" }, "the kept steps are moved to the front")
    }

    /// Keras 3 files whose `vars` groups carry no `name` attribute (written by earlier Keras 3
    /// releases): the weights are found under the group names Keras derives from the classes.
    func testKerasZipWithoutLayerNamesFindsWeightsByGeneratedGroupNames() throws {
        let python = try XCTUnwrap(FixturePaths.python, FixtureError.missingPython.description)
        let work = try TemporaryDirectory()
        let strip = """
            import h5py, io, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as zin, zipfile.ZipFile(sys.argv[2], "w") as zout:
                for item in zin.infolist():
                    data = zin.read(item.filename)
                    if item.filename == "model.weights.h5":
                        buffer = io.BytesIO(data)
                        with h5py.File(buffer, "r+") as f:
                            f.visititems(lambda name, obj: obj.attrs.__delitem__("name") if "name" in obj.attrs else None)
                            if "name" in f.attrs:
                                del f.attrs["name"]
                        data = buffer.getvalue()
                    zout.writestr(item, data)
            """
        var cases: [Case] = []
        for name in ["nested_sequential", "bidirectional_lstm", "functional_two_inputs_two_outputs", "shared_layer",
                     "time_distributed_conv2d", "separable_conv2d", "batch_normalization_dense"] {
            let folder = Self.fixtureFolder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.path) else { continue }
            let stripped = work.file("\(name).keras")
            let result = try runProcess(python, ["-c", strip, folder.appendingPathComponent("model.keras").path, stripped.path])
            XCTAssertEqual(result.exitCode, 0, result.standardError)
            cases.append(Case(label: "\(name)/keras without names", source: stripped, golden: folder.appendingPathComponent("golden.h5")))
        }
        guard !cases.isEmpty else { throw XCTSkip("the Keras fixtures are missing") }
        try convertAndCrossCheck(cases)
    }

    func testGeneratedGroupNamesFollowKerasSnakeCase() {
        XCTAssertEqual(KerasV3WeightStoreNaming.snakeCase("BatchNormalization"), "batch_normalization")
        XCTAssertEqual(KerasV3WeightStoreNaming.snakeCase("Conv2D"), "conv2d")
        XCTAssertEqual(KerasV3WeightStoreNaming.snakeCase("PReLU"), "p_re_lu")
        XCTAssertEqual(KerasV3WeightStoreNaming.snakeCase("LSTM"), "lstm")
        XCTAssertEqual(KerasV3WeightStoreNaming.snakeCase("InputLayer"), "input_layer")
        XCTAssertEqual(KerasV3WeightStoreNaming.snakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
    }

    // MARK: - Structure

    func testSameStridedConvolutionGetsTensorFlowsAsymmetricPads() throws {
        let model = try load("conv2d_same_strided", "h5")
        let conv = try XCTUnwrap(model.graph.nodes.first { $0.opType == "Conv" })
        // 8 wide, kernel 3, stride 2: output 4, one pixel of padding, at the end as TensorFlow puts it.
        XCTAssertEqual(conv.attribute("pads")?.ints, [0, 0, 1, 1])
        XCTAssertEqual(conv.attribute("strides")?.ints, [2, 2])
        XCTAssertEqual(model.graph.nodes.filter { $0.opType == "Transpose" }.count, 2, "one transpose in, one out")
        XCTAssertEqual(model.opsetVersion(for: ""), 17)
    }

    func testHardSigmoidFollowsKeras3() throws {
        let model = try load("activation_hard_sigmoid", "keras")
        let node = try XCTUnwrap(model.graph.nodes.first { $0.opType == "HardSigmoid" })
        XCTAssertEqual(try XCTUnwrap(node.attribute("alpha")?.float), 1.0 / 6.0, accuracy: 1e-7)
        XCTAssertEqual(node.attribute("beta")?.float, 0.5)
    }

    func testLSTMAndGRUBecomeSingleONNXNodes() throws {
        let lstm = try load("bidirectional_lstm", "keras")
        let node = try XCTUnwrap(lstm.graph.nodes.first { $0.opType == "LSTM" })
        XCTAssertEqual(node.attribute("direction")?.string, "bidirectional")
        XCTAssertEqual(node.attribute("activations")?.strings, ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"])
        let after = try load("gru_reset_after", "h5").graph.nodes.first { $0.opType == "GRU" }
        XCTAssertEqual(after?.attribute("linear_before_reset")?.int, 1)
        let before = try load("gru_reset_before", "h5").graph.nodes.first { $0.opType == "GRU" }
        XCTAssertEqual(before?.attribute("linear_before_reset")?.int, 0)
    }

    func testMobileNetKeepsConvolutionsChannelsFirstBetweenOneTransposeInAndOut() throws {
        let source = FixturePaths.repositoryRoot.appendingPathComponent("Golden/mobilenet_tiny/model.h5")
        guard FileManager.default.fileExists(atPath: source.path) else { throw XCTSkip("Golden/mobilenet_tiny is not here yet") }
        let model = try KerasModelFile.load(source)
        XCTAssertLessThanOrEqual(model.graph.nodes.filter { $0.opType == "Transpose" }.count, 1)
        XCTAssertGreaterThan(model.graph.nodes.filter { $0.opType == "Conv" }.count, 2)
        assertNoTransposePairs(model, "mobilenet_tiny")
    }

    func testOpsetOptionIsRecordedAndBounded() throws {
        let source = Self.fixtureFolder.appendingPathComponent("dense/model.h5")
        guard FileManager.default.fileExists(atPath: source.path) else { throw XCTSkip("fixture dense missing") }
        XCTAssertEqual(try KerasModelFile.load(source, options: KerasImportOptions(opset: 13)).opsetVersion(for: ""), 13)
        XCTAssertThrowsError(try KerasModelFile.load(source, options: KerasImportOptions(opset: 9))) { error in
            XCTAssertTrue("\(error)".contains("opset 9"), "\(error)")
        }
    }

    // MARK: - Helpers

    private func load(_ fixture: String, _ format: String) throws -> Model {
        let source = Self.fixtureFolder.appendingPathComponent("\(fixture)/model.\(format)")
        guard FileManager.default.fileExists(atPath: source.path) else { throw XCTSkip("fixture \(fixture) missing") }
        return try KerasModelFile.load(source)
    }

    /// Converts every case, checks its structure against golden.h5, then runs the cross-check script on all of them.
    private func convertAndCrossCheck(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) throws {
        let python = try XCTUnwrap(FixturePaths.python, FixtureError.missingPython.description)
        let work = try TemporaryDirectory()
        var rows: [String] = []
        for (index, testCase) in cases.enumerated() {
            let model: Model
            do { model = try KerasModelFile.load(testCase.source, options: KerasImportOptions(opset: testCase.opset)) } catch {
                XCTFail("\(testCase.label): \(error)", file: file, line: line)
                continue
            }
            try checkStructure(model, against: testCase.golden, label: testCase.label, file: file, line: line)
            let output = work.file("\(index).onnx")
            try ONNXModelFile.save(model, to: output)
            rows.append("\(testCase.label)\t\(output.path)\t\(testCase.golden.path)")
        }
        let list = work.file("cases.tsv")
        try rows.joined(separator: "\n").write(to: list, atomically: false, encoding: .utf8)
        let script = FixturePaths.repositoryRoot.appendingPathComponent("Tools/keras_crosscheck.py")
        let result = try runProcess(python, [script.path, "--list", list.path, "--rtol", "\(Self.rtol)", "--atol", "\(Self.atol)"], timeout: 900)
        XCTAssertEqual(result.exitCode, 0, result.standardError, file: file, line: line)
        let checks = try result.standardOutput.split(separator: "\n").map {
            try JSONDecoder().decode(CrossCheck.self, from: Data($0.utf8))
        }
        XCTAssertEqual(checks.count, rows.count, "one verdict per converted model", file: file, line: line)
        var worstAbsolute = 0.0
        for check in checks {
            XCTAssertEqual(check.checker, "ok", "\(check.case): onnx.checker", file: file, line: line)
            XCTAssertEqual(check.error, "", "\(check.case): onnxruntime", file: file, line: line)
            XCTAssertTrue(check.pass, "\(check.case) differs from Keras beyond rtol \(Self.rtol), atol \(Self.atol): \(check.outputs)",
                          file: file, line: line)
            worstAbsolute = max(worstAbsolute, check.outputs.values.compactMap(\.max_abs).max() ?? 0)
        }
        let passed = checks.filter(\.pass).count
        print("Keras cross-check: \(passed) of \(cases.count) models match Keras (rtol \(Self.rtol), atol \(Self.atol)); largest absolute error \(worstAbsolute)")
    }

    /// Inputs and outputs named and shaped as in golden.h5 (batch symbolic), and no transpose feeding a transpose.
    private func checkStructure(_ model: Model, against golden: URL, label: String, file: StaticString, line: UInt) throws {
        let data = try HDF5File(reading: golden)
        defer { try? data.close() }
        for (group, values) in [("inputs", model.graph.inputs), ("outputs", model.graph.outputs)] {
            let names = try data.members(of: group).map(\.name)
            if names.count > 1 || values.count > 1 {
                XCTAssertEqual(Set(values.map(\.name)), Set(names), "\(label): \(group) names", file: file, line: line)
            }
            for value in values {
                let datasetName = names.count == 1 ? names[0] : value.name
                let expected = try data.readDataset(at: "\(group)/\(datasetName)").shape
                guard let shape = value.type?.type.tensorType?.shape else {
                    XCTFail("\(label): \(value.name) has no shape", file: file, line: line)
                    continue
                }
                XCTAssertEqual(shape.dimensions.first?.dimension, .symbolic("batch"), "\(label): \(value.name) batch", file: file, line: line)
                // Sizes the model leaves open (inputs of unknown length) match any golden size.
                let sizes = shape.dimensions.dropFirst().map(\.dimension.value)
                XCTAssertEqual(sizes.count, expected.count - 1, "\(label): \(value.name) rank", file: file, line: line)
                XCTAssertEqual(zip(sizes, expected.dropFirst()).map { $0 ?? $1 }, Array(expected.dropFirst()),
                               "\(label): \(value.name) shape", file: file, line: line)
            }
        }
        assertNoTransposePairs(model, label, file: file, line: line)
    }

    private func assertNoTransposePairs(_ model: Model, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        var producers: [String: String] = [:]
        for node in model.graph.nodes { for output in node.outputs { producers[output] = node.opType } }
        for node in model.graph.nodes where node.opType == "Transpose" {
            XCTAssertNotEqual(producers[node.inputs[0]], "Transpose", "\(label): transpose \(node.name) follows a transpose",
                              file: file, line: line)
        }
    }
}
