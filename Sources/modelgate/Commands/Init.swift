import ArgumentParser
import Foundation
import Harness

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start an empty corpus: a commented corpus.yml and a README.",
        discussion: "Writes DIR/corpus.yml (no models yet; `modelgate add` adds them) and DIR/README.md. Existing files are kept.")

    @Argument(help: "The corpus folder (created when missing).") var directory = "."

    func run() throws {
        let folder = URL(fileURLWithPath: directory)
        let manifest = folder.appendingPathComponent("corpus.yml")
        guard !FileManager.default.fileExists(atPath: manifest.path) else {
            throw CommandFailure("\(manifest.path) already exists; add models to it with `modelgate add MODEL --corpus \(directory)`")
        }
        try CommandFailure.reporting {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(CorpusManifestText.template().utf8).write(to: manifest, options: .withoutOverwriting)
            let readme = folder.appendingPathComponent("README.md")
            if !FileManager.default.fileExists(atPath: readme.path) {
                try Data(Self.readme(directory).utf8).write(to: readme, options: .withoutOverwriting)
            }
        }
        print("wrote \(manifest.path); next: modelgate add MODEL --corpus \(directory), then modelgate run --corpus \(directory)")
    }

    static func readme(_ directory: String) -> String {
        """
        # Model corpus

        The models this project gates its releases on, validated by ModelGate.

        - `modelgate add MODEL --corpus \(directory)` adds a model: it is copied into its own folder with
          `golden.h5` (golden outputs) and `calibration.h5` (int8 calibration data) and listed in `corpus.yml`.
        - `modelgate run --corpus \(directory)` runs every model through every path of `corpus.yml`, writes
          `Reports/<run-id>/` (report.json, report.html, junit.xml, summary.md) and exits 0 when every gate
          passes, 1 when one fails.

        """
    }
}
