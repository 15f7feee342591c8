// swift-tools-version:5.10
import PackageDescription

// A local package is named by its folder: if the repository is checked out under
// another name than "noisescope", change `package: "noisescope"` below to match.

let package = Package(
    name: "csvbench",
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "csvbench",
            dependencies: [
                .product(name: "NoiseScope", package: "noisescope"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "CSV", package: "CSV.swift"),
            ]),
    ]
)
