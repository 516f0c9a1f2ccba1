package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/internal/shard"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/plot"
	"github.com/ebmcpu/ebmcpu/trainer"
)

// Pairings lists the pairings of the suite, default first: lower bound +
// upper bound, and sv+none, the lower-bound-only baseline.
var Pairings = []string{"sv+gp", "sv+diffusion", "mi+gp", "mi+diffusion", "sv+none"}

// Default run lengths of the full suite: the default run's iterations
// (ebm.DefaultSteps) for every pairing but the diffusion ones, which are
// about 7× dearer per iteration (5 nodes × 10 Langevin steps each) and run
// DefaultDiffusionSteps, with the default diffusion settings (not cheaper
// ones). Measured on the 2-core AMD EPYC (Zen 3, AVX2 tier), two runs at a
// time with one linalg worker each (the median seconds_per_step of the
// runs' metrics.jsonl, with the resampled negatives of the defaults,
// 2026-12-07 13:50–15:11, the machine in its slower phase and shared with
// `make test` for part of the time):
//
//	sv+gp        ≈ 6.0 ms    mi+gp         ≈ 6.0 ms     sv+none ≈ 4.4 ms
//	sv+diffusion ≈ 42 ms     mi+diffusion  ≈ 42 ms
//	evaluation (grid 200, 2000 samples, AIS check, bracket) ≈ 2.5 s per run
//
// Per set × seed, with S = 8000 and S_d = 2000:
//
//	S·(6.0 + 6.0 + 4.4) ms + 2·S_d·42 ms + 5·2.5 s ≈ 131 + 168 + 12 ≈ 311 s
//
// of run time, two runs at a time: 27 · 311 s / 2 ≈ 70 minutes (82 measured;
// 53 with the weights alone on a quiet machine).
// RESULTS.md records the iterations of each pairing.
const (
	DefaultSteps          = ebm.DefaultSteps
	DefaultDiffusionSteps = 2000
	// ShortSteps is the length of every run of the CI-sized suite.
	ShortSteps = 300
)

// Config sets a suite.
type Config struct {
	Out      string   // suite directory
	Sets     []string // toy sets (data.Toys names)
	Pairings []string // "lower+upper"
	Seeds    int      // seeds 1..Seeds
	// Steps > 0 sets the iterations of every run; 0 selects DefaultSteps,
	// and DefaultDiffusionSteps for the diffusion pairings.
	Steps    int
	Parallel int // runs at a time (each with one linalg worker)
	// Eval sets the evaluation of every run.
	Eval eval.Options
	// Command is the command line that started the suite, for RESULTS.md.
	Command string
	// Note is an extra line for RESULTS.md (e.g. that this is the short
	// variant).
	Note string
	// Shard selects the runs of this process when the suite is split over
	// the array tasks of a batch engine: run i of Specs belongs to shard
	// i mod Count. The zero value runs everything.
	Shard shard.Shard
	// Clock measures the wall times RESULTS.md reports (nil: time.Now); a
	// test sets a fixed one to compare tables byte for byte.
	Clock func() time.Time

	// Images makes the suite an image sweep (ImagesConfig): image data
	// sets, the defaults of image runs, IMAGES.md and images-grid.png.
	Images bool
	// PairingsBySet, when it names a set, replaces Pairings for that set.
	PairingsBySet map[string][]string
	// Workers is the number of linalg workers of each run (0: 1).
	Workers int
	// Tweak, if set, changes the configuration of every run after the
	// defaults (ImagesShortConfig: tiny networks).
	Tweak func(*ebm.Config)
}

func (c Config) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

// owns reports whether run i of Specs is this process's to run.
func (c Config) owns(i int) bool { return c.Shard.Count <= 1 || c.Shard.Owns(i) }

// DefaultConfig is the full suite: the nine sets, every pairing, 3 seeds.
func DefaultConfig() Config {
	return Config{Out: "suite", Sets: DefaultSets(), Pairings: append([]string(nil), Pairings...), Seeds: 3, Parallel: 2,
		Eval: eval.Options{Seed: 1}}
}

// ShortConfig is the CI-sized suite: 8gaussians, sv+gp and sv+none, one
// seed, ShortSteps iterations and a small evaluation; it runs in seconds.
func ShortConfig() Config {
	c := DefaultConfig()
	c.Sets = []string{"8gaussians"}
	c.Pairings = []string{"sv+gp", "sv+none"}
	c.Seeds = 1
	c.Steps = ShortSteps
	c.Eval = eval.Options{Seed: 1, Grid: 64, Samples: 256, TestPoints: 2000, Latents: 100, BoundBatch: 100,
		SkipAIS2D: true, Langevin: eval.LangevinConfig{Steps: 30, BurnIn: 10}}
	c.Note = "short variant (CI): small evaluation — grid 64, 256 samples, 2000 test points, 100 latents, no AIS check"
	return c
}

// ParsePairing splits "lower+upper" (or "lower+upper@variant", see
// Variants) and checks it is a known pairing.
func ParsePairing(p string) (lower, upper string, err error) {
	if p, _, err = splitVariant(p); err != nil {
		return "", "", err
	}
	for _, q := range Pairings {
		if p == q {
			lower, upper, _ = strings.Cut(p, "+")
			return lower, upper, nil
		}
	}
	return "", "", fmt.Errorf("unknown pairing %q (want one of: %s)", p, strings.Join(Pairings, ", "))
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	toys := map[string]bool{}
	for _, t := range data.Toys() {
		toys[t] = true
	}
	switch {
	case c.Out == "":
		return errors.New("the suite directory is empty")
	case len(c.Sets) == 0 || len(c.Pairings) == 0:
		return errors.New("want at least one set and one pairing")
	case c.Seeds < 1:
		return fmt.Errorf("seeds = %d, want ≥ 1", c.Seeds)
	case c.Steps < 0:
		return fmt.Errorf("steps = %d, want ≥ 0", c.Steps)
	case c.Parallel < 1:
		return fmt.Errorf("parallel = %d, want ≥ 1", c.Parallel)
	case c.Workers < 0:
		return fmt.Errorf("workers = %d, want ≥ 0", c.Workers)
	}
	if c.Images {
		if err := c.validateImages(); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, s := range c.Sets {
		if !toys[s] && !c.Images {
			return fmt.Errorf("unknown set %q (want one of: %s)", s, strings.Join(data.Toys(), ", "))
		}
		if seen[s] {
			return fmt.Errorf("set %q given twice", s)
		}
		seen[s] = true
	}
	for _, p := range c.Pairings {
		if _, _, err := ParsePairing(p); err != nil {
			return err
		}
		if seen["pairing:"+p] {
			return fmt.Errorf("pairing %q given twice", p)
		}
		seen["pairing:"+p] = true
	}
	return nil
}

// StepsFor is the number of iterations of the runs of a pairing.
func (c Config) StepsFor(pairing string) int {
	if _, v, _ := splitVariant(pairing); v != nil && v.Steps > 0 {
		return v.Steps
	}
	if c.Steps > 0 {
		return c.Steps
	}
	if c.Images {
		return ebm.DefaultImageConfig().Steps
	}
	if strings.HasSuffix(pairing, "+diffusion") {
		return DefaultDiffusionSteps
	}
	return DefaultSteps
}

// Spec names one run of the suite.
type Spec struct {
	Set, Pairing string
	Seed         uint64
}

// Name is the run's directory name, <set>-<pairing>-s<seed>.
func (s Spec) Name() string { return fmt.Sprintf("%s-%s-s%d", s.Set, s.Pairing, s.Seed) }

// Specs lists the runs in a fixed order: seed, set, pairing. Every set and
// pairing is run with seed 1 before any with seed 2, so a suite stopped
// part-way still holds whole seeds.
func (c Config) Specs() []Spec {
	var out []Spec
	for s := 1; s <= c.Seeds; s++ {
		for _, set := range c.Sets {
			for _, p := range c.pairingsOf(set) {
				out = append(out, Spec{set, p, uint64(s)})
			}
		}
	}
	return out
}

// Record is what the suite keeps of one run (run.json).
type Record struct {
	Set     string `json:"set"`
	Pairing string `json:"pairing"`
	Seed    uint64 `json:"seed"`
	Steps   int    `json:"steps"`
	// Status is "ok", "diverged" (the guard used up its rollbacks) or
	// "error" (anything else; Error says what).
	Status    string  `json:"status"`
	Error     string  `json:"error,omitempty"`
	Rollbacks int     `json:"rollbacks"` // divergence events the guard rolled back
	TrainSec  float64 `json:"train_seconds"`
	EvalSec   float64 `json:"eval_seconds"`

	Report *eval.Report `json:"-"` // eval.json, when Status is "ok"
	Dir    string       `json:"-"`
}

// Files of a suite run directory, besides the trainer's.
const (
	EvalJSON   = "eval.json"
	EvalPNG    = "eval.png"
	RecordJSON = "run.json"
)

// Run trains and evaluates every run of the suite that belongs to its
// shard, Parallel at a time, skipping the runs already done, and returns
// the records in Specs order (nil for other shards' runs). log receives one
// line per run. A cancelled ctx stops the runs in flight — they checkpoint
// and leave no eval.json, so the next call resumes them — and returns ctx's
// error. Runs that fail are recorded, not fatal.
func Run(ctx context.Context, c Config, log io.Writer) ([]*Record, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// Each run uses one linalg worker: two runs use the two cores, and the
	// results do not depend on the worker count.
	prev := linalg.Workers()
	linalg.SetWorkers(max(1, c.Workers))
	defer linalg.SetWorkers(prev)

	specs := c.Specs()
	recs := make([]*Record, len(specs))
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		next int
		done int
	)
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(log, format+"\n", args...)
	}
	for w := 0; w < c.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(specs) || ctx.Err() != nil {
					return
				}
				if !c.owns(i) {
					continue
				}
				rec, resumed, err := runOne(ctx, c, specs[i])
				if err != nil { // cancelled
					return
				}
				recs[i] = rec
				mu.Lock()
				done++
				n := done
				mu.Unlock()
				how := fmt.Sprintf("%.1f s", rec.TrainSec+rec.EvalSec)
				if resumed {
					how = "done before"
				}
				logf("[%d/%d] %s: %s (%s)", n, len(specs), specs[i].Name(), rec.summary(), how)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return recs, err
	}
	// The simple estimators of each set, once per suite (set j by shard
	// j mod Count): the tables compare every pairing with them.
	for j, set := range c.Sets {
		if c.Images || (c.Shard.Count > 1 && !c.Shard.Owns(j)) {
			continue
		}
		r, err := ReferenceFor(c, set)
		if err != nil {
			return recs, err
		}
		logf("reference estimators on %s: KDE %s, GMM %s", set, r.KDE.Param, r.GMM.Param)
	}
	return recs, nil
}

func (r *Record) summary() string {
	switch r.Status {
	case "ok":
		s := "ok"
		if r.Report.Images != nil {
			s += ", " + imageRecordSummary(r)
		}
		if kl := r.Report.Test.KLGap; kl != nil {
			s += fmt.Sprintf(", KL gap %.3f", float64(kl.Value))
		}
		if r.Rollbacks > 0 {
			s += fmt.Sprintf(", %d rollbacks", r.Rollbacks)
		}
		return s
	case "diverged":
		return "diverged"
	}
	return "error: " + r.Error
}

// Finished returns the records of the runs of c already done, in Specs
// order, nil for the others: what Run would skip, without training.
func Finished(c Config) []*Record {
	specs := c.Specs()
	recs := make([]*Record, len(specs))
	for i, s := range specs {
		if rec, ok := loadRecord(filepath.Join(c.Out, "runs", s.Name())); ok && rec.Steps == c.StepsFor(s.Pairing) {
			recs[i] = rec
		}
	}
	return recs
}

// runOne trains and evaluates one run, or loads it if it was done before.
// Its error is only ctx's.
func runOne(ctx context.Context, c Config, s Spec) (rec *Record, resumed bool, err error) {
	dir := filepath.Join(c.Out, "runs", s.Name())
	if rec, ok := loadRecord(dir); ok {
		if want := c.StepsFor(s.Pairing); rec.Steps != want {
			// Never mix run lengths in one table, nor delete finished work.
			return failed(s, dir, want, fmt.Errorf("%s holds a finished run of %d iterations, not %d: choose another --out", dir, rec.Steps, want)), false, nil
		}
		return rec, true, nil
	}
	cfg := c.RunConfig(s)
	rec = &Record{Set: s.Set, Pairing: s.Pairing, Seed: s.Seed, Steps: cfg.Steps, Dir: dir}
	// A run without its eval.json was interrupted: resume its checkpoint,
	// or start it again if it has none.
	t, err := resumeRun(dir, cfg)
	if err != nil {
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	if t == nil {
		if err := os.RemoveAll(dir); err != nil { // what a run killed before its first checkpoint left
			return failed(s, dir, 0, err), false, nil
		}
		if t, err = trainer.New(cfg); err != nil {
			return failed(s, dir, cfg.Steps, err), false, nil
		}
		if _, err := ebm.CreateRunDir(dir, t.Config(), false); err != nil {
			return failed(s, dir, cfg.Steps, err), false, nil
		}
	}
	start := c.now()
	err = t.Run(ctx, dir, nil, trainer.Hooks{})
	rec.TrainSec = c.now().Sub(start).Seconds()
	if errors.Is(err, trainer.ErrInterrupted) || ctx.Err() != nil {
		return nil, false, ctx.Err()
	}
	rec.Rollbacks = lastRollbacks(filepath.Join(dir, ebm.MetricsFile))
	switch {
	case errors.Is(err, trainer.ErrDiverged):
		rec.Status, rec.Error = "diverged", err.Error()
		rec.Rollbacks = max(rec.Rollbacks, cfg.Guard.MaxRollbacks)
		return rec, false, writeRecord(dir, rec)
	case err != nil:
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	start = c.now()
	sub, err := eval.Load(dir)
	if err != nil {
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	r, err := eval.Evaluate(sub, c.Eval)
	if err != nil {
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	if err := plot.Panel(r, filepath.Join(dir, EvalPNG)); err != nil {
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	rec.EvalSec = c.now().Sub(start).Seconds()
	rec.Status, rec.Report = "ok", r
	// eval.json last: its presence means the run is complete.
	if err := writeRecord(dir, rec); err != nil {
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	if err := r.WriteJSON(filepath.Join(dir, EvalJSON)); err != nil {
		return failed(s, dir, cfg.Steps, err), false, nil
	}
	return rec, false, nil
}

// Config is the training configuration of the run: the defaults of its set
// (ebm.DefaultConfigFor) with the pairing and the seed, steps iterations,
// no pictures and no periodic checkpoints (only one on interruption).
func (s Spec) Config(steps int) ebm.Config {
	lower, upper, _ := ParsePairing(s.Pairing)
	cfg := ebm.DefaultConfigFor(s.Set)
	cfg.Dataset, cfg.Lower, cfg.Upper, cfg.Seed = s.Set, ebm.LowerBound(lower), ebm.UpperBound(upper), s.Seed
	cfg.Steps = steps
	cfg.PlotEvery, cfg.CheckpointEvery = 0, 0
	if _, v, _ := splitVariant(s.Pairing); v != nil {
		v.Apply(&cfg)
	}
	return cfg
}

// resumeRun returns the trainer that continues the interrupted run in dir,
// or nil when dir holds no checkpoint and the run starts again. A
// checkpoint it cannot continue (unreadable, or of other settings than
// cfg) is an error: the suite never deletes a checkpoint.
func resumeRun(dir string, cfg ebm.Config) (*trainer.Trainer, error) {
	path := filepath.Join(dir, ebm.CheckpointFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	s, err := ebm.ReadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if err := ebm.CheckResumeDir(dir, s); err != nil {
		return nil, err
	}
	resolved, err := cfg.Resolve(s.Dims)
	if err != nil {
		return nil, err
	}
	a, _ := json.Marshal(s.Config)
	b, _ := json.Marshal(resolved)
	if string(a) != string(b) {
		return nil, fmt.Errorf("%s holds an interrupted run of other settings than this suite's: continue it with `ebmcpu train --resume %s`, move it away, or choose another --out", dir, dir)
	}
	return trainer.FromCheckpoint(s, 0)
}

func failed(s Spec, dir string, steps int, err error) *Record {
	return &Record{Set: s.Set, Pairing: s.Pairing, Seed: s.Seed, Steps: steps, Status: "error", Error: err.Error(), Dir: dir}
}

func writeRecord(dir string, rec *Record) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, RecordJSON), append(b, '\n'), 0o644)
}

// loadRecord reads a finished run: run.json and eval.json, or run.json of
// a diverged run.
func loadRecord(dir string) (*Record, bool) {
	b, err := os.ReadFile(filepath.Join(dir, RecordJSON))
	if err != nil {
		return nil, false
	}
	rec := &Record{Dir: dir}
	if json.Unmarshal(b, rec) != nil {
		return nil, false
	}
	if rec.Status == "diverged" {
		return rec, true
	}
	b, err = os.ReadFile(filepath.Join(dir, EvalJSON))
	if err != nil || rec.Status != "ok" {
		return nil, false
	}
	var r eval.Report
	if json.Unmarshal(b, &r) != nil {
		return nil, false
	}
	rec.Report = &r
	return rec, true
}

// lastRollbacks is the "rollbacks" field of the last metrics line that has
// one (0 if none).
func lastRollbacks(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		var m struct {
			Rollbacks *int `json:"rollbacks"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Rollbacks != nil {
			n = *m.Rollbacks
		}
	}
	return n
}

// DefaultSets are the nine 2-D sets of the suite: every toy set except
// moons-raw (moons before its rescaling, the same shape).
func DefaultSets() []string {
	var out []string
	for _, t := range data.Toys() {
		if t != "moons-raw" {
			out = append(out, t)
		}
	}
	return out
}

// GridFile is the suite's picture grid.
const GridFile = "grid.png"

// GridTileWidth is the width in pixels of one tile of the grid: 400 keeps
// the titles legible and the full grid (5 × 9 tiles) near 2 MB.
const GridTileWidth = 400

// WriteGrid composes c.Out/grid.png from the eval.png panels of seed 1:
// one row per set, one column per pairing (plot.Mosaic); a missing panel
// leaves a grey tile. It is an error if no panel exists at all.
func WriteGrid(c Config) error {
	if c.Images {
		return writeImagesGrid(c)
	}
	paths := make([][]string, len(c.Sets))
	for i, set := range c.Sets {
		for _, pr := range c.Pairings {
			paths[i] = append(paths[i], filepath.Join(c.Out, "runs", Spec{set, pr, 1}.Name(), EvalPNG))
		}
	}
	return plot.Mosaic(filepath.Join(c.Out, GridFile), paths, GridTileWidth)
}
