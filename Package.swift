// swift-tools-version:5.10
// noisescope: is my stochastic-gradient noise heavy-tailed?
// Data flows one way, and the targets follow it:
//   NoiseScopeModels → NoiseScopeSampling → NoiseScopeStatistics → NoiseScopeFigures → noisescope (CLI)
// NoiseScopeTraining (optimizers, trainer, checkpoints) sits beside sampling: it moves the
// model's parameters, which the sampler then measures.
// CGSL is the single bridge to the native libraries (GSL and OpenBLAS).
import PackageDescription

let package = Package(
    name: "noisescope",
    products: [
        .library(name: "NoiseScope", targets: ["NoiseScope"]),
        .executable(name: "noisescope", targets: ["noisescope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .target(name: "NoiseScopeModels", dependencies: ["CGSL"]),
        .target(name: "NoiseScopeStatistics", dependencies: ["CGSL"]),
        .target(name: "NoiseScopeSampling", dependencies: ["NoiseScopeModels", "NoiseScopeStatistics"]),
        .target(name: "NoiseScopeTraining", dependencies: ["NoiseScopeModels", "NoiseScopeSampling", "NoiseScopeStatistics"]),
        .target(name: "NoiseScopeFigures", dependencies: ["NoiseScopeStatistics"]),
        .target(name: "NoiseScope", dependencies: ["NoiseScopeModels", "NoiseScopeSampling", "NoiseScopeTraining", "NoiseScopeStatistics", "NoiseScopeFigures"]),
        .executableTarget(
            name: "noisescope",
            dependencies: [
                "NoiseScope",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "noisescope-statistics-benchmarks", dependencies: ["NoiseScopeStatistics"],
                          path: "Sources/StatisticsBenchmarks"),
        .testTarget(name: "NoiseScopeStatisticsTests", dependencies: ["NoiseScopeStatistics"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "NoiseScopeModelsTests", dependencies: ["NoiseScopeModels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NoiseScopeSamplingTests", dependencies: ["NoiseScopeSampling"]),
        .testTarget(name: "NoiseScopeTrainingTests", dependencies: ["NoiseScopeTraining"]),
        .testTarget(name: "NoiseScopeFiguresTests", dependencies: ["NoiseScopeFigures"], resources: [.copy("Golden")]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["NoiseScopeStatistics", "NoiseScopeTraining"]),
        .testTarget(name: "CommandLineTests", dependencies: ["noisescope", "NoiseScopeStatistics"]),
    ]
)
