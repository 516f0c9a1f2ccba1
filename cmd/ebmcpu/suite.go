package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/internal/shard"
	"github.com/ebmcpu/ebmcpu/suite"
)

func runSuite(args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("ebmcpu suite", stderr)
	out := fs.String("out", "", "suite directory (default toy-suite, or toy-suite-short with --short; image-suite[-short] with --images)")
	sets := fs.String("sets", "", "comma-separated data sets (default: the nine 2-D sets, all but moons-raw; with --images: mnist,fashion-mnist)")
	pairings := fs.String("pairings", "", "comma-separated pairings, each lower+upper or lower+upper@variant (default: "+strings.Join(suite.Pairings, ",")+")")
	seeds := fs.String("seeds", "", "seeds 1..N per set and pairing (default 3)")
	steps := fs.String("steps", "", fmt.Sprintf("iterations of every run (default %d, %d for the diffusion pairings)", suite.DefaultSteps, suite.DefaultDiffusionSteps))
	parallel := fs.String("parallel", "", "runs at a time, one linalg worker each (default 2)")
	report := fs.Bool("report", false, "train nothing: write RESULTS.md and grid.png from the runs already finished")
	short := fs.Bool("short", false, fmt.Sprintf("the CI-sized suite: 8gaussians, sv+gp and sv+none, 1 seed, %d iterations, small evaluation (with --images: %d iterations of tiny networks)", suite.ShortSteps, suite.ImagesShortSteps))
	images := fs.Bool("images", false, "the image sweep (IMAGES.md, images-grid.png): mnist with "+strings.Join(suite.ImagePairings, ", ")+" and fashion-mnist with sv+gp and sv+none, 2 seeds, the default image config, one run at a time on 2 workers")
	ablation := fs.Bool("ablation", false, "the ablation of the 2-D quality defaults: 8gaussians, rings, checkerboard, 25gaussians; sv+gp and each one-setting variant of it ("+strings.Join(suite.AblationPairings()[1:], ", ")+"), 3 seeds, the default iterations")
	shardIndex := fs.Int("shard-index", shard.Unset, "run only shard I of the run list (0-based; default: from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX, else all)")
	shardCount := fs.Int("shard-count", shard.Unset, "the number of shards the run list is split into (default: from SLURM_ARRAY_TASK_COUNT or AWS_BATCH_JOB_ARRAY_SIZE)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ebmcpu suite [--images | --ablation] [--out DIR] [--sets a,b] [--pairings sv+gp,...] [--seeds 3] [--steps N] [--parallel 2] [--short] [--report] [--shard-index I --shard-count N]")
		fmt.Fprintln(stderr, "\nTrains and evaluates every set × pairing × seed, skipping runs already done, and writes DIR/RESULTS.md and DIR/grid.png.")
		fmt.Fprintln(stderr, "A shard runs every N-th run; after all shards, `ebmcpu suite --report` writes the tables of the whole suite.")
		fs.PrintDefaults()
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	cfg, dir := suite.DefaultConfig(), "toy-suite"
	switch {
	case *images && *short:
		cfg, dir = suite.ImagesShortConfig(), "image-suite-short"
	case *images:
		cfg, dir = suite.ImagesConfig(), "image-suite"
	case *images && *ablation:
		return cli.Usage("--images and --ablation: choose one")
	case *ablation:
		cfg, dir = suite.AblationConfig(), "ablation"
		if *short {
			cfg.Steps, cfg.Seeds, cfg.Eval = suite.ShortSteps, 1, suite.ShortConfig().Eval
		}
	case *short:
		cfg, dir = suite.ShortConfig(), "toy-suite-short"
	}
	if *out != "" {
		dir = *out
	}
	cfg.Out = dir
	if *sets != "" {
		cfg.Sets = splitList(*sets)
	}
	if *pairings != "" {
		cfg.Pairings = splitList(*pairings)
		cfg.PairingsBySet = nil // every set gets the pairings given
	}
	for _, f := range []struct {
		name, s string
		min     int
		dst     *int
		max     int
	}{{"seeds", *seeds, 1, &cfg.Seeds, 1000}, {"steps", *steps, 1, &cfg.Steps, ebm.MaxSteps}, {"parallel", *parallel, 1, &cfg.Parallel, 64}} {
		if f.s == "" {
			continue
		}
		n, err := strconv.Atoi(f.s)
		if err != nil || n < f.min || n > f.max {
			return cli.Usage("--%s=%q: want an integer from %d to %d", f.name, f.s, f.min, f.max)
		}
		*f.dst = n
	}
	if err := cfg.Validate(); err != nil {
		return cli.Usage("%v", err)
	}
	var err error
	if cfg.Shard, err = shard.Resolve(*shardIndex, *shardCount, os.Getenv); err != nil {
		return cli.Usage("%v", err)
	}
	// The command that trains these runs, whatever the shard: --report only
	// tables them.
	cfg.Command = strings.TrimSpace("ebmcpu suite " + strings.Join(withoutFlags(args, []string{"report"}, []string{"shard-index", "shard-count"}), " "))
	if *report {
		return writeSuiteReport(cfg, stdout, stderr)
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return cli.Usage("--out %s: %v", cfg.Out, err)
	}
	if err := checkWritable(cfg.Out); err != nil {
		return cli.Usage("--out %s: %v", cfg.Out, err)
	}

	n := len(cfg.Specs())
	fmt.Fprintf(stderr, "suite %s: %d runs (%d sets × %d pairings × %d seeds), %d at a time\n",
		cfg.Out, n, len(cfg.Sets), len(cfg.Pairings), cfg.Seeds, cfg.Parallel)
	if cfg.PairingsBySet != nil {
		fmt.Fprintf(stderr, "(pairings per set: %v)\n", cfg.PairingsBySet)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1)
	defer stop()
	start := time.Now()
	recs, err := suite.Run(ctx, cfg, stderr)
	if err != nil {
		if ctx.Err() != nil {
			return cli.Interrupted(fmt.Errorf("interrupted; finished runs are kept and the interrupted ones saved a checkpoint: run the same command again to resume"))
		}
		return err
	}
	if cfg.Shard.Count > 1 {
		// Other shards may still be running: the tables of the whole suite
		// come from `suite --report` once they are all done.
		if slices.Contains(suite.Finished(cfg), nil) {
			fmt.Fprintf(stdout, "shard %v done (%.0f s); once every shard is done: ebmcpu suite --report --out %s\n", cfg.Shard, time.Since(start).Seconds(), cfg.Out)
			return failedRuns(recs)
		}
		recs = suite.Finished(cfg)
	}
	if err := writeResultFiles(cfg, recs, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s/%s and %s/%s (%.0f s)\n", cfg.Out, cfg.ResultsName(), cfg.Out, cfg.GridName(), time.Since(start).Seconds())
	return failedRuns(recs)
}

// failedRuns is an error counting the runs that failed, or nil.
func failedRuns(recs []*suite.Record) error {
	failed := 0
	for _, r := range recs {
		if r != nil && r.Status == "error" {
			failed++
		}
	}
	if failed > 0 {
		return errors.New(strconv.Itoa(failed) + " runs failed (see RESULTS.md); run the same command again to retry them")
	}
	return nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// writeResultFiles writes RESULTS.md and, when there are panels, grid.png.
func writeResultFiles(cfg suite.Config, recs []*suite.Record, stderr io.Writer) error {
	if err := suite.WriteResults(cfg, recs, suite.GitCommit(), time.Now()); err != nil {
		return fmt.Errorf("%s: %w", cfg.ResultsName(), err)
	}
	if err := suite.WriteGrid(cfg); err != nil {
		fmt.Fprintf(stderr, "no %s: %v\n", cfg.GridName(), err)
	}
	return nil
}

// writeSuiteReport is `suite --report`: the tables of the runs finished so
// far (e.g. of a suite stopped part-way), marked as such.
func writeSuiteReport(cfg suite.Config, stdout, stderr io.Writer) error {
	recs := suite.Finished(cfg)
	done := 0
	for _, r := range recs {
		if r != nil {
			done++
		}
	}
	if done == 0 {
		return cli.Usage("--out %s holds no finished run of this suite", cfg.Out)
	}
	if done < len(recs) {
		note := fmt.Sprintf("written with `--report` from the %d of %d runs finished (runs are ordered seed, set, pairing)", done, len(recs))
		cfg.Note = strings.TrimPrefix(strings.Join([]string{cfg.Note, note}, "; "), "; ")
	}
	if err := writeResultFiles(cfg, recs, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s/%s and %s/%s from %d of %d runs\n", cfg.Out, cfg.ResultsName(), cfg.Out, cfg.GridName(), done, len(recs))
	return nil
}

// withoutFlags drops from args the boolean flags named in bools (-name,
// --name, --name=v) and the flags with a value named in valued (also with
// the value as the next argument).
func withoutFlags(args, bools, valued []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		f := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(f, "=")
		switch {
		case !strings.HasPrefix(a, "-"):
		case slices.Contains(bools, name):
			continue
		case slices.Contains(valued, name):
			if !hasValue {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return out
}
