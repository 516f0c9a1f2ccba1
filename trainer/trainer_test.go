package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// smallConfig is a fast run of the default pairing on tiny networks.
func smallConfig() ebm.Config {
	cfg := ebm.DefaultConfig()
	cfg.Steps = 40
	cfg.Batch = 32
	cfg.Energy.Hidden = []int{16, 16}
	cfg.Generator.Hidden = []int{16, 16}
	cfg.Guard.SnapshotEvery = 10
	return cfg
}

func runSteps(t *testing.T, tr *Trainer, n int) Metrics {
	t.Helper()
	var m Metrics
	for range n {
		var err error
		if m, err = tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func paramBits(tr *Trainer) []uint32 {
	var bits []uint32
	for _, v := range tr.appendState(nil) {
		for _, x := range v {
			bits = append(bits, math.Float32bits(x))
		}
	}
	return bits
}

// TestResumeIsBitExact trains 2N iterations straight, and N + resume + N,
// and compares every parameter and buffer bit, for each pairing.
func TestResumeIsBitExact(t *testing.T) {
	for _, pair := range [][2]string{{"sv", "gp"}, {"mi", "gp"}, {"sv", "diffusion"}, {"sv", "none"}, {"sv-smin-warm", "gp"}, {"sv-pcd", "gp"}, {"sv-adapt", "gp"}, {"sv-resample", "gp"}, {"sv-base", "gp"}, {"sv-negatives-batch", "gp"}, {"mi-negatives-batch", "gp"}} {
		t.Run(pair[0]+"+"+pair[1], func(t *testing.T) {
			cfg := smallConfig()
			cfg.Lower, cfg.Upper = ebm.LowerBound(pair[0]), ebm.UpperBound(pair[1])
			switch pair[0] {
			case "sv-smin-warm": // LOBPCG continues from vectors the checkpoint holds
				cfg.Lower, cfg.SV.Method, cfg.SV.WarmStart, cfg.GP.LogDet = ebm.LowerSV, "smin", true, "smin"
			case "sv-pcd": // persistent negatives, held by the checkpoint
				cfg.Lower, cfg.Negatives = ebm.LowerSV, ebm.NegativesConfig{Steps: 3, StepSize: 0.03, MALA: true, Restart: 0.1}
			case "sv-adapt": // the negatives' adapted step size, held by the checkpoint
				cfg.Lower, cfg.Negatives = ebm.LowerSV, ebm.MALANegatives
			case "sv-resample": // the resampling's random stream, held by the checkpoint
				cfg.Lower, cfg.Negatives = ebm.LowerSV, resampleNegatives(0.5)
			case "sv-base": // the Gaussian base, held by the checkpoint
				cfg.Lower, cfg.Base.Weight = ebm.LowerSV, 0.5
			case "sv-negatives-batch": // more negatives than data: persistent chains of them, held by the checkpoint
				cfg.Lower, cfg.Negatives = ebm.LowerSV, ebm.NegativesConfig{Steps: 3, StepSize: 0.03, MALA: true, Restart: 0.1}
				cfg.Negatives.Batch = 2*cfg.Batch + 1
			case "mi-negatives-batch": // the mi bound's noise on more samples than its batch
				cfg.Lower, cfg.Negatives = ebm.LowerMI, ebm.NegativesConfig{Batch: 2*cfg.Batch + 1}
			}
			cfg.Diffusion.Nodes, cfg.Diffusion.StepsPerNode = 3, 2
			const n = 12
			straight, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			runSteps(t, straight, 2*n)

			first, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			runSteps(t, first, n)
			path := filepath.Join(t.TempDir(), "run.ckpt")
			if err := first.SaveCheckpoint(path); err != nil {
				t.Fatal(err)
			}
			resumed, err := Resume(path, 0)
			if err != nil {
				t.Fatal(err)
			}
			if resumed.StepCount() != n {
				t.Fatalf("resumed at step %d, want %d", resumed.StepCount(), n)
			}
			runSteps(t, resumed, n)
			a, b := paramBits(straight), paramBits(resumed)
			if len(a) != len(b) {
				t.Fatalf("state sizes differ: %d vs %d", len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("value %d differs after resume: %08x vs %08x", i, a[i], b[i])
				}
			}
		})
	}
}

// TestResumeReadsTheBase: a resumed run takes its Gaussian base from the
// checkpoint, not from a new fit to the data: a stored base with a changed
// value is what the resumed run has, and one of the wrong size is an error.
func TestResumeReadsTheBase(t *testing.T) {
	cfg := smallConfig()
	cfg.Base.Weight = 0.5
	tr, err := New(cfg)
	require.NoError(t, err)
	runSteps(t, tr, 2)
	c, err := tr.Checkpoint()
	require.NoError(t, err)
	mean := append([]float32(nil), tr.Nets.Base.Mean...)
	mean[0] += 0.25
	c.SetTensor(ebm.Float32Tensor("base/mean", mean, len(mean)))
	path := filepath.Join(t.TempDir(), "run.ckpt")
	require.NoError(t, nn.Save(path, c))
	resumed, err := Resume(path, 0)
	require.NoError(t, err)
	require.Equal(t, mean, resumed.Nets.Base.Mean)

	c.SetTensor(ebm.Float32Tensor("base/mean", mean[:1], 1))
	require.NoError(t, nn.Save(path, c))
	_, err = Resume(path, 0)
	require.ErrorContains(t, err, "Gaussian base")
}

// TestNegativesStepSizeAdapts: with a target acceptance the negatives'
// step size shrinks from a size whose proposals are mostly rejected and
// grows from one whose proposals are all accepted; without a target it
// stays.
func TestNegativesStepSizeAdapts(t *testing.T) {
	for _, c := range []struct {
		h0, target float64
		moved      func(h, h0 float64) bool
	}{
		{0.03, 0, func(h, h0 float64) bool { return h == h0 }},
		{50, 0.6, func(h, h0 float64) bool { return h < h0/10 }},
		{1e-4, 0.6, func(h, h0 float64) bool { return h > 10*h0 }},
	} {
		cfg := smallConfig()
		cfg.Negatives = ebm.MALANegatives
		cfg.Negatives.StepSize, cfg.Negatives.TargetAcceptance = c.h0, c.target
		cfg.Confine = 1 // a curved target: the untrained energy alone is nearly flat
		tr, err := New(cfg)
		require.NoError(t, err)
		m := runSteps(t, tr, 20)
		h := float64(m.NegativesStepSize)
		require.True(t, c.moved(h, c.h0), "h0 %v, target %v: step size %v (acceptance %v)", c.h0, c.target, h, float64(m.NegativesAcceptance))
	}
}

// TestImportanceNegatives: the default negatives carry importance weights
// whose effective sample size is reported as a share of the batch, in
// [1/B, 1]; without them nothing is reported.
func TestImportanceNegatives(t *testing.T) {
	cfg := smallConfig()
	require.True(t, cfg.Negatives.Importance, "the default negatives are importance-weighted")
	tr, err := New(cfg)
	require.NoError(t, err)
	m := runSteps(t, tr, 20)
	ess := float64(m.NegativesESS)
	require.True(t, ess >= 1/float64(cfg.Batch) && ess <= 1+1e-12, "ESS share %v", ess)
	require.Less(t, ess, 1.0, "every weight equal: the weights were not applied")

	cfg.Negatives = ebm.NegativesConfig{}
	tr, err = New(cfg)
	require.NoError(t, err)
	m = runSteps(t, tr, 2)
	require.Zero(t, float64(m.NegativesESS))
}

// TestNegativesBatch: negatives.batch equal to the batch is the default
// run bit for bit (the first batch of the negatives' latents are the
// penalty's and the generator step's); more negatives train another
// model, whose weights' effective sample size is a share of all of them.
func TestNegativesBatch(t *testing.T) {
	train := func(n int) (*Trainer, Metrics) {
		cfg := smallConfig()
		cfg.Negatives = resampleNegatives(1e-9) // weighted, never resampled
		cfg.Negatives.Batch = n
		tr, err := New(cfg)
		require.NoError(t, err)
		return tr, runSteps(t, tr, 10)
	}
	def, _ := train(0)
	same, _ := train(def.cfg.Batch)
	require.Equal(t, paramBits(def), paramBits(same))
	N := 5 * def.cfg.Batch
	more, m := train(N)
	require.NotEqual(t, paramBits(def), paramBits(more))
	// The metric is the last step's Kish ESS 1/Σw² of all N weights, as a share of N.
	require.Len(t, more.negWeights, N)
	var sq float64
	for _, w := range more.negWeights {
		sq += w * w
	}
	require.InDelta(t, 1/sq/float64(N), float64(m.NegativesESS), 1e-9)

	cfg := smallConfig()
	for _, n := range []int{1, cfg.Batch - 1, ebm.MaxBatch + 1} {
		cfg.Negatives.Batch = n
		require.ErrorContains(t, cfg.Validate(), "negatives.batch")
	}
}

// TestEMAWarmsUp: the moving average of the energy's weights is the
// average of the recent ones, not of the initial weights, even after a
// run far shorter than 1/(1 − β) updates; without an average the saved
// energy is the last weights.
func TestEMAWarmsUp(t *testing.T) {
	cfg := smallConfig()
	cfg.EMA = 0.999
	tr, err := New(cfg)
	require.NoError(t, err)
	init := flatParams(tr.Nets.Energy)
	runSteps(t, tr, 30)
	last, avg := flatParams(tr.Nets.Energy), flatParams(tr.ema)
	require.Less(t, dist(avg, last), 0.5*dist(avg, init), "the average is nearer the initial weights than the last ones")
	require.NotEqual(t, last, avg)
}

func flatParams(n *nn.Network[float32]) []float64 {
	var v []float64
	for _, p := range n.Params() {
		for _, x := range p.Value {
			v = append(v, float64(x))
		}
	}
	return v
}

func dist(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

// resampleNegatives are the default negatives with another resampling
// threshold.
func resampleNegatives(threshold float64) ebm.NegativesConfig {
	n := ebm.DefaultNegatives
	n.Resample = threshold
	return n
}

// TestResampledNegatives: with a threshold no ESS can fall below, the
// resampling negatives are the importance-weighted ones, bit for bit (the
// chains never run, and their step size stays put); with threshold 1 every
// iteration resamples and runs the chains, which report their acceptance
// and adapt their step size.
func TestResampledNegatives(t *testing.T) {
	train := func(neg ebm.NegativesConfig, n int) (*Trainer, Metrics) {
		cfg := smallConfig()
		cfg.Negatives = neg
		tr, err := New(cfg)
		require.NoError(t, err)
		return tr, runSteps(t, tr, n)
	}
	weighted, _ := train(ebm.WeightedNegatives, 15)
	never, m := train(resampleNegatives(1e-9), 15) // ESS ≥ 1 > 1e-9·B
	require.Equal(t, paramBits(weighted), paramBits(never))
	require.Zero(t, float64(m.NegativesAcceptance))
	require.Equal(t, ebm.DefaultNegatives.StepSize, never.negatives.StepSize())

	always, m := train(resampleNegatives(1), 15)
	a := float64(m.NegativesAcceptance)
	require.True(t, a > 0 && a <= 1, "acceptance %v", a)
	require.NotEqual(t, ebm.DefaultNegatives.StepSize, always.negatives.StepSize(), "the step size did not adapt")
	require.NotEqual(t, paramBits(weighted), paramBits(always))
}

// TestStepAllocatesNothing: once warm, an iteration allocates nothing,
// including the guard's snapshot (taken every iteration here), with the
// importance-weighted, the MALA and the resampled negatives.
func TestStepAllocatesNothing(t *testing.T) {
	for name, neg := range map[string]ebm.NegativesConfig{"importance": ebm.WeightedNegatives, "mala": ebm.MALANegatives, "resample": resampleNegatives(1), "base": ebm.MALANegatives, "batch": resampleNegatives(1)} {
		cfg := smallConfig()
		cfg.Negatives, cfg.Guard.SnapshotEvery = neg, 1
		switch name {
		case "base":
			cfg.Base.Weight = 0.5
		case "batch":
			cfg.Negatives.Batch = 3 * cfg.Batch
		}
		tr, err := New(cfg)
		require.NoError(t, err)
		runSteps(t, tr, 3)
		n := testing.AllocsPerRun(10, func() {
			if _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, n, "%s: allocations per iteration", name)
	}
}

// TestGuardRollsBackAndGivesUp poisons the energy network and checks that
// the guard restores the last good state, lowers the learning rates, and
// stops with ErrDiverged once its rollbacks are used.
func TestGuardRollsBackAndGivesUp(t *testing.T) {
	cfg := smallConfig()
	cfg.Guard.MaxRollbacks = 2
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, tr, 10) // snapshot at 10
	good := paramBits(tr)
	poison := func() { tr.Nets.Energy.Params()[0].Value[0] = float32(math.NaN()) }

	poison()
	m, err := tr.Step()
	if err != nil {
		t.Fatal(err)
	}
	if m.Rollbacks != 1 || float64(m.LRScale) != cfg.Guard.LRFactor || tr.StepCount() != 10 {
		t.Fatalf("after a NaN: rollbacks %d, lr scale %v, step %d; want 1, %v, 10", m.Rollbacks, m.LRScale, tr.StepCount(), cfg.Guard.LRFactor)
	}
	for i, b := range paramBits(tr) {
		if b != good[i] {
			t.Fatalf("value %d not restored", i)
		}
	}
	if got := tr.optE.Config.LR; got != cfg.OptE.LR*cfg.Guard.LRFactor {
		t.Fatalf("energy learning rate %v, want %v", got, cfg.OptE.LR*cfg.Guard.LRFactor)
	}
	poison()
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	poison()
	if _, err := tr.Step(); !errors.Is(err, ErrDiverged) {
		t.Fatalf("third divergence: err = %v, want ErrDiverged", err)
	}
}

// cancelAt is a Progress that cancels the run after a given iteration.
type cancelAt struct {
	step   int
	cancel context.CancelFunc
}

func (c cancelAt) Update(m Metrics, total int, eta time.Duration) {
	if m.Step == c.step {
		c.cancel()
	}
}
func (cancelAt) Event(string) {}
func (cancelAt) Done()        {}

// TestInterruptCheckpoints cancels a run (as SIGINT does in the CLI) and
// checks that it stops with ErrInterrupted after writing a checkpoint of
// exactly the iterations done, from which it resumes.
func TestInterruptCheckpoints(t *testing.T) {
	cfg := smallConfig()
	cfg.PlotEvery = 0
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := tr.Run(ctx, dir, cancelAt{step: 7, cancel: cancel}, Hooks{}); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run after cancel: %v, want ErrInterrupted", err)
	}
	resumed, err := Resume(filepath.Join(dir, ebm.CheckpointFile), 0)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.StepCount() != 7 {
		t.Fatalf("checkpoint at iteration %d, want 7", resumed.StepCount())
	}
}

// TestModelLoadsWithoutTheData trains on a CSV file, deletes it, and loads
// the model: a service needs the checkpoint, not the training data.
func TestModelLoadsWithoutTheData(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "points.csv")
	var rows []byte
	for i := range 64 {
		rows = fmt.Appendf(rows, "%g,%g,%g\n", float64(i%7)/7, float64(i%5)/5, float64(i%3)/3)
	}
	if err := os.WriteFile(csv, rows, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig()
	cfg.Dataset, cfg.Steps, cfg.LatentDim, cfg.PlotEvery = "csv:"+csv, 5, 2, 0
	cfg.Base.Weight = 0.5 // the checkpoint must carry the base fitted to the data
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), dir, nil, Hooks{}); err != nil {
		t.Fatal(err)
	}
	x := []float32{0.1, 0.2, 0.3, 2, -1, 0.5}
	saved, err := bounds.NewConfinedEnergy(tr.ema, tr.Nets.Base, 2, 0) // the default saves the moving average
	require.NoError(t, err)
	want := append([]float64(nil), saved.Energy(x, nn.Eval)...)
	require.NotEqual(t, want, tr.eData.Energy(x, nn.Eval), "the moving average is the last weights")
	os.Remove(csv)
	m, err := ebm.LoadModel(dir)
	if err != nil {
		t.Fatalf("loading without the CSV: %v", err)
	}
	if m.Dim() != 3 || m.LatentDim() != 2 || m.Step() != 5 {
		t.Fatalf("dims %d/%d, step %d; want 3/2, 5", m.Dim(), m.LatentDim(), m.Step())
	}
	got := make([]float32, 2)
	require.NoError(t, m.Energy(x, got))
	for i := range got {
		require.Equal(t, float32(want[i]), got[i], "energy %d of the loaded model", i)
	}
	// The base dominates away from the data: a point outside the data's
	// cube [0, 1]³ has a much larger energy than one inside.
	require.Greater(t, want[1]-want[0], 10.0)

	// A checkpoint whose base is of another size is refused, not read.
	s, err := ebm.ReadCheckpoint(filepath.Join(dir, "checkpoint.ckpt"))
	require.NoError(t, err)
	_, err = s.Base()
	require.NoError(t, err)
	s.Ckpt.SetTensor(ebm.Float32Tensor("base/precision", make([]float32, 4), 2, 2))
	_, err = s.Base()
	require.ErrorContains(t, err, "base/precision")
}

// TestOverflowingUpdateIsRolledBack: an update that makes a parameter or
// an optimizer moment non-finite is a divergence like a NaN loss: the guard
// rolls back, and no checkpoint ever holds the non-finite state.
func TestOverflowingUpdateIsRolledBack(t *testing.T) {
	tr, err := New(smallConfig())
	require.NoError(t, err)
	runSteps(t, tr, 10)
	good := paramBits(tr)
	tr.optE.Config.LR = 1e39 // beyond float32: the update is ±Inf
	m, err := tr.Step()
	require.NoError(t, err)
	require.Equal(t, 1, m.Rollbacks)
	require.Equal(t, good, paramBits(tr), "the state was not rolled back")
	require.True(t, tr.optE.Finite() && tr.optG.Finite())
	c, err := tr.Checkpoint()
	require.NoError(t, err)
	for _, tn := range c.Tensors() {
		for _, v := range tn.Data {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "tensor %s holds %v", tn.Name, v)
		}
	}
}

// TestInterruptInsideIteration cancels a run in the middle of a long
// iteration (a diffusion bound of many Langevin steps, and many refined
// negatives): Run stops within a fraction of the iteration, the checkpoint
// holds the last whole iteration, and resuming from it gives the bits of
// an uninterrupted run.
func TestInterruptInsideIteration(t *testing.T) {
	for _, long := range []func(*ebm.Config){
		func(c *ebm.Config) {
			c.Upper, c.Diffusion.Nodes, c.Diffusion.StepsPerNode = ebm.UpperDiffusion, 3, 4000
		},
		func(c *ebm.Config) {
			c.Negatives = ebm.MALANegatives
			c.Negatives.Steps, c.Negatives.StepSize = 20000, 0.01
		},
	} {
		cfg := smallConfig()
		cfg.Steps, cfg.Batch, cfg.PlotEvery, cfg.CheckpointEvery = 3, 8, 0, 0
		long(&cfg)
		straight, err := New(cfg)
		require.NoError(t, err)
		began := time.Now()
		runSteps(t, straight, cfg.Steps)
		whole := time.Since(began)

		tr, err := New(cfg)
		require.NoError(t, err)
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(30 * time.Millisecond); cancel() }()
		start := time.Now()
		err = tr.Run(ctx, dir, nil, Hooks{})
		require.ErrorIs(t, err, ErrInterrupted)
		require.Less(t, time.Since(start), whole/2, "the run did not stop inside the iteration")
		resumed, err := Resume(filepath.Join(dir, ebm.CheckpointFile), 0)
		require.NoError(t, err)
		require.Less(t, resumed.StepCount(), cfg.Steps)
		runSteps(t, resumed, cfg.Steps-resumed.StepCount())
		require.Equal(t, paramBits(straight), paramBits(resumed), "the resumed run differs from the straight one")
	}
}
