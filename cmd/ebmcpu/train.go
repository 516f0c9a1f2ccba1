package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/plot"
	"github.com/ebmcpu/ebmcpu/trainer"
)

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("ebmcpu train", stderr)
	configPath := fs.String("config", "", "JSON config file (fields it omits keep their defaults)")
	out := fs.String("out", "", "run directory (default runs/<dataset>-<lower>+<upper>-<time>)")
	resume := fs.String("resume", "", "continue the run in this directory (or checkpoint file)")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "worker threads (results do not depend on it)")
	cf := registerConfigFlags(fs, ebm.DefaultConfig())
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ebmcpu train [--config FILE] [--out DIR] [--resume DIR] [--threads N] [--<setting>=VALUE ...]")
		fmt.Fprintln(stderr, "\nWith no flags: the built-in default run (8gaussians, sv + gp).\n\nCommand flags:")
		for _, name := range []string{"config", "out", "resume", "threads"} {
			f := fs.Lookup(name)
			fmt.Fprintf(stderr, "  --%-10s %s\n", f.Name, f.Usage)
		}
		fmt.Fprintln(stderr, "\nSettings (also the fields of a --config JSON file, by their dotted paths). The defaults shown are those of")
		fmt.Fprintln(stderr, "the 2-D sets; image data (--dataset mnist, fashion-mnist, mnist:DIR) start from ebm.DefaultImageConfig:")
		fmt.Fprintln(stderr, "energy.arch dcgan, generator.arch conv, latent_dim 32, batch 64, 3000 steps, sv.method smin with warm-started\n"+
			"LOBPCG, gp.log_det smin, the energy's learning rate 2e-4, the generator's samples as negatives, unweighted, and the energy's last weights (ema 0).")
		cf.printHelp(stderr)
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if *threads < 1 || *threads > 1024 {
		return cli.Usage("--threads=%d: want 1 to 1024", *threads)
	}
	linalg.SetWorkers(*threads)

	var (
		t   *trainer.Trainer
		dir string
		err error
	)
	if *resume != "" {
		if *configPath != "" || (cf.given() && !(len(cf.set) == 1 && cf.set[0] == "steps")) {
			return cli.Usage("--resume takes the run's own config; only --steps (the new total of iterations) and --threads may be given")
		}
		steps := 0
		if cf.given() {
			var c ebm.Config
			if err := cf.apply(&c); err != nil {
				return err
			}
			if steps = c.Steps; steps < 1 {
				return cli.Usage("--steps=%d with --resume: want the new total number of iterations, ≥ 1", steps)
			}
		}
		var ckpt string
		ckpt, dir = ebm.ResolveRun(*resume)
		s, err := ebm.ReadCheckpoint(ckpt)
		if err != nil {
			return cli.Usage("%v", err)
		}
		if err := ebm.CheckResumeDir(dir, s); err != nil {
			return cli.Usage("%v", err)
		}
		if t, err = trainer.FromCheckpoint(s, steps); err != nil {
			return cli.Usage("%v", err)
		}
		fmt.Fprintf(stderr, "resuming %s at iteration %d of %d\n", dir, t.StepCount(), t.Config().Steps)
	} else {
		cfg, err := runConfig(*configPath, cf)
		if err != nil {
			return err
		}
		if t, err = trainer.New(cfg); err != nil { // checks the config and loads the data before anything is written
			return cli.Usage("%v", err)
		}
		dir = *out
		if dir == "" {
			dir = filepath.Join("runs", fmt.Sprintf("%s-%s+%s-%s", sanitize(cfg.Dataset), cfg.Lower, cfg.Upper, time.Now().Format("20060102-150405")))
		}
		if dir, err = ebm.CreateRunDir(dir, t.Config(), *out == ""); err != nil {
			return cli.Usage("%v", err)
		}
		base := ""
		if b := cfg.Base; b.Weight > 0 {
			base = fmt.Sprintf(", Gaussian base β = %g (ridge %g·tr Σ/D)", b.Weight, b.Ridge)
		}
		fmt.Fprintf(stderr, "run directory %s: %s, %s + %s%s, %d iterations, batch %d, seed %d\n",
			dir, cfg.Dataset, cfg.Lower, cfg.Upper, base, cfg.Steps, cfg.Batch, cfg.Seed)
	}
	fmt.Fprintf(stderr, "bracket of log Z: %s\n", t.Certification)

	var pictures []string // the files the last Plot hook wrote
	hooks := trainer.Hooks{Eval: func(t *trainer.Trainer) error { return evalDuringTraining(t, dir, stderr) }}
	if t.Config().PlotEvery > 0 {
		hooks.Plot = func(t *trainer.Trainer) (err error) {
			cfg := t.Config()
			title := fmt.Sprintf("%s, %s+%s, step %d", cfg.Dataset, cfg.Lower, cfg.Upper, t.StepCount())
			pictures, err = plot.Training(dir, t.Nets, t.Data, title, cfg.Seed)
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1)
	defer stop()
	err = t.Run(ctx, dir, newProgress(stderr), hooks)
	if errors.Is(err, trainer.ErrInterrupted) {
		return cli.Interrupted(fmt.Errorf("%w; continue with: ebmcpu train --resume %s", err, dir))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done: %s (%s)\n", dir, strings.Join(append([]string{ebm.MetricsFile, ebm.CheckpointFile}, pictures...), ", "))
	return nil
}

// runConfig is the configuration of a new run: the defaults of its data
// set (ebm.DefaultConfigFor: images have their own), then the --config
// file, then the explicit flags.
func runConfig(configPath string, cf *configFlags) (ebm.Config, error) {
	dataset := cf.value["dataset"]
	cfg := ebm.DefaultConfigFor(dataset)
	if configPath != "" {
		var err error
		if cfg, err = ebm.LoadConfig(configPath, dataset); err != nil {
			return cfg, cli.Usage("%v", err)
		}
	}
	if err := cf.apply(&cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// evalDuringTraining evaluates the live networks (on copies) and writes
// dir/eval-<step>.json; a line of the summary goes to the progress stream.
func evalDuringTraining(t *trainer.Trainer, dir string, w io.Writer) error {
	subj := &eval.Subject{Config: t.Config(), Nets: t.Nets, Dims: t.Dims(), Aux: t.AuxValues(), Name: dir, Step: t.StepCount()}
	rep, err := eval.Evaluate(subj, eval.Options{})
	if err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("eval-%06d.json", t.StepCount()))
	if err := rep.WriteJSON(path); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nevaluation at iteration %d written to %s\n", t.StepCount(), path)
	return nil
}

// sanitize makes a dataset name safe as part of a directory name.
func sanitize(s string) string {
	b := []byte(filepath.Base(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}
