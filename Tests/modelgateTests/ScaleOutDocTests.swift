import Foundation
import TestSupport
import XCTest
import Yams

/// docs/scale-out.md: every YAML example parses, and every `modelgate` command line in it names a
/// command and options that `modelgate` has.
final class ScaleOutDocTests: XCTestCase {
    static let document = FixturePaths.repositoryRoot.appendingPathComponent("docs/scale-out.md")

    /// The fenced blocks of `text` of the given language.
    static func blocks(_ text: String, language: String) -> [String] {
        var blocks: [String] = [], current: [String]?
        for line in text.components(separatedBy: "\n") {
            if current == nil, line == "```\(language)" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    func testYAMLExamplesParse() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let yaml = Self.blocks(text, language: "yaml")
        XCTAssertEqual(yaml.count, 3, "GitHub Actions, GitLab CI, Kubernetes")
        for block in yaml {
            let parsed = try Yams.load(yaml: block)
            XCTAssertNotNil(parsed as? [String: Any], block)
        }
        let job = try XCTUnwrap(try Yams.load(yaml: yaml[2]) as? [String: Any])
        let spec = try XCTUnwrap(job["spec"] as? [String: Any])
        XCTAssertEqual(spec["completionMode"] as? String, "Indexed")
        XCTAssertEqual(spec["completions"] as? Int, 4)
    }

    func testCommandLinesUseCommandsAndOptionsModelGateHas() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let lines = text.components(separatedBy: "\n").compactMap { line -> [String]? in
            guard let start = line.range(of: "modelgate ") , !line.contains("modelgate:"), !line.contains("name = \"modelgate\""),
                  line[start.upperBound...].first.map({ $0.isLowercase }) == true else { return nil }
            let command = line[start.upperBound...].prefix { $0 != "\"" && $0 != "`" }
            return command.split(separator: " ").map(String.init)
        }
        XCTAssertGreaterThanOrEqual(lines.count, 8, "\(lines)")
        var helps: [String: String] = [:]
        for words in lines {
            let command = try XCTUnwrap(words.first)
            XCTAssertTrue(["run", "merge"].contains(command), "\(words)")
            if helps[command] == nil {
                let help = try runProcess(modelgateExecutable, [command, "--help"])
                XCTAssertEqual(help.exitCode, 0)
                helps[command] = help.standardOutput
            }
            for option in words where option.hasPrefix("--") {
                XCTAssertTrue(helps[command]!.contains(option), "modelgate \(command) has no \(option): \(words)")
            }
        }
    }
}
