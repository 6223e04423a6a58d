// swift-tools-version:6.1
import PackageDescription

/// Targets follow the layers of docs/architecture.md: every arrow points down.
///
///     modelgate → Reports → Harness → Passes, Executor, GraphChecker, ModelFormats → ModelIR
///     ModelFormats → ONNXProto, CHDF5, ZIPFoundation;  Executor → CBLAS, CDNNLKernels (→ oneDNN), CQuantizedKernels, CFloatKernels
let package = Package(
    name: "ModelGate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "modelgate", targets: ["modelgate"]),
        .library(name: "ModelGateKit", targets: ["Harness", "Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CDNNLKernels", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(name: "CQuantizedKernels"),
        .target(name: "CFloatKernels"),
        .target(name: "ONNXProto",
                dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
                swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "ModelIR"),
        .target(name: "ModelFormats",
                dependencies: ["ModelIR", "ONNXProto", "CHDF5",
                               .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "GraphChecker", dependencies: ["ModelIR"]),
        .target(name: "Executor", dependencies: ["ModelIR", "GraphChecker", "CBLAS", "CDNNLKernels", "CQuantizedKernels", "CFloatKernels"]),
        .target(name: "Passes", dependencies: ["ModelIR", "GraphChecker"]),
        .target(name: "Harness",
                dependencies: ["ModelIR", "ModelFormats", "GraphChecker", "Executor", "Passes",
                               .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Reports", dependencies: ["Harness", "Passes"]),
        .executableTarget(name: "modelgate",
                          dependencies: ["ModelIR", "ModelFormats", "GraphChecker", "Executor",
                                         "Passes", "Harness", "Reports",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "modelgate-fuzz",
                          dependencies: ["ModelIR", "ModelFormats", "GraphChecker", "Harness",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "check-benchmark", dependencies: ["GraphChecker", "ModelFormats", "ModelIR"],
                          path: "Benchmarks/CheckBenchmark"),
        .target(name: "TestSupport", dependencies: ["ModelIR", "ModelFormats"], path: "Tests/TestSupport"),
        .testTarget(name: "ModelIRTests", dependencies: ["ModelIR", "TestSupport"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "ModelIR", "ONNXProto", "TestSupport"]),
        .testTarget(name: "GraphCheckerTests",
                    dependencies: ["GraphChecker", "ModelIR", "ModelFormats", "ONNXProto", "TestSupport",
                                   .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "GraphChecker", "ModelFormats", "ModelIR", "Passes", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Harness", "GraphChecker", "TestSupport"]),
        .testTarget(name: "modelgateTests", dependencies: ["Reports", "Harness", "ModelIR", "TestSupport"]),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "ModelIR", "ModelFormats", "TestSupport"]),
        .testTarget(name: "TFLiteTests", dependencies: ["ModelFormats", "Executor", "GraphChecker", "ModelIR", "TestSupport"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Harness", "Executor", "ModelFormats", "ModelIR", "TestSupport"]),
        .testTarget(name: "PassesTests", dependencies: ["Passes", "Harness", "Executor", "GraphChecker", "ModelIR", "ModelFormats", "TestSupport"]),
    ]
)
