// swift-tools-version:5.10
// noisescope: is my stochastic-gradient noise heavy-tailed?
// Data flows one way, and the targets follow it (each arrow: "is imported by"):
//   NoiseScopeCore (error, RNG, files, text) → NoiseScopeModels, NoiseScopeStatistics
//   NoiseScopeModels + NoiseScopeStatistics → NoiseScopeSampling → NoiseScopeTraining
//   NoiseScopeCore → NoiseScopePlot (the plotting engine, no statistics)
//   NoiseScopePlot + NoiseScopeStatistics → NoiseScopeFigures (the figures of a run)
//   all of them → NoiseScope (the application layer: workflows, run directories,
//   documents, presentation) → noisescope (the command line: parse, call, print)
// CGSL is the single bridge to the native libraries (GSL and OpenBLAS).
import PackageDescription

let package = Package(
    name: "noisescope",
    products: [
        .library(name: "NoiseScope", targets: ["NoiseScope"]),
        // For users who only want the tail check on their own samples.
        .library(name: "NoiseScopeStatistics", targets: ["NoiseScopeStatistics"]),
        .executable(name: "noisescope", targets: ["noisescope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .target(name: "NoiseScopeCore", dependencies: ["CGSL"]),
        .target(name: "NoiseScopeModels", dependencies: ["CGSL", "NoiseScopeCore"],
                // The data files the bundled models read, found beside the executable (BundledData.swift).
                resources: [.copy("BundledData")]),
        .target(name: "NoiseScopeStatistics", dependencies: ["CGSL", "NoiseScopeCore"]),
        // The `bench` measurements (the sgemm rate, gradients per second of each model).
        .target(name: "NoiseScopeBenchmarks", dependencies: ["CGSL", "NoiseScopeCore", "NoiseScopeModels"]),
        .target(name: "NoiseScopeSampling", dependencies: ["CGSL", "NoiseScopeCore", "NoiseScopeModels", "NoiseScopeStatistics"]),
        .target(name: "NoiseScopeTraining", dependencies: ["NoiseScopeCore", "NoiseScopeModels", "NoiseScopeSampling", "NoiseScopeStatistics"]),
        // The plotting engine knows nothing about noise or statistics; the figures of a run sit on it.
        .target(name: "NoiseScopePlot", dependencies: ["NoiseScopeCore"]),
        .target(name: "NoiseScopeFigures", dependencies: ["NoiseScopeCore", "NoiseScopePlot", "NoiseScopeStatistics"]),
        .target(name: "NoiseScope", dependencies: ["NoiseScopeCore", "NoiseScopeModels", "NoiseScopeBenchmarks", "NoiseScopeSampling", "NoiseScopeTraining", "NoiseScopeStatistics", "NoiseScopePlot", "NoiseScopeFigures"]),
        .executableTarget(
            name: "noisescope",
            dependencies: [
                "NoiseScope",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "noisescope-statistics-benchmarks", dependencies: ["NoiseScopeCore", "NoiseScopeStatistics"],
                          path: "Sources/StatisticsBenchmarks"),
        .testTarget(name: "NoiseScopeStatisticsTests", dependencies: ["NoiseScopeCore", "NoiseScopeStatistics"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "NoiseScopeModelsTests", dependencies: ["NoiseScopeCore", "NoiseScopeModels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NoiseScopeSamplingTests", dependencies: ["CGSL", "NoiseScopeCore", "NoiseScopeSampling"]),
        .testTarget(name: "NoiseScopeTrainingTests", dependencies: ["NoiseScopeCore", "NoiseScopeTraining"]),
        .testTarget(name: "NoiseScopeFiguresTests", dependencies: ["NoiseScopeCore", "NoiseScopePlot", "NoiseScopeFigures"], resources: [.copy("Golden")]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["NoiseScopeCore", "NoiseScopeStatistics", "NoiseScopeTraining", "NoiseScope"]),
        .testTarget(name: "NoiseScopeTests", dependencies: ["CGSL", "NoiseScope"]),
        .testTarget(name: "CommandLineTests", dependencies: ["noisescope", "NoiseScopeStatistics"]),
    ]
)
