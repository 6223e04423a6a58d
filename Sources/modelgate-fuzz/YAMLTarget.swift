import Foundation
import Harness

/// `corpus.yml`: Yams parsing and the manifest's validation, then the cell plan and every cell's
/// budget, as `modelgate run` reads a corpus (sources resolve against the bundled `Golden/`).
struct YAMLTarget: FuzzTarget {
    let name = "yml"
    let root: URL

    func seeds(root: URL) -> [URL] {
        let seeds = root.appendingPathComponent("Tests/Fixtures/fuzz/seeds/yml")
        let files = (try? FileManager.default.contentsOfDirectory(at: seeds, includingPropertiesForKeys: nil)) ?? []
        return [root.appendingPathComponent("Golden/corpus.yml")] + files.filter { $0.pathExtension == "yml" }.sorted { $0.path < $1.path }
    }

    func run(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        let manifest = try Manifest.parse(yaml: text, file: "fuzz.yml", corpusRoot: root.appendingPathComponent("Golden"))
        let plan = try CellPlan(manifest: manifest, paths: nil)
        for cell in plan.cells {
            guard let model = manifest.model(named: cell.model) else { continue }
            _ = manifest.budget(model: model, path: cell.path)
            _ = manifest.pathSpec(cell.path)
        }
    }
}
