// The umbrella module: `import NoiseScope` in a script or notebook brings the
// whole toolkit, in the order data flows through it.
@_exported import NoiseScopeCore
@_exported import NoiseScopeModels
@_exported import NoiseScopeSampling
@_exported import NoiseScopeTraining
@_exported import NoiseScopeStatistics
@_exported import NoiseScopePlot
@_exported import NoiseScopeFigures
