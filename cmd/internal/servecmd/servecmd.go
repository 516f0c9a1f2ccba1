// Package servecmd is the `ebmcpu serve` command, also built alone as the
// ebmcpu-serve binary (which links no plotting code): it loads trained
// models, calibrates their outlier thresholds on held-out data, and serves
// them over the Open Inference Protocol with package serve.
package servecmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/ebmcpu/ebmcpu/serve"
)

// listFlag collects a repeated string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// Run is the command: it returns when the server has stopped (SIGINT or
// SIGTERM drains the requests in flight first).
func Run(args []string, stdout, stderr io.Writer) error {
	def := serve.DefaultOptions()
	fs := cli.NewFlags("ebmcpu serve", stderr)
	var models listFlag
	fs.Var(&models, "model", "a run directory or checkpoint file to serve (repeatable); its name is the directory's name")
	runs := fs.String("models", "", "a directory of run directories: serve every one that holds a checkpoint")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port)")
	fpr := fs.Float64("fpr", 0.01, "target false-positive rate of is_outlier on held-out data, in (0, 0.5]")
	calData := fs.String("calibration-data", "", "data set whose held-out points calibrate the outlier threshold (default: each model's own)")
	calN := fs.Int("calibration-points", 10000, "held-out points behind the threshold (built-in sets: fresh samples)")
	maxBatch := fs.Int("max-batch", def.MaxBatch, "most rows per model call when coalescing requests (1: no batching)")
	maxDelay := fs.Duration("max-delay", def.MaxDelay, "how long a batch waits for more requests")
	maxRows := fs.Int("max-rows", def.MaxRows, "most rows per request (more: 413)")
	maxBody := fs.Int64("max-body", def.MaxBodyBytes, "most bytes per request body (more: 413)")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "linalg worker threads (results do not depend on it)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ebmcpu serve (--model DIR ... | --models DIR) [--addr 127.0.0.1:8080] [--fpr 0.01] [flags]")
		fs.PrintDefaults()
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case len(models) == 0 && *runs == "":
		return cli.Usage("give --model DIR (repeatable) or --models DIR")
	case !(*fpr > 0 && *fpr <= 0.5):
		return cli.Usage("--fpr=%v: want a rate in (0, 0.5]", *fpr)
	case *calN < 100 || *calN > 1<<20:
		return cli.Usage("--calibration-points=%d: want 100 to %d", *calN, 1<<20)
	case *threads < 1 || *threads > 1024:
		return cli.Usage("--threads=%d: want 1 to 1024", *threads)
	}
	linalg.SetWorkers(*threads)
	opt := def
	opt.MaxBatch, opt.MaxDelay, opt.MaxRows, opt.MaxBodyBytes = *maxBatch, *maxDelay, *maxRows, *maxBody
	opt.ServerVersion = "ebmcpu (" + asm.Tier().String() + ")"
	opt.ErrorLog = log.New(stderr, "ebmcpu serve: ", 0)

	paths, err := modelPaths(models, *runs)
	if err != nil {
		return cli.Usage("%v", err)
	}
	var entries []serve.Entry
	for _, p := range paths {
		e, err := load(p, *fpr, *calData, *calN, stderr)
		if err != nil {
			return cli.Usage("%v", err)
		}
		entries = append(entries, e)
	}
	srv, err := serve.New(entries, opt)
	if err != nil {
		return cli.Usage("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stderr, "serving %d model(s) on http://%s/v2 (metrics on /metrics)\n", len(entries), *addr)
	if err := srv.ListenAndServe(ctx, *addr); err != nil {
		var op interface{ Timeout() bool }
		if errors.As(err, &op) || strings.Contains(err.Error(), "listen") {
			return cli.Usage("--addr %s: %v", *addr, err)
		}
		return err
	}
	fmt.Fprintln(stderr, "stopped")
	return nil
}

// modelPaths lists the run directories to serve: the --model values, and
// every subdirectory of runs that holds a checkpoint, each name once.
func modelPaths(models []string, runs string) ([]string, error) {
	out := append([]string(nil), models...)
	if runs != "" {
		entries, err := os.ReadDir(runs)
		if err != nil {
			return nil, fmt.Errorf("--models %s: %w", runs, err)
		}
		for _, e := range entries {
			p := filepath.Join(runs, e.Name())
			if _, err := os.Stat(filepath.Join(p, ebm.CheckpointFile)); e.IsDir() && err == nil {
				out = append(out, p)
			}
		}
		if len(out) == len(models) {
			return nil, fmt.Errorf("--models %s holds no run directory with a %s", runs, ebm.CheckpointFile)
		}
	}
	seen := map[string]string{}
	for _, p := range out {
		name := modelName(p)
		if q, ok := seen[name]; ok {
			return nil, fmt.Errorf("two models are named %q (%s and %s): serve them from directories with distinct names", name, q, p)
		}
		seen[name] = p
	}
	sort.Strings(out)
	return out, nil
}

// modelName is the name a model is served under: its run directory's name.
func modelName(path string) string {
	_, dir := ebm.ResolveRun(path)
	return filepath.Base(filepath.Clean(dir))
}

// load opens one model and its calibration: calibration.json beside the
// checkpoint when it was made for the same rate and data, otherwise a new
// one from held-out points (saved beside the checkpoint when the directory
// is writable).
func load(path string, fpr float64, calData string, n int, log io.Writer) (serve.Entry, error) {
	m, err := ebm.LoadModel(path)
	if err != nil {
		return serve.Entry{}, err
	}
	e := serve.Entry{Name: modelName(path), Model: m, Bracket: m.Certification().String()}
	_, dir := ebm.ResolveRun(path)
	spec := calData
	if spec == "" {
		spec = m.Config().Dataset
	}
	calPath := filepath.Join(dir, serve.CalibrationFile)
	if c, err := serve.LoadCalibration(calPath); err == nil && c.FPR == fpr && strings.HasPrefix(c.Source, spec+":") {
		e.Calibration = c
		return e, nil
	}
	src, err := data.Open(spec, false)
	if err != nil {
		return e, fmt.Errorf("model %s: calibration data: %w", e.Name, err)
	}
	held, err := src.HeldOut(nn.NewStream(1, "serve/calibration").Rand, n)
	if err != nil {
		return e, fmt.Errorf("model %s: calibration data: %w", e.Name, err)
	}
	if held.D != m.Dim() {
		return e, fmt.Errorf("model %s takes width %d but the calibration data %s have %d columns", e.Name, m.Dim(), spec, held.D)
	}
	x := make([]float32, len(held.X))
	for i, v := range held.X {
		x[i] = float32(v)
	}
	c, err := serve.CalibrateModel(m, x, 256, fpr, spec+": "+held.Source)
	if err != nil {
		return e, fmt.Errorf("model %s: calibration: %w", e.Name, err)
	}
	e.Calibration = &c
	if err := c.Save(calPath); err != nil {
		fmt.Fprintf(log, "model %s: calibration kept in memory (%v)\n", e.Name, err)
	}
	if math.IsNaN(c.Threshold) {
		return e, fmt.Errorf("model %s: the calibration threshold is not a number", e.Name)
	}
	return e, nil
}

var _ flag.Value = (*listFlag)(nil)
