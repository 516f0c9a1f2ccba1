// Package nn holds ebmcpu's differentiable layers: forward, reverse mode,
// forward-mode tangents and reverse mode through the tangents, plus
// optimizers and checkpoints.
package nn
