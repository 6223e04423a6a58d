import Foundation
import Passes
@testable import Harness
import XCTest

/// `corpus.yml`: the documented example parses; every mistake names file:line:column and what is allowed.
final class ManifestTests: XCTestCase {
    private var corpus: URL!

    override func setUpWithError() throws {
        corpus = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        for source in ["mnist_cnn/model.h5", "resnet_tiny/model.onnx", "student_mlp/model.onnx"] {
            let url = corpus.appendingPathComponent(source)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: url)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: corpus)
    }

    static let designExample = """
        paths: [fp32, fused, fp16, int8-dynamic, int8-static, prune-50]
        defaults:
          fp32:        {rtol: 1e-4, atol: 1e-5}
          fp16:        {rtol: 1e-2, atol: 1e-3, min_cosine: 0.999}
          int8-static: {min_cosine: 0.99, max_accuracy_loss: 0.01}   # relative to golden accuracy
        models:
          mnist_cnn: {source: mnist_cnn/model.h5}
          resnet_tiny: {source: resnet_tiny/model.onnx, paths: [fp32, int8-static], tolerances: {logits: {atol: 1e-4}}}
          student_mlp: {source: student_mlp/model.onnx, teacher: mnist_cnn}   # a distilled model, judged against its teacher's golden
        external_paths:
          my-converter: {command: "python tools/convert.py {input} {output}"}            # output read as ONNX
          tflite-int8:  {command: "python Tools/paths/keras_to_tflite.py --int8 {input} {output}", format: tflite}
        """

    private func parse(_ yaml: String, checkSources: Bool = true) throws(ManifestError) -> Manifest {
        try Manifest.parse(yaml: yaml, file: "Golden/corpus.yml", corpusRoot: corpus, checkSources: checkSources)
    }

    private func error(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> ManifestError? {
        do {
            _ = try parse(yaml)
            XCTFail("expected a manifest error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testDesignExampleParses() throws {
        let manifest = try parse(Self.designExample)
        XCTAssertEqual(manifest.paths, ["fp32", "fused", "fp16", "int8-dynamic", "int8-static", "prune-50"])
        XCTAssertEqual(manifest.models.map(\.name), ["mnist_cnn", "resnet_tiny", "student_mlp"])
        XCTAssertEqual(manifest.models[0].line, 7)
        XCTAssertEqual(manifest.models[0].format, .kerasH5)
        XCTAssertEqual(manifest.models[0].sourceURL, corpus.appendingPathComponent("mnist_cnn/model.h5"))
        XCTAssertEqual(manifest.models[1].paths, ["fp32", "int8-static"])
        XCTAssertEqual(manifest.paths(for: manifest.models[0]).count, 6)
        XCTAssertEqual(manifest.models[2].teacher, "mnist_cnn")
        XCTAssertEqual(manifest.goldenModel(for: manifest.models[2]).name, "mnist_cnn")
        XCTAssertEqual(manifest.goldenModel(for: manifest.models[0]).name, "mnist_cnn")
        XCTAssertEqual(manifest.externalPaths["tflite-int8"]?.format, .tflite)
        XCTAssertEqual(manifest.externalPaths["my-converter"]?.format, .onnx)
        XCTAssertEqual(manifest.digest.count, 16)

        let resnet = try XCTUnwrap(manifest.model(named: "resnet_tiny"))
        // Per-output override on top of the fp32 defaults (whose rtol/atol replace the noise-floor gate).
        XCTAssertEqual(manifest.tolerance(model: resnet, path: "fp32", output: "logits"),
                       Thresholds([.rtol: 1e-4, .atol: 1e-4]))
        XCTAssertEqual(manifest.tolerance(model: resnet, path: "fp32", output: "other"),
                       Thresholds([.rtol: 1e-4, .atol: 1e-5]))
        XCTAssertEqual(manifest.budget(model: resnet, path: "int8-static"), Thresholds([.maxAccuracyLoss: 0.01]))
        XCTAssertEqual(manifest.tolerance(model: resnet, path: "int8-static", output: "logits"),
                       Thresholds([.minCosine: 0.99, .atol: 1e-4]))
    }

    func testPathSpecsAndCompositions() throws {
        let manifest = try parse(Self.designExample)
        XCTAssertEqual(manifest.pathSpec("fused+int8-static")?.steps, [.builtin(.fused), .builtin(.int8Static)])
        XCTAssertEqual(manifest.pathSpec("my-converter+fp16")?.steps.map(\.name), ["my-converter", "fp16"])
        XCTAssertEqual(manifest.pathSpec("fp32")?.isReference, true)
        XCTAssertNil(manifest.pathSpec("int9"))
        XCTAssertNil(manifest.pathSpec("fp32+"))
        // A composition: loosest value of each key; allclose keys only when every part has them.
        XCTAssertEqual(manifest.pathThresholds("fused+int8-static"),
                       Thresholds([.minCosine: 0.99, .maxAccuracyLoss: 0.01]))
        XCTAssertEqual(manifest.pathThresholds("fused+fp16"),
                       Thresholds([.rtol: 1e-2, .atol: 1e-3, .minCosine: 0.999, .maxAccuracyLoss: 0.005]))
        XCTAssertEqual(manifest.pathThresholds("fp32+fused"), Thresholds([.rtol: 1e-4, .atol: 1e-5]))
        let command = try XCTUnwrap(manifest.externalPaths["my-converter"])
            .shellCommand(input: URL(fileURLWithPath: "/a b/m.onnx"), output: URL(fileURLWithPath: "/o/it's.onnx"))
        XCTAssertEqual(command, "python tools/convert.py '/a b/m.onnx' '/o/it'\\''s.onnx'")
    }

    func testModelOverridesPerPathPerOutputAndNullRemovesAGate() throws {
        let manifest = try parse("""
            paths: [fp32, int8-static]
            defaults:
              int8-static: {min_cosine: 0.98, max_size_ratio: 0.3}
            models:
              m:
                source: resnet_tiny/model.onnx
                tolerances:
                  min_snr_db: 20
                  int8-static: {min_cosine: null, logits: {min_cosine: 0.9}}
                  probs: {atol: 0.5}
                budgets:
                  max_size_bytes: 1000
                  int8-static: {max_accuracy_loss: 0.02}
            """)
        let model = manifest.models[0]
        XCTAssertEqual(manifest.tolerance(model: model, path: "int8-static", output: "probs"),
                       Thresholds([.minSNRdB: 20, .atol: 0.5]))
        XCTAssertEqual(manifest.tolerance(model: model, path: "int8-static", output: "logits"),
                       Thresholds([.minSNRdB: 20, .minCosine: 0.9]))
        XCTAssertEqual(manifest.budget(model: model, path: "int8-static"),
                       Thresholds([.maxSizeRatio: 0.3, .maxAccuracyLoss: 0.02, .maxSizeBytes: 1000]))
        XCTAssertEqual(manifest.budget(model: model, path: "fp32"), Thresholds([.maxSizeBytes: 1000]))
    }

    func testUnknownModelKeyNamesFileLineColumnAndAllowedKeys() {
        let manifest = """
            paths: [fp32]
            defaults:
              fp32: {rtol: 1e-4}
            models:
              resnet_tiny: {source: resnet_tiny/model.onnx}
              mnist_cnn:
                source: mnist_cnn/model.h5
                tolerance: {atol: 1e-3}
            """
        XCTAssertEqual(error(manifest)?.description,
                       "Golden/corpus.yml:8:5: unknown key 'tolerance' in model 'mnist_cnn' (did you mean 'tolerances'?); "
                       + "allowed: source, paths, tolerances, teacher, budgets, options")
    }

    func testUnknownKeysAtEveryLevel() {
        XCTAssertEqual(error("modles: {}\n")?.description,
                       "Golden/corpus.yml:1:1: unknown key 'modles' in the manifest (did you mean 'models'?); allowed: paths, defaults, models, external_paths")
        let threshold = error("paths: [fp32]\ndefaults:\n  fp32: {rtol: 1e-4, min_cosin: 0.9}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(threshold?.line, 3)
        XCTAssertEqual(threshold?.column, 22)
        XCTAssertTrue(threshold?.description.contains("unknown key 'min_cosin' in defaults for 'fp32' (did you mean 'min_cosine'?); allowed: rtol, atol, min_cosine") ?? false,
                      threshold?.description ?? "")
        let external = error("paths: [fp32]\nmodels: {m: {source: mnist_cnn/model.h5}}\nexternal_paths:\n  x: {cmd: 'a {input} {output}'}\n")
        XCTAssertEqual(external?.description, "Golden/corpus.yml:4:7: unknown key 'cmd' in external path 'x'; allowed: command, format")
        let budget = error("paths: [fp32]\nmodels:\n  m: {source: mnist_cnn/model.h5, tolerances: {max_size_ratio: 0.5}}\n")
        XCTAssertEqual(budget?.description,
                       "Golden/corpus.yml:3:48: 'max_size_ratio' cannot be set in 'tolerances' of model 'm'; it belongs under 'budgets'")
        let outputInBudgets = error("paths: [fp32]\nmodels:\n  m: {source: mnist_cnn/model.h5, budgets: {logits: {atol: 1}}}\n")
        XCTAssertEqual(outputInBudgets?.line, 3)
        XCTAssertTrue(outputInBudgets?.description.contains("unknown key 'logits' in 'budgets' of model 'm'") ?? false)
    }

    func testBadValues() {
        let text = error("paths: [fp32]\ndefaults:\n  fp32: {rtol: tight}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(text?.description, "Golden/corpus.yml:3:16: 'rtol' must be a non-negative number or null, not 'tight'")
        let negative = error("paths: [fp32]\ndefaults:\n  fp32: {atol: -1}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(negative?.description, "Golden/corpus.yml:3:16: 'atol' must be a non-negative number, not -1")
        let cosine = error("paths: [fp32]\ndefaults:\n  fp32: {min_cosine: 1.5}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(cosine?.description, "Golden/corpus.yml:3:22: 'min_cosine' must be a number from -1 to 1, not 1.5")
        let format = error("paths: [fp32]\nmodels: {m: {source: mnist_cnn/model.h5}}\nexternal_paths:\n  x: {command: 'c {input} {output}', format: coreml}\n")
        XCTAssertEqual(format?.description, "Golden/corpus.yml:4:46: unknown format 'coreml' of external path 'x'; allowed: onnx, tflite")
        let placeholder = error("paths: [fp32]\nmodels: {m: {source: mnist_cnn/model.h5}}\nexternal_paths:\n  x: {command: 'c {input} out.onnx'}\n")
        XCTAssertEqual(placeholder?.line, 4)
        XCTAssertTrue(placeholder?.description.contains("has no {output} placeholder") ?? false)
        let list = error("paths: {fp32: 1}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(list?.description, "Golden/corpus.yml:1:8: 'paths' must be a list of path names, such as [fp32, fp16]")
        let syntax = error("paths: [fp32\nmodels: {}\n")
        XCTAssertEqual(syntax?.file, "Golden/corpus.yml")
        XCTAssertGreaterThan(syntax?.line ?? 0, 0)
        XCTAssertTrue(syntax?.description.contains("invalid YAML") ?? false)
        let duplicate = error("paths: [fp32]\nmodels:\n  m: {source: mnist_cnn/model.h5}\n  m: {source: mnist_cnn/model.h5}\n")
        XCTAssertTrue(duplicate?.description.contains("duplicate key 'm'") ?? false, duplicate?.description ?? "")
    }

    func testShapeOfTheDocument() {
        XCTAssertEqual(error("")?.description, "Golden/corpus.yml:1:1: the manifest is empty; it needs at least 'models'; allowed: paths, defaults, models, external_paths")
        XCTAssertEqual(error("# only a comment\n")?.line, 1)
        XCTAssertEqual(error("- fp32\n- fp16\n")?.description, "Golden/corpus.yml:1:1: the manifest must be a mapping of keys to values, not a list")
        XCTAssertEqual(error("paths: [fp32]\n")?.description, "Golden/corpus.yml:1:1: the manifest has no 'models'; allowed: paths, defaults, models, external_paths")
        XCTAssertEqual(error("paths: [fp32]\nmodels: {}\n")?.description, "Golden/corpus.yml:2:9: 'models' is empty; list at least one model")
        XCTAssertEqual(error("paths: [fp32]\nmodels:\n  mnist_cnn:\n")?.description,
                       "Golden/corpus.yml:3:13: model 'mnist_cnn' must be a mapping of keys to values, not a single value")
        XCTAssertEqual(error("paths: [fp32]\nmodels:\n  mnist cnn: {source: mnist_cnn/model.h5}\n")?.description,
                       "Golden/corpus.yml:3:3: model name 'mnist cnn' may only use letters, digits, '_', '-' and '.'")
        XCTAssertEqual(error("paths: [fp32]\ndefaults:\n  fp32: {rtol: true}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")?.description,
                       "Golden/corpus.yml:3:16: 'rtol' must be a non-negative number or null, not 'true'")
        XCTAssertEqual(error("paths: [fp32]\ndefaults:\n  fp32: {rtol: .inf}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")?.line, 3)
    }

    /// Every name `optimize --path` parses is a corpus path, with the same components; the
    /// names it refuses are refused by `corpus.yml` too.
    func testCorpusAcceptsEveryPathNameOptimizeAccepts() throws {
        let names = ["fp32", "fused", "fp16", "int8-dynamic", "int8-static", "int8-auto", "prune-50", "prune-30", "prune-12.5",
                     "prune-99", "prune-channels-25", "prune-channels-10", "fused+int8-static", "prune-50+int8-auto", "prune-30+fp16",
                     "prune-channels-25+fused+int8-dynamic"]
        for name in names {
            let optimize = try OptimizationPath(parsing: name)
            let manifest = try parse("paths: [\(name)]\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
            XCTAssertEqual(manifest.paths, [name])
            XCTAssertEqual(manifest.pathSpec(name)?.steps, optimize.components.map(PathStep.builtin), name)
        }
        for name in ["prune-0", "prune-100", "prune-x", "prune-channels-", "int8", "fp32+"] {
            XCTAssertThrowsError(try OptimizationPath(parsing: name), name)
            XCTAssertNotNil(error("paths: [\(name)]\nmodels: {m: {source: mnist_cnn/model.h5}}\n"), name)
        }
        XCTAssertEqual(try parse("paths: [prune-30]\nmodels: {m: {source: mnist_cnn/model.h5}}\n").pathThresholds("prune-30"),
                       Thresholds([.minCosine: 0.95, .maxAccuracyLoss: 0.02]))
    }

    func testUnknownPathNames() {
        let top = error("paths: [fp32, int9]\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(top?.description, "Golden/corpus.yml:1:15: unknown path 'int9' in 'paths'; "
                       + "allowed: fp32, fused, fp16, int8-dynamic, int8-static, int8-auto, prune-<N>, prune-channels-<N>, or a composition a+b of them")
        let composed = error("paths: [fp32]\nmodels:\n  m: {source: mnist_cnn/model.h5, paths: [fused+int8-statik]}\nexternal_paths: {conv: {command: 'c {input} {output}'}}\n")
        XCTAssertEqual(composed?.line, 3)
        XCTAssertTrue(composed?.description.contains("unknown path 'int8-statik' in 'fused+int8-statik' in 'paths' of model 'm' (did you mean 'int8-static'?); allowed: fp32, fused, fp16, int8-dynamic, int8-static, int8-auto, prune-<N>, prune-channels-<N>, conv, or a composition") ?? false,
                      composed?.description ?? "")
        let defaults = error("paths: [fp32]\ndefaults: {fp8: {rtol: 1}}\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(defaults?.line, 2)
        XCTAssertEqual(defaults?.column, 12)
        XCTAssertNotNil(try? parse("paths: [fp32, conv+fp16]\nmodels: {m: {source: mnist_cnn/model.h5}}\nexternal_paths: {conv: {command: 'c {input} {output}'}}\n"))
        let shadow = error("paths: [fp32]\nmodels: {m: {source: mnist_cnn/model.h5}}\nexternal_paths: {fp16: {command: 'c {input} {output}'}}\n")
        XCTAssertTrue(shadow?.description.contains("has the name of a built-in path") ?? false)
        let missingPaths = error("models: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(missingPaths?.description, "Golden/corpus.yml:1:10: model 'm' lists no 'paths' and the manifest has no top-level 'paths'")
        let duplicated = error("paths: [fp32, fp32]\nmodels: {m: {source: mnist_cnn/model.h5}}\n")
        XCTAssertEqual(duplicated?.description, "Golden/corpus.yml:1:15: path 'fp32' appears twice in 'paths'")
    }

    func testMissingAndUnreadableSources() throws {
        let missing = error("paths: [fp32]\nmodels:\n  ghost:\n    source: ghost/model.onnx\n")
        XCTAssertEqual(missing?.line, 4)
        XCTAssertEqual(missing?.column, 13)
        XCTAssertTrue(missing?.description.hasPrefix("Golden/corpus.yml:4:13: source 'ghost/model.onnx' of model 'ghost' does not exist") ?? false,
                      missing?.description ?? "")
        XCTAssertNoThrow(try parse("paths: [fp32]\nmodels:\n  ghost:\n    source: ghost/model.onnx\n", checkSources: false))
        let format = error("paths: [fp32]\nmodels:\n  m: {source: m/model.pt}\n")
        XCTAssertEqual(format?.description, "Golden/corpus.yml:3:15: source 'm/model.pt' of model 'm' is not a model file ModelGate reads; allowed: .onnx, .h5, .keras, .tflite")
        let noSource = error("paths: [fp32]\nmodels:\n  m: {paths: [fp32]}\n")
        XCTAssertEqual(noSource?.description, "Golden/corpus.yml:3:3: model 'm' has no 'source'; allowed: source, paths, tolerances, teacher, budgets, options")

        XCTAssertThrowsError(try Manifest.load(corpus: corpus)) { error in
            XCTAssertTrue(String(describing: error).contains("corpus.yml: cannot read the corpus manifest: no such file"), "\(error)")
        }
        try Self.designExample.write(to: corpus.appendingPathComponent("corpus.yml"), atomically: false, encoding: .utf8)
        XCTAssertEqual(try Manifest.load(corpus: corpus).models.count, 3)
    }

    func testTeachers() {
        let unknown = error("paths: [fp32]\nmodels:\n  a: {source: mnist_cnn/model.h5, teacher: b}\n  c: {source: resnet_tiny/model.onnx}\n")
        XCTAssertEqual(unknown?.description, "Golden/corpus.yml:3:44: teacher 'b' of model 'a' is not a model of this manifest; allowed: c")
        let own = error("paths: [fp32]\nmodels:\n  a: {source: mnist_cnn/model.h5, teacher: a}\n")
        XCTAssertEqual(own?.description, "Golden/corpus.yml:3:44: model 'a' is its own teacher")
        let cycle = error("""
            paths: [fp32]
            models:
              a: {source: mnist_cnn/model.h5, teacher: b}
              b: {source: resnet_tiny/model.onnx, teacher: c}
              c: {source: student_mlp/model.onnx, teacher: a}
            """)
        XCTAssertEqual(cycle?.description, "Golden/corpus.yml:3:44: teachers form a cycle: a → b → c → a")
    }

    func testEditDistance() {
        XCTAssertEqual(ManifestParser.editDistance("tolerance", "tolerances"), 1)
        XCTAssertEqual(ManifestParser.editDistance("", "abc"), 3)
        XCTAssertEqual(ManifestParser.editDistance("kitten", "sitting"), 3)
    }
}
