import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

final class ONNXModelFileTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// A small model with one of everything the writer must keep: typed and raw tensors,
    /// metadata, doc strings, a symbolic dimension, a subgraph and a function.
    private func sampleModel() throws -> Model {
        var weights = try Tensor(name: "W", shape: [2, 2], scalars: [Float](arrayLiteral: 1, -2, 3.5, .nan))
        weights.docString = "weights"
        weights.metadata = [MetadataEntry("origin", "test")]
        var shape = try Tensor(name: "shape", shape: [2], scalars: [Int64](arrayLiteral: -1, 2))
        shape.encoding = .typedFields
        let half = try Tensor(name: "h", converting: [0.5, 65504], to: .float16, shape: [2])
        let branch = Graph(name: "then", nodes: [Node(opType: "Identity", inputs: ["X"], outputs: ["T"])],
                           outputs: [ValueInfo(name: "T", elementType: .float, shape: nil)])
        let graph = Graph(
            name: "sample",
            nodes: [
                Node(name: "mm", opType: "MatMul", inputs: ["X", "W"], outputs: ["Y"], docString: "matmul",
                     metadata: [MetadataEntry("k", "v")]),
                Node(name: "if", opType: "If", inputs: ["cond"], outputs: ["Z"],
                     attributes: [Attribute(name: "then_branch", value: .graph(branch)),
                                  Attribute(name: "else_branch", value: .graph(branch))]),
                Node(name: "f", opType: "Twice", domain: "custom", inputs: ["Y"], outputs: ["F"],
                     attributes: [Attribute(name: "alpha", value: .float(0.25)), Attribute(name: "names", value: .strings([Array("a".utf8)]))]),
            ],
            initializers: [weights, shape, half],
            inputs: [ValueInfo(name: "X", elementType: .float, shape: TensorShape([.symbolic("batch"), .fixed(2)])),
                     ValueInfo(name: "cond", elementType: .bool, shape: TensorShape(fixed: []))],
            outputs: [ValueInfo(name: "Z", elementType: .float, shape: nil), ValueInfo(name: "F", elementType: .float, shape: nil)],
            docString: "a graph")
        let function = Function(name: "Twice", domain: "custom", inputs: ["x"], outputs: ["y"], attributeNames: ["alpha"],
                                nodes: [Node(opType: "Add", inputs: ["x", "x"], outputs: ["y"])],
                                opsetImports: [OpsetImport(domain: "", version: 17)])
        return Model(irVersion: 9, opsetImports: [OpsetImport(domain: "", version: 17), OpsetImport(domain: "custom", version: 1)],
                     producerName: "tests", producerVersion: "1", modelVersion: 3, docString: "doc", graph: graph,
                     metadata: [MetadataEntry("author", "me")], functions: [function])
    }

    func testSaveThenLoadGivesTheSameModel() throws {
        let model = try sampleModel()
        let url = work.appendingPathComponent("m.onnx")
        try ONNXModelFile.save(model, to: url)
        let loaded = try ONNXModelFile.load(url)
        XCTAssertEqual(loaded.graph.nodes, model.graph.nodes)
        XCTAssertEqual(loaded.graph.inputs, model.graph.inputs)
        XCTAssertEqual(loaded.functions, model.functions)
        XCTAssertEqual(loaded.metadata, model.metadata)
        XCTAssertEqual(loaded.modelVersion, 3)
        for (a, b) in zip(loaded.graph.initializers, model.graph.initializers) {
            XCTAssertTrue(a == b, "initializer \(a.name)")
            XCTAssertEqual(a.encoding, b.encoding, "encoding of \(a.name)")
            XCTAssertEqual(a.metadata, b.metadata)
            XCTAssertEqual(a.docString, b.docString)
        }
        XCTAssertEqual(try ONNXModelFile.encode(loaded), try ONNXModelFile.encode(model))
    }

    func testExternalDataIsReadFromTheModelFolderAndWrittenBack() throws {
        var model = try sampleModel()
        model.graph.initializers[0].encoding = .external(ExternalDataReference(location: "weights.bin"))
        let source = work.appendingPathComponent("a/m.onnx")
        try FileManager.default.createDirectory(at: source.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ONNXModelFile.save(model, to: source)
        let dataFile = work.appendingPathComponent("a/m.onnx.data")
        XCTAssertEqual(try Data(contentsOf: dataFile).count, 16, "external tensors go to <file name>.data, not the location they were read from")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("a/weights.bin").path))

        let loaded = try ONNXModelFile.load(source)
        XCTAssertTrue(loaded.graph.initializers[0] == model.graph.initializers[0])
        guard case .external(let reference) = loaded.graph.initializers[0].encoding else {
            return XCTFail("the initializer should stay external")
        }
        XCTAssertEqual(reference.location, "m.onnx.data")
        XCTAssertEqual(reference.offset, 0)
        XCTAssertEqual(reference.length, 16)
        XCTAssertTrue(loaded.usesExternalData)
    }

    /// Two models derived from one with external data and saved in its folder (a run's fp16 and
    /// int8 results of a model with `model.onnx.data`) each write their own data file: writing
    /// them to the source's location made each overwrite the other's and the source's weights.
    func testModelsSavedInOneFolderKeepTheirOwnExternalData() throws {
        func bits(_ model: Model) throws -> [UInt32] { try model.graph.initializers[0].floatValues().map(\.bitPattern) }
        var model = try sampleModel()
        model.graph.initializers[0].encoding = .external(ExternalDataReference(location: "model.onnx.data"))
        let folder = work.appendingPathComponent("shared")
        let source = folder.appendingPathComponent("model.onnx")
        try ONNXModelFile.save(model, to: source)
        let original = try ONNXModelFile.load(source)

        var changed = original
        let values = try changed.graph.initializers[0].floatValues().map { $0 + 1 }
        let encoding = changed.graph.initializers[0].encoding
        changed.graph.initializers[0] = try Tensor(name: changed.graph.initializers[0].name, shape: changed.graph.initializers[0].shape, scalars: values)
        changed.graph.initializers[0].encoding = encoding
        try ONNXModelFile.save(changed, to: folder.appendingPathComponent("changed.onnx"))
        try ONNXModelFile.save(original, to: folder.appendingPathComponent("copy.onnx"))

        XCTAssertEqual(try bits(ONNXModelFile.load(source)), try bits(original),
                       "the source's weights are untouched")
        XCTAssertEqual(try bits(ONNXModelFile.load(folder.appendingPathComponent("changed.onnx"))), values.map(\.bitPattern))
        XCTAssertEqual(try bits(ONNXModelFile.load(folder.appendingPathComponent("copy.onnx"))), try bits(original))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(files, ["changed.onnx", "changed.onnx.data", "copy.onnx", "copy.onnx.data", "model.onnx", "model.onnx.data"])
    }

    func testExternalDataOutsideTheModelFolderIsRefused() throws {
        var model = try sampleModel()
        model.graph.initializers[0].encoding = .external(ExternalDataReference(location: "w.bin"))
        let url = work.appendingPathComponent("m.onnx")
        try ONNXModelFile.save(model, to: url)
        var proto = try Data(contentsOf: url)
        let range = try XCTUnwrap(proto.range(of: Data("m.onnx.data".utf8)))
        proto.replaceSubrange(range, with: Data("../m.onnx.d".utf8))
        XCTAssertThrowsError(try ONNXModelFile.decode(proto, file: "m.onnx", directory: work)) { error in
            XCTAssertTrue("\(error)".contains("leaves the model's folder"), "\(error)")
            XCTAssertTrue("\(error)".contains("m.onnx"), "\(error)")
        }

        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString).bin")
        try Data(count: 16).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.removeItem(at: work.appendingPathComponent("m.onnx.data"))
        try FileManager.default.createSymbolicLink(at: work.appendingPathComponent("m.onnx.data"), withDestinationURL: outside)
        XCTAssertThrowsError(try ONNXModelFile.load(url)) { error in
            XCTAssertTrue("\(error)".contains("resolves outside the model's folder"), "\(error)")
        }
    }

    func testDamagedFilesGiveAnErrorNamingTheFile() throws {
        let model = try sampleModel()
        let good = try ONNXModelFile.encode(model)
        let truncated = work.appendingPathComponent("truncated.onnx")
        try good.prefix(good.count / 2).write(to: truncated)
        XCTAssertThrowsError(try ONNXModelFile.load(truncated)) { error in
            XCTAssertTrue("\(error)".hasPrefix(truncated.path), "\(error)")
        }
        let text = work.appendingPathComponent("notes.onnx")
        try Data("this is not a model".utf8).write(to: text)
        XCTAssertThrowsError(try ONNXModelFile.load(text)) { error in
            XCTAssertTrue("\(error)".contains(text.path), "\(error)")
        }
        XCTAssertThrowsError(try ONNXModelFile.load(work.appendingPathComponent("missing.onnx"))) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
    }

    func testTensorLimitIsCheckedBeforeAllocating() throws {
        var model = try sampleModel()
        model.graph.initializers[1].encoding = .typedFields
        let data = try ONNXModelFile.encode(model)
        XCTAssertThrowsError(try ONNXModelFile.decode(data, limits: ModelLimits(maxTensorBytes: 8))) { error in
            XCTAssertTrue("\(error)".contains("over the limit of 8"), "\(error)")
        }
    }

    func testTensorProtoFilesRoundTrip() throws {
        let tensor = try Tensor(name: "x", converting: [1, 2, 3, 4, 5, 6], to: .bfloat16, shape: [1, 2, 3])
        let url = work.appendingPathComponent("input_0.pb")
        try TensorProtoFile.save(tensor, to: url)
        let loaded = try TensorProtoFile.load(url)
        XCTAssertTrue(loaded == tensor)
        XCTAssertEqual(try loaded.floatValues(), [1, 2, 3, 4, 5, 6])
    }
}
