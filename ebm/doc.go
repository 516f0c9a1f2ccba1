// Package ebm is what a trained energy-based model is: the run's Config
// (with its validation), the networks and bounds a config builds (NewNets,
// NewBounds and the bound registry NewLower/NewUpper), the checkpoint
// layout and its readers (AddNets, AddConfig, ReadCheckpoint), the files of
// a run directory (ResolveRun, PrepareRunDir), and Model, the embedding
// API for services.
//
// A model is the energy E(x) = E_θ(x) + B(x) (bounds.ConfinedEnergy) of
// an energy network E_θ and a parameter-free base B: a confining term
// c‖x‖² and, optionally, a Gaussian fitted to the training data (FitBase,
// Config.Base), which the checkpoint stores; the density
// p(x) = exp(−E(x))/Z, and the generator G that was trained against it;
// docs/SPEC.md has the mathematics. Model loads a checkpoint without the
// training data and answers energies, scores −∇E, bounds on log p from the
// bracket of log Z, generator samples and Langevin samples, safely from
// many goroutines.
//
// The package links no plotting, image or font code (package plot draws),
// so a service that embeds a model stays small; internal/archtest checks
// this.
package ebm
