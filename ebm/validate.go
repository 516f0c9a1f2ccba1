package ebm

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strings"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/internal/sysmem"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Limits on sizes, checked before anything is allocated. They are far
// beyond what runs on one machine, and catch typos and overflows: memory
// itself is bounded by Config.MemoryLimit.
const (
	MaxSteps     = 1 << 40 // iterations and the intervals between events
	MaxBatch     = 1 << 16 // samples per batch
	MaxWidth     = 1 << 16 // a hidden or latent width
	MaxDataWidth = 1 << 20 // the data width D
	MaxDepth     = 64      // hidden layers of a network
	MaxUpdates   = 1000    // energy_steps, generator_steps
	MaxCount     = 1 << 20 // any other count: nodes, Langevin steps, solver iterations, features
	MaxRollbacks = 1000
	// MaxSolverIters bounds LOBPCG iterations and quadrature nodes: they
	// run inside an iteration, where only Langevin steps can be
	// interrupted.
	MaxSolverIters = 1000
)

// intLimits are the largest values of the integer settings that have a
// limit of their own; every other count is bounded by MaxCount.
var intLimits = map[string]int64{
	"steps": MaxSteps, "log_every": MaxSteps, "checkpoint_every": MaxSteps, "plot_every": MaxSteps,
	"eval_every": MaxSteps, "guard.snapshot_every": MaxSteps, "batch": MaxBatch, "negatives.batch": MaxBatch, "latent_dim": MaxWidth,
	"energy_steps": MaxUpdates, "generator_steps": MaxUpdates, "guard.max_rollbacks": MaxRollbacks,
	"sv.lobpcg_iters": MaxSolverIters, "gp.lobpcg_iters": MaxSolverIters, "diffusion.lobpcg_iters": MaxSolverIters,
	"diffusion.nodes": MaxSolverIters,
}

// Validate reports every setting that cannot work, naming each, without
// looking at the data (ValidateDims does, once the data width is known).
func (c Config) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	// Every number finite, every count in range, before anything uses them.
	for _, s := range Settings(&c) {
		switch v := s.Value; v.Kind() {
		case reflect.Float64:
			if x := v.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
				bad("%s = %v, want a finite number", s.Name, x)
			}
		case reflect.Int:
			limit, ok := intLimits[s.Name]
			if !ok {
				limit = MaxCount
			}
			if n := v.Int(); n < -1 || n > limit {
				bad("%s = %d, want at most %d", s.Name, n, limit)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				if w := v.Index(i).Int(); w < 1 || w > MaxWidth {
					bad("%s: width %d, want 1 to %d", s.Name, w, MaxWidth)
					break
				}
			}
			if v.Len() > MaxDepth {
				bad("%s: %d layers, want at most %d", s.Name, v.Len(), MaxDepth)
			}
		}
	}
	if len(errs) > 0 { // the checks below assume finite numbers and sane counts
		return errors.New("invalid config: " + strings.Join(errs, "; "))
	}
	if _, err := data.ParseSpec(c.Dataset); err != nil {
		bad("%v", err)
	}
	if c.Steps < 0 {
		bad("steps = %d, want ≥ 0", c.Steps)
	}
	if c.Batch < 2 || c.Batch > MaxBatch {
		bad("batch = %d, want 2 to %d (BatchNorm needs two samples)", c.Batch, MaxBatch)
	}
	if c.EnergySteps < 1 || c.EnergySteps > MaxUpdates || c.GeneratorSteps < 1 || c.GeneratorSteps > MaxUpdates {
		bad("energy_steps and generator_steps must be 1 to %d, got %d and %d", MaxUpdates, c.EnergySteps, c.GeneratorSteps)
	}
	if c.LatentDim < 0 || c.LatentDim > MaxWidth {
		bad("latent_dim = %d, want 0 (the data width) to %d", c.LatentDim, MaxWidth)
	}
	if err := c.Lower.Valid(); err != nil {
		bad("%v", err)
	}
	if err := c.Upper.Valid(); err != nil {
		bad("%v", err)
	}
	if !(c.ZeroGP >= 0) || !(c.EntropyWeight >= 0) || !(c.Confine >= 0) {
		bad("zero_gp, entropy_weight and confine must be ≥ 0")
	}
	for _, opt := range []struct {
		name string
		o    nn.AdamConfig
	}{{"opt_energy", c.OptE}, {"opt_generator", c.OptG}} {
		name, o := opt.name, opt.o
		switch {
		case !(o.LR > 0 && o.LR <= 1):
			bad("%s.lr = %g, want 0 < lr ≤ 1", name, o.LR)
		case !(o.Beta1 >= 0 && o.Beta1 < 1) || !(o.Beta2 >= 0 && o.Beta2 < 1):
			bad("%s: beta1 = %g and beta2 = %g, want each in [0, 1)", name, o.Beta1, o.Beta2)
		case !(o.Eps > 0) || !(o.WeightDecay >= 0):
			bad("%s: eps = %g and weight_decay = %g, want eps > 0 and weight_decay ≥ 0", name, o.Eps, o.WeightDecay)
		}
	}
	for _, net := range []struct {
		name string
		n    NetConfig
	}{{"energy", c.Energy}, {"generator", c.Generator}} {
		if _, err := nn.ParseActivation(net.n.Activation); err != nil {
			bad("%s.activation: %v", net.name, err)
		}
		if out := net.n.OutputActivation; out != "" {
			if _, err := nn.ParseActivation(out); err != nil {
				bad("%s.output_activation: %v", net.name, err)
			}
		}
		if a := net.n.Arch; a != ArchMLP && a != "mlp" && !a.Conv() {
			bad("%s.arch = %q, want mlp, conv or dcgan", net.name, a)
		}
		if !(net.n.LeakySlope >= 0 && net.n.LeakySlope < 1) {
			bad("%s.leaky_slope = %g, want a slope in [0, 1)", net.name, net.n.LeakySlope)
		}
		if net.n.Arch.Conv() && len(net.n.Hidden) == 0 {
			bad("%s.hidden: a conv network needs the channels of at least one block", net.name)
		}
	}
	if b := c.Base; !(b.Weight >= 0) || math.IsInf(b.Weight, 1) || (b.Weight > 0 && !(b.Ridge > 0 && b.Ridge < math.Inf(1))) {
		bad("gaussian_base: weight = %g and ridge = %g, want a finite weight ≥ 0 and, with a base, a finite ridge > 0", b.Weight, b.Ridge)
	}
	if len(c.Energy.Hidden) == 0 && c.Confine == 0 && c.Base.Weight == 0 {
		bad("energy.hidden is empty: a linear energy has no normaliser (give hidden widths, confine > 0 or a gaussian_base)")
	}
	if !(c.EMA >= 0 && c.EMA < 1) {
		bad("ema = %g, want a decay in [0, 1)", c.EMA)
	}
	if n := c.Negatives.Batch; n != 0 && (n < c.Batch || n > MaxBatch) {
		bad("negatives.batch = %d, want 0 (the batch) or %d (the batch) to %d", n, c.Batch, MaxBatch)
	}
	if n := c.Negatives; n.Steps < 0 || (n.Steps > 0 && !(n.StepSize > 0)) {
		bad("negatives: steps = %d and step_size = %g, want steps ≥ 0 and a step size > 0 when there are steps", n.Steps, n.StepSize)
	}
	if n := c.Negatives; n.Importance && n.Steps > 0 && !(n.Resample > 0 && n.Resample <= 1 && (n.Restart == 0 || n.Restart == 1)) {
		bad("negatives.steps = %d with negatives.importance needs negatives.resample in (0, 1] (got %g) and short-run chains (negatives.restart 0 or 1, got %g): the Langevin steps refine resampled copies of the weighted samples; for Langevin-refined generator samples set negatives.importance=false", n.Steps, n.Resample, n.Restart)
	}
	if n := c.Negatives; n.Resample != 0 && !(n.Importance && n.Steps > 0) {
		bad("negatives.resample = %g needs negatives.importance and negatives.steps > 0 (got %t and %d); negatives.resample 0 gives the importance weights alone (steps 0) or Langevin-refined generator samples (importance=false)", n.Resample, n.Importance, n.Steps)
	}
	if r := c.Negatives.Restart; !(r >= 0 && r <= 1) {
		bad("negatives.restart = %g, want a probability in [0, 1]", r)
	}
	if a := c.Negatives.TargetAcceptance; !(a >= 0 && a < 1) || (a > 0 && !c.Negatives.MALA) {
		bad("negatives.target_acceptance = %g, want 0 (a fixed step size) or an acceptance in (0, 1) of MALA steps (negatives.mala)", a)
	}
	g := c.Guard
	if g.MaxRollbacks < 0 || g.MaxRollbacks > MaxRollbacks || !(g.LRFactor > 0 && g.LRFactor <= 1) || !(g.EnergyLimit > 0) || g.SnapshotEvery < 1 {
		bad("guard: want 0 ≤ max_rollbacks ≤ %d, 0 < lr_factor ≤ 1, energy_limit > 0, snapshot_every ≥ 1; got %+v", MaxRollbacks, g)
	}
	if c.LogEvery < 1 || c.CheckpointEvery < 0 || c.PlotEvery < 0 || c.EvalEvery < 0 {
		bad("log_every must be ≥ 1 and checkpoint_every, plot_every, eval_every ≥ 0")
	}
	if len(errs) > 0 {
		return errors.New("invalid config: " + strings.Join(errs, "; "))
	}
	return nil
}

// ValidateDims checks c against the data's dims: the latent width, the
// architectures, the injectivity the bounds need, and the estimated memory
// of a run against the limit (Config.MemoryLimit, or half the physical
// memory).
func (c Config) ValidateDims(dims Dims) error {
	D := dims.Data
	if D < 1 || D > MaxDataWidth {
		return fmt.Errorf("the data have %d columns, want 1 to %d", D, MaxDataWidth)
	}
	for _, n := range []struct {
		name string
		nc   NetConfig
	}{{"energy", c.Energy}, {"generator", c.Generator}} {
		if n.nc.Arch.Conv() && !dims.Image() {
			return fmt.Errorf("%s.arch = %s needs image data; %s has %d numbers a row", n.name, n.nc.Arch, c.Dataset, D)
		}
	}
	d := c.latent(D)
	needsInjective := c.Lower == LowerSV || c.Upper == UpperGP || c.Upper == UpperDiffusion
	if needsInjective && d > D {
		return fmt.Errorf("latent_dim = %d exceeds the data width %d: the generator cannot be injective, as the %s+%s bounds need", d, D, c.Lower, c.Upper)
	}
	if needsInjective && !c.Generator.Arch.Conv() { // a conv generator's first layer is Linear(d → C·h·w), far wider than d
		for _, w := range c.Generator.Hidden {
			if w < d {
				return fmt.Errorf("generator.hidden has a layer of width %d below the latent width %d: the generator cannot be injective, "+
					"as the %s+%s bounds need (set --latent_dim ≤ %d or widen the layers)", w, d, c.Lower, c.Upper, w)
			}
		}
	}
	need, limit := c.Footprint(dims), c.memoryLimit()
	if need > limit {
		return fmt.Errorf("the run would need about %s of memory, more than the limit memory_limit = %s (batch %d, widths %v and %v, data width %d)",
			bytesString(need), bytesString(limit), c.Batch, c.Energy.Hidden, c.Generator.Hidden, D)
	}
	return nil
}

// CheckBuffer refuses a buffer of rows×width values of elem bytes each
// that would exceed limit bytes (0: half the physical memory), naming the
// setting that asks for it; the product cannot overflow.
func CheckBuffer(setting string, rows, width, elem int, limit uint64) error {
	if limit == 0 {
		limit = sysmem.Physical() / 2
	}
	if rows < 0 || width < 0 || elem < 0 {
		return fmt.Errorf("%s: negative size", setting)
	}
	if need := mul(mul(uint64(rows), uint64(width)), uint64(elem)); need > limit {
		return fmt.Errorf("%s = %d needs %s of memory for %d×%d values, more than the limit %s", setting, rows, bytesString(need), rows, width, bytesString(limit))
	}
	return nil
}

// latent is the generator's input width for data of width D.
func (c Config) latent(D int) int {
	if c.LatentDim == 0 {
		return D
	}
	return c.LatentDim
}

// memoryLimit is MemoryLimit, or half the physical memory.
func (c Config) memoryLimit() uint64 {
	if c.MemoryLimit > 0 {
		return c.MemoryLimit
	}
	return sysmem.Physical() / 2
}

// Footprint estimates the bytes a training run of c on data of the given
// dims allocates: every parameter with its gradient, Adam moments, the
// guard's copy and the checkpoint's encoding (28 bytes), and the
// workspaces, eight of them, each holding four float32 buffers of every
// layer's output for the batch and its tangent directions. It saturates
// instead of overflowing; it is an estimate to refuse absurd settings
// before allocating, not an accounting.
func (c Config) Footprint(dims Dims) uint64 {
	D := dims.Data
	d := c.latent(D)
	pe, we := netSize(c.Energy, dims, D, 1)
	pg, wg := netSize(c.Generator, dims, d, D)
	params, widths := add(pe, pg), add(we, wg)
	if c.Lower == LowerMI {
		hidden := c.MI.Hidden
		if hidden == nil {
			hidden = []int{100, 100}
		}
		params = add(params, mlpParams(D, hidden, 2*d))
	}
	tangents := 2 // the s_min surrogate: v_min and a probe
	if c.SV.Method == "exact" || d <= 16 {
		tangents = d
	}
	rows := mul(uint64(c.NegativeBatch()), uint64(1+tangents))
	copies := uint64(8) // the workspaces of the networks and the bounds
	if c.Negatives.Importance && !c.WeightsShareGP() {
		copies++ // the importance weights' own evaluation of f
	}
	workspaces := mul(mul(rows, widths), copies*4*4)
	need := add(mul(params, 28), workspaces)
	if c.Base.Weight > 0 {
		// The fit: its float32 rows, then the covariance, its factor, the
		// inverse and its product in float64; the float32 precision and
		// its checkpoint copy stay.
		need = add(need, mul(uint64(BaseFitRows), mul(uint64(D), 12)))
		need = add(need, mul(mul(uint64(D), uint64(D)), 48))
	}
	return need
}

// netSize is the number of parameters of a network in → out and the sum
// of its layers' output widths.
func netSize(nc NetConfig, dims Dims, in, out int) (params, widths uint64) {
	if !nc.Arch.Conv() {
		return mlpParams(in, nc.Hidden, out), add(add(uint64(in), sum(nc.Hidden)), uint64(out))
	}
	// Two convolutions per block (3×3 and 4×4, ≤ 16 weights a channel
	// pair; dcgan has only the second, so this bounds it too) at the
	// block's resolution, which halves from block to block.
	h, w, prev := uint64(dims.Height), uint64(dims.Width), uint64(max(dims.Channels, 1))
	widths = add(uint64(in), uint64(out))
	for _, ch := range nc.Hidden {
		c := uint64(max(ch, 0))
		params = add(params, mul(16, add(mul(prev, c), mul(c, c))))
		widths = add(widths, mul(2, mul(mul(h, w), c)))
		prev, h, w = c, max(h/2, 1), max(w/2, 1)
	}
	params = add(params, mul(mul(mul(h, w), prev), uint64(max(in, out))))
	return params, widths
}

// mlpParams is the number of parameters of an MLP in → hidden… → out.
func mlpParams(in int, hidden []int, out int) uint64 {
	var n uint64
	prev := uint64(in)
	for _, w := range append(append([]int(nil), hidden...), out) {
		n = add(n, mul(prev+1, uint64(w)))
		prev = uint64(w)
	}
	return n
}

func sum(ws []int) uint64 {
	var s uint64
	for _, w := range ws {
		s = add(s, uint64(max(w, 0)))
	}
	return s
}

// mul and add saturate at the largest uint64 instead of wrapping.
func mul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

func add(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return s
}

// bytesString prints a byte count with a binary unit.
func bytesString(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
