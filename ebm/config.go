package ebm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Config is everything that determines a training run: the same Config and
// seed give the same bits, whatever the thread count. It is written to the
// run directory as config.json and stored in every checkpoint, with the
// values the run resolved (Resolve). Each field's help tag is its one-line
// documentation: `ebmcpu train -h` prints it with the field's default.
type Config struct {
	Dataset    string `json:"dataset" help:"data: a built-in 2-D set (ebmcpu datasets), csv:PATH (one sample per row) or mnist:DIR (IDX files)"`
	Stratified bool   `json:"stratified" help:"draw 8gaussians/25gaussians batches with equal counts per mode, as the reference code does"`
	Seed       uint64 `json:"seed" help:"seed of every random draw of the run"`

	Steps          int `json:"steps" help:"training iterations; each makes energy_steps energy updates, then generator_steps generator updates"`
	Batch          int `json:"batch" help:"samples per batch, ≥ 2 (data points and generator samples alike)"`
	EnergySteps    int `json:"energy_steps" help:"energy updates per iteration, ≥ 1"`
	GeneratorSteps int `json:"generator_steps" help:"generator updates per iteration, ≥ 1"`
	LatentDim      int `json:"latent_dim" help:"generator input width d, 1 ≤ d ≤ D (0: the data width D)"`

	Lower         LowerBound `json:"lower" help:"the generator's entropy lower bound: sv (singular values of its Jacobian) or mi (mutual information)"`
	Upper         UpperBound `json:"upper" help:"the energy's gap upper bound: gp (gradient penalty), diffusion, or none (the lower-bound-only baseline)"`
	ZeroGP        float64    `json:"zero_gp" help:"weight λ of the 0GP baseline penalty λ‖∇E(x_data)‖², ≥ 0 (0: off)"`
	EntropyWeight float64    `json:"entropy_weight" help:"weight w_H of the entropy bound in the generator loss E_q[E] − w_H·Ĥ, ≥ 0"`

	Energy    NetConfig              `json:"energy"`
	Generator NetConfig              `json:"generator"`
	Confine   float64                `json:"confine" help:"α of a confining term α‖x‖² added to the energy, ≥ 0 (0: none)"`
	Base      BaseConfig             `json:"gaussian_base"`
	OptE      nn.AdamConfig          `json:"opt_energy"`
	OptG      nn.AdamConfig          `json:"opt_generator"`
	SV        bounds.SVConfig        `json:"sv"`
	MI        bounds.MIConfig        `json:"mi"`
	GP        bounds.GPConfig        `json:"gp"`
	Diffusion bounds.DiffusionConfig `json:"diffusion"`
	Guard     GuardConfig            `json:"guard"`
	Negatives NegativesConfig        `json:"negatives"`
	EMA       float64                `json:"ema" help:"decay β of an exponential moving average of the energy's weights, which the saved model uses, in [0, 1) (0: the last weights); after n updates β is at most (1 + n)/(10 + n)"`

	LogEvery        int `json:"log_every" help:"iterations between lines of metrics.jsonl, ≥ 1"`
	CheckpointEvery int `json:"checkpoint_every" help:"iterations between checkpoints, ≥ 0 (0: only at the end and on interruption)"`
	PlotEvery       int `json:"plot_every" help:"iterations between pictures of a 2-D run, ≥ 0 (0: none)"`
	EvalEvery       int `json:"eval_every" help:"iterations between evaluations written as eval-<step>.json, ≥ 0 (0: none)"`

	MemoryLimit uint64 `json:"memory_limit" help:"bytes a run may plan to use; larger settings are refused before anything is allocated (0: half the physical memory)"`
}

// NetConfig describes a network: an MLP by its hidden layers, or for images
// a DCGAN-like convolutional network by the channels of its blocks. The
// input and output widths (and an image's shape) follow from the data and
// latent dimensions.
type NetConfig struct {
	Arch             NetArch `json:"arch" help:"mlp, or for images conv (blocks of a 3×3 and a strided 4×4 convolution) or dcgan (the strided convolution only); hidden = the channels of each block, which halves the resolution"`
	Hidden           []int   `json:"hidden" help:"hidden layer widths (conv: block channels), comma-separated, each ≥ 1"`
	Activation       string  `json:"activation" help:"hidden activation: prelu, leakyrelu, relu, silu, softplus, tanh, sigmoid, elu"`
	LeakySlope       float64 `json:"leaky_slope" help:"negative slope of leakyrelu, in [0, 1) (0: 0.01)"`
	OutputActivation string  `json:"output_activation" help:"activation after the last layer, e.g. tanh for images in [−1, 1] (\"\": none)"`
	BatchNorm        bool    `json:"batch_norm" help:"BatchNorm after each hidden activation (run in eval mode for all Jacobian work)"`
	SpectralNorm     bool    `json:"spectral_norm" help:"spectral normalisation of every Linear layer (mlp)"`
	OutputScale      bool    `json:"output_scale" help:"a learnable scalar on the output (the reference energy's scale)"`
}

// NetArch names a network architecture.
type NetArch string

// The architectures.
const (
	ArchMLP  NetArch = "" // also "mlp"
	ArchConv NetArch = "conv"
	// ArchDCGAN is conv without the 3×3 stride-1 convolution before each
	// downsampling one in the energy: DCGAN's discriminator, about a fifth
	// of conv's work on 28×28 images. Its generator is conv's.
	ArchDCGAN NetArch = "dcgan"
)

// Conv reports whether a is one of the convolutional architectures.
func (a NetArch) Conv() bool { return a == ArchConv || a == ArchDCGAN }

// NegativesConfig refines the negative samples of the energy step: instead
// of the generator samples x = G(z) themselves, the energy is pushed up on
// x after Steps Langevin steps on exp(−E) started there. The generator then
// only has to land near the model's modes; the chains correct the rest
// (a departure from SPEC §5's energy step; see DefaultConfig).
type NegativesConfig struct {
	// Batch decouples the number of negatives from the data batch: the
	// negative term estimates E_{p_θ}[∇_θE], whose variance (with
	// importance weights, an effective sample size of a share of the
	// samples) limits the density more than the data term's does.
	Batch    int     `json:"batch" help:"generator samples of the energy step's negative term: 0 (the batch) or the batch to 65536; the first batch of them are the gradient penalty's"`
	Steps    int     `json:"steps" help:"Langevin steps on exp(−E) refining the energy step's negatives from the generator samples, ≥ 0 (0: the generator samples)"`
	StepSize float64 `json:"step_size" help:"step size h of those steps, > 0 when steps > 0"`
	MALA     bool    `json:"mala" help:"Metropolis-adjusted steps (removes the O(h) bias of the chains)"`
	// Restart below 1 makes the chains persistent: they carry over from
	// iteration to iteration (and in checkpoints), each restarted from a
	// fresh generator sample with this probability, so that they can reach
	// the model's equilibrium that a few steps from the generator cannot.
	Restart float64 `json:"restart" help:"probability that a chain restarts from a generator sample each iteration, in (0, 1] (0: 1, short-run chains; below 1: persistent chains)"`
	// TargetAcceptance adapts the step size from iteration to iteration,
	// h ← h·exp(acceptance − target), so that the chains keep moving as the
	// energy sharpens (a fixed h freezes them: on 25gaussians at λ = 0.001
	// the acceptance fell to 0.003 and the energy ran away, KL gap 17.6
	// nats after 20000 iterations against 3.6 adapted).
	TargetAcceptance float64 `json:"target_acceptance" help:"MALA acceptance the step size adapts to from iteration to iteration, in (0, 1) (0: a fixed step size)"`
	// Importance keeps the generator's samples as the negatives but weights
	// them by self-normalised importance weights w_b ∝ e^{−E(x_b)}/q(x_b)
	// (bounds.ImportanceWeighted.SelfNormalized), so that the energy step's
	// negative term estimates E_{p_θ}[∇_θE], the gradient of log Z, rather
	// than E_q[∇_θE]: where the generator puts too much or too little mass,
	// the weights correct it. q is the density of x = G(z), through the
	// log-det of its Jacobian as gp.log_det evaluates it (exact by default
	// for latent widths ≤ 16; the s_min surrogate only approximates the
	// weights), so the samples cannot be moved by Langevin steps first.
	Importance bool `json:"importance" help:"weight the generator's samples by self-normalised importance weights e^−E/q (with steps > 0: see resample)"`
	// Resample, with Importance and Steps > 0, turns weights that have
	// degenerated into samples (resample-move, Gilks & Berzuini 2001): when
	// the weights' effective sample size falls below Resample·B, the
	// weighted samples are resampled into B equally weighted ones
	// (bounds.SystematicResample), which stand for p_θ as the weights did,
	// and the Langevin steps on exp(−E), which leave p_θ invariant, spread
	// the copies out and move them where the generator puts too little mass.
	Resample float64 `json:"resample" help:"with importance and steps > 0: the share of the batch below which the weights' effective sample size makes the step resample the weighted samples and refine them by the Langevin steps instead, in (0, 1] (1: every iteration)"`
}

// WeightsShareGP reports whether the importance weights of the negatives
// read the gradient penalty's evaluation of f at the same latents instead
// of evaluating f themselves (trainer): with Negatives.Importance and upper
// gp, for an energy without BatchNorm or spectral norm, whose Train passes
// (the data and negative terms, between the penalty's evaluation and its
// backward pass) would change what the penalty's Eval passes read.
func (c Config) WeightsShareGP() bool {
	return c.Negatives.Importance && c.Upper == UpperGP && !c.Energy.BatchNorm && !c.Energy.SpectralNorm &&
		c.NegativeBatch() == c.Batch
}

// NegativeBatch is the number of the energy step's negatives:
// Negatives.Batch, or the batch when it is 0.
func (c Config) NegativeBatch() int {
	if c.Negatives.Batch == 0 {
		return c.Batch
	}
	return c.Negatives.Batch
}

// DefaultBaseRidge is the Gaussian base's relative ridge λ/(tr Σ/D): the
// one its image measurements used (results/IMAGES.md); it keeps the
// precision of pixels that never change (MNIST's border) at 10³/(tr Σ/D).
const DefaultBaseRidge = 1e-3

// BaseConfig adds a Gaussian base to the energy,
//
//	E(x) = E_θ(x) + β·½(x − μ)ᵀ(Σ + λI)⁻¹(x − μ),
//
// with the mean μ and covariance Σ of the training data (its first
// BaseFitRows points) and a ridge λ relative to their mean variance,
// fitted once when a run starts and stored in its checkpoint
// (bounds.Base). The network then corrects the density N(μ, Σ + λI)^β
// instead of building one from nothing, and exp(−E) is integrable on R^D
// whatever the network does far from the data.
//
// Off by default. Measured on images (results/IMAGES.md, last section;
// sv+gp, 1000 iterations, 2 seeds at β = 0.3): the base lifts the AUROC of
// a Fashion-MNIST model against MNIST from 0.61 to 0.82 and lowers bits/dim
// (Fashion-MNIST 6.68 → 5.41, MNIST 4.24 → 3.93, AIS estimates), but lowers
// the AUROC against Gaussian noise with the data's moments (MNIST 0.994 →
// 0.939, Fashion-MNIST 0.894 → 0.704; β = 0.1 lies between), a goal the
// default meets on MNIST. Without an upper bound (sv+none) both MNIST runs
// with the base diverged.
type BaseConfig struct {
	Weight float64 `json:"weight" help:"β, the weight of the Gaussian base's energy ½(x−μ)ᵀ(Σ+λI)⁻¹(x−μ) in E; 0: no base"`
	Ridge  float64 `json:"ridge" help:"the base's ridge λ as a multiple of the data's mean variance tr Σ/D, > 0 with a base"`
}

// GuardConfig sets the divergence guard: a non-finite loss, gradient or
// energy, or a network energy E_θ beyond EnergyLimit in magnitude (the
// base is bounded only by the data's spread), rolls the run back
// to its last good state and multiplies both learning rates by LRFactor;
// after MaxRollbacks rollbacks the run stops with an error.
type GuardConfig struct {
	MaxRollbacks  int     `json:"max_rollbacks" help:"rollbacks to the last good state before the run stops, ≥ 0"`
	LRFactor      float64 `json:"lr_factor" help:"factor on both learning rates at each rollback, in (0, 1]"`
	EnergyLimit   float64 `json:"energy_limit" help:"largest |E_θ(x)| (the network's part of the energy, without confinement and base) a batch may reach before it counts as a divergence, > 0"`
	SnapshotEvery int     `json:"snapshot_every" help:"iterations between in-memory copies of the last good state, ≥ 1"`
}

// DefaultGPWeight is the default training weight λ of the gradient penalty.
// Without refined negatives, measured on the default run (8gaussians, 20000
// iterations, seed 1, 2026-12-04), the KL gap to the data was 3.54 nats at
// λ = 1e-3 (the reference code's weight: the energy collapses onto sharp
// spikes), 1.02 at 0.03, 0.41 at 0.1 and 0.84 at 0.3 (too smooth between
// the modes): for a fixed generator the penalised objective's minimiser is
// the generator's log-density plus a correction toward the data scaled by
// 1/λ, so a large λ keeps the EBM as blurred as its generator. With the
// MALA-refined negatives (MALANegatives), which pull the energy toward
// the data themselves, λ = 0.01 is better: results/ABLATION.md
// (`ebmcpu suite --ablation`, variant gp-0.1). With the importance-weighted
// negatives (WeightedNegatives), which make the energy step estimate the
// gradient of log Z itself, the reference code's λ = 1e-3 is best again:
// mean KL gap over 3 seeds 0.064 / 0.618 / 0.276 nats on 8gaussians /
// rings / checkerboard against 0.127 / 0.610 / 0.358 at λ = 0.01
// (results/ABLATION-importance.md, variant gp-0.01). The image default
// keeps the λ = 0.01 it was measured with.
const DefaultGPWeight = 0.001

// DefaultNegatives weight the generator's own samples by self-normalised
// importance weights e^{−E}/q (WeightedNegatives), and where the weights
// degenerate — an effective sample size below 0.3 of the batch — resample
// them and spread the copies by the 10 MALA steps of MALANegatives
// (NegativesConfig.Resample). Against WeightedNegatives alone, the mean KL
// gap over 3 seeds went from 15.4 to 3.0 nats on 25gaussians, whose sharp
// modes the generator misses and the weights alone cannot find, 0.618 to
// 0.561 on rings, and from 0.064 to 0.077 on 8gaussians and 0.276 to 0.301
// on checkerboard, within the seeds' spread; the chains run on 0–81 % of
// the iterations there, depending on the seed, and 80–88 % on 25gaussians
// (results/ABLATION-resample.md, variant no-resample). Of the thresholds
// 0.1, 0.3 and 0.5, 0.3 is 2–3× closer on 25gaussians and within the seeds'
// spread elsewhere (the same file, "The threshold").
var DefaultNegatives = NegativesConfig{Steps: 10, StepSize: 0.03, MALA: true, TargetAcceptance: 0.6, Importance: true, Resample: 0.3}

// WeightedNegatives, the default before DefaultNegatives, are the
// importance-weighted generator samples alone, so that the energy step
// estimates the gradient of log Z instead of following the generator.
// Against MALANegatives (at λ = 0.01 then) the mean KL gap over 3 seeds
// went from 0.222 to 0.127 nats (8gaussians), 0.674 to 0.610 (rings) and
// 0.382 to 0.358 (checkerboard) at about 0.7× the time of a run;
// unweighted generator samples give 0.87–1.63
// (results/ABLATION-importance.md, variants mala and no-negatives).
var WeightedNegatives = NegativesConfig{Importance: true}

// MALANegatives, the default before WeightedNegatives, refine the energy
// step's negatives by 10 MALA steps on exp(−E) from the generator samples
// (short-run chains), starting at step size 0.03 and adapting it to an
// acceptance of 0.6 (results/ABLATION.md and results/ABLATION-adapt.md,
// where they are the default sv+gp). Short-run chains started at the
// generator pull the energy toward what a few steps from the generator
// reach, not toward a density whose samples they are; they cost about
// twice an iteration without them.
var MALANegatives = NegativesConfig{Steps: 10, StepSize: 0.03, MALA: true, TargetAcceptance: 0.6}

// DefaultEnergyAdam is the energy's optimiser: Adam with learning rate
// 1e-3 and β = (0.9, 0.999), where the reference code uses the generator's
// 2e-4 and (0, 0.9). Measured at λ = 0.01, the rate 2e-4 gives a mean KL
// gap of 0.127 / 0.798 / 0.411 nats (8gaussians / rings / checkerboard)
// against 0.127 / 0.610 / 0.358, and β = (0, 0.9) gives 0.153 / 0.682 / 0.358 with one 8gaussians
// seed missing a mode (results/ABLATION-importance.md, variants lr-2e-4
// and adam-0). With MALA negatives the same optimiser was worse on
// 8gaussians (results/ABLATION.md, then the variant adam-0.9).
var DefaultEnergyAdam = nn.AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6}

// DefaultEMA is the decay of the moving average of the energy's weights
// that the saved model is (Config.EMA): the energy of one iteration is a
// noisy snapshot of the minimax game, and the average over its last ~1000
// updates is a smoother density. Against the last weights, the mean KL gap
// over 3 seeds went from 0.086 to 0.041 nats on 8gaussians and from 0.282
// to 0.251 on checkerboard (closer on every seed), 0.566 to 0.557 on rings
// (within 0.04 on every seed), but from 3.67 to 4.85 on 25gaussians, whose
// energy is far from settled (2 of 3 seeds further, one by 3.8 nats;
// results/ABLATION-ema.md, where sv+gp@ema is this default), at the cost of
// a second copy of the energy's weights and one axpy an iteration.
const DefaultEMA = 0.999

// DefaultDiffusionWeight is the default training weight λ of the diffusion
// bound, for the same reason: on 8gaussians with `--upper diffusion`, 4000
// iterations, seed 1, the KL gap was 4.15 nats at 1e-3 and 0.46 at 0.1.
const DefaultDiffusionWeight = 0.1

// DefaultSteps is the length of the default run: 8000 iterations, 16–33 s
// on the project's two cores as their speed varies, 31 s with the
// resampling's MALA steps at the slower speed (BENCHMARKS.md); at λ = 0.01, 4000 give a
// mean KL gap of 0.138 / 0.730 / 0.396 nats on 8gaussians / rings /
// checkerboard against 0.127 / 0.610 / 0.358
// (results/ABLATION-importance.md, variant short).
const DefaultSteps = 8000

// DefaultConfig is the built-in run of `ebmcpu train` with no arguments:
// the SPEC §5 toy networks on 8gaussians, the singular-value
// lower bound (exact ½ log det, d = 2) with the gradient-penalty upper bound.
//
// Departures from the reference code, each measured: the training weight
// of the diffusion bound is DefaultDiffusionWeight, not the code's 1e-3
// (that of the gradient penalty, DefaultGPWeight, is the code's); the
// energy step's negatives are importance-weighted, and resampled and
// refined by MALA steps where the weights degenerate (DefaultNegatives);
// the energy's optimiser is DefaultEnergyAdam; the saved energy is the
// moving average of its weights (DefaultEMA); the run is DefaultSteps long.
func DefaultConfig() Config {
	adam := nn.AdamConfig{LR: 2e-4, Beta1: 0, Beta2: 0.9, Eps: 1e-6}
	return Config{
		Dataset:        "8gaussians",
		Seed:           1,
		Steps:          DefaultSteps,
		Batch:          200,
		EnergySteps:    1,
		GeneratorSteps: 1,
		Lower:          LowerSV,
		Upper:          UpperGP,
		EntropyWeight:  1,
		// Four hidden layers, not SPEC §5's two: mean KL gap over 3 seeds
		// 0.047 / 0.191 / 0.184 / 1.60 nats on 8gaussians / rings /
		// checkerboard / 25gaussians against 0.041 / 0.557 / 0.251 / 4.85
		// with two (three: 0.038 / 0.320 / 0.175 / 2.90), for about twice
		// the training time (results/ABLATION-depth.md, variants energy-2
		// and energy-3; a 256-wide pair of layers helped 25gaussians only).
		Energy:          NetConfig{Hidden: []int{100, 100, 100, 100}, Activation: "prelu", OutputScale: true},
		Generator:       NetConfig{Hidden: []int{100, 100}, Activation: "prelu", BatchNorm: true},
		OptE:            DefaultEnergyAdam,
		OptG:            adam,
		SV:              bounds.SVConfig{Method: "exact"}.WithDefaults(),
		MI:              bounds.MIConfig{}.WithDefaults(),
		GP:              bounds.GPConfig{Weight: DefaultGPWeight}.WithDefaults(),
		Diffusion:       bounds.DiffusionConfig{Weight: DefaultDiffusionWeight}.WithDefaults(),
		Negatives:       DefaultNegatives,
		Base:            BaseConfig{Ridge: DefaultBaseRidge},
		EMA:             DefaultEMA,
		Guard:           GuardConfig{MaxRollbacks: 5, LRFactor: 0.5, EnergyLimit: 1e4, SnapshotEvery: 200},
		LogEvery:        100,
		CheckpointEvery: 5000,
		PlotEvery:       5000,
	}
}

// Resolve returns c with every setting a run leaves to a default made
// explicit, for data of the given dims: the latent width, the bounds'
// defaults (bounds' WithDefaults) and the log-det method of the upper
// bounds. A run records its resolved config (config.json, checkpoints), so
// that what it used can be read off; resolving twice changes nothing.
func (c Config) Resolve(dims Dims) (Config, error) {
	c.LatentDim = c.latent(dims.Data)
	c.SV, c.MI = c.SV.WithDefaults(), c.MI.WithDefaults()
	c.GP, c.Diffusion = c.GP.WithDefaults(), c.Diffusion.WithDefaults()
	var err error
	if c.GP.LogDet, err = bounds.ResolveLogDet(c.GP.LogDet, c.LatentDim); err != nil {
		return c, fmt.Errorf("gp.log_det: %w", err)
	}
	if c.Diffusion.LogDet, err = bounds.ResolveLogDet(c.Diffusion.LogDet, c.LatentDim); err != nil {
		return c, fmt.Errorf("diffusion.log_det: %w", err)
	}
	return c, nil
}

// DefaultImageConfig is the starting point of a run on images (mnist,
// fashion-mnist, mnist:DIR): DCGAN networks sized for 28×28 on two cores,
// a latent width of 32, the s_min singular-value bound with LOBPCG
// warm-started across iterations, and the gradient-penalty bound with the
// s_min surrogate of the log-det (the exact log-det of d = 32 costs 32
// tangents a sample) at the weight λ = 0.01 (the 2-D default is 0.001).
//
// Measured on MNIST (results/IMAGES.md, 1000 iterations): at λ = 0.1 the
// generator turns out saturated blobs; at λ = 0.01 sv+gp learns digit-like
// samples and beats the lower-bound-only baseline on the OOD scores and
// the generator's Fréchet distance and label KL (not on the AIS likelihood
// or the MALA-refined samples).
//
// The energy is dcgan rather than conv: the 3×3 convolutions of conv make
// an iteration about twice as slow, and dcgan is the energy these
// measurements used.
func DefaultImageConfig() Config {
	c := DefaultConfig()
	c.Dataset = "mnist"
	c.Steps, c.Batch, c.LatentDim = 3000, 64, 32
	c.Energy = NetConfig{Arch: ArchDCGAN, Hidden: []int{32, 64, 128}, Activation: "leakyrelu", LeakySlope: 0.1, OutputScale: true}
	c.Generator = NetConfig{Arch: ArchConv, Hidden: []int{64, 128}, Activation: "elu", BatchNorm: true, OutputActivation: "tanh"}
	// The 2-D quality settings are not measured on images, and refined
	// negatives would multiply the cost of an image iteration: off.
	c.Negatives = NegativesConfig{}
	c.OptE = c.OptG    // the optimiser results/IMAGES.md measured
	c.EMA = 0          // the average was worse in bits/dim on every run (results/IMAGES.md)
	c.GP.Weight = 0.01 // the weight results/IMAGES.md measured
	c.SV = bounds.SVConfig{Method: "smin", WarmStart: true}.WithDefaults()
	c.GP.LogDet = "smin"
	c.Diffusion.LogDet = "smin"
	c.LogEvery, c.CheckpointEvery, c.PlotEvery = 50, 500, 500
	return c
}

// DefaultConfigFor returns the defaults for a data set: DefaultImageConfig
// for images, DefaultConfig otherwise, with the data set named.
func DefaultConfigFor(dataset string) Config {
	c := DefaultConfig()
	if sp, err := data.ParseSpec(dataset); err == nil && sp.Kind == data.KindMNIST {
		c = DefaultImageConfig()
	}
	if dataset != "" {
		c.Dataset = dataset
	}
	return c
}

// LoadConfig reads a JSON config file over the defaults: fields the file
// omits keep their default values. The file must hold exactly one JSON
// object (not null, nothing after it); unknown fields are an error.
//
// The defaults are those of the file's data set (DefaultConfigFor), or of
// dataset when it is not empty (a command-line flag overriding the file).
func LoadConfig(path, dataset string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	if dataset == "" {
		var probe Config
		if err := DecodeStrict(raw, &probe); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		dataset = probe.Dataset
	}
	cfg := DefaultConfigFor(dataset)
	if err := DecodeStrict(raw, &cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// DecodeStrict decodes exactly one JSON object from raw into v: null,
// another kind of value, trailing data and unknown fields are errors.
func DecodeStrict(raw []byte, v any) error {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("want one JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}
