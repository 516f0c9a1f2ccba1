package suite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/classify"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
)

// TestImagesConfig: the sweep's runs, their order and configurations.
func TestImagesConfig(t *testing.T) {
	c := ImagesConfig()
	require.NoError(t, c.Validate())
	var names []string
	for _, s := range c.Specs() {
		names = append(names, s.Name())
	}
	require.Equal(t, []string{
		"mnist-sv+gp-s1", "mnist-mi+gp-s1", "mnist-sv+none-s1", "fashion-mnist-sv+gp-s1", "fashion-mnist-sv+none-s1",
		"mnist-sv+gp-s2", "mnist-mi+gp-s2", "mnist-sv+none-s2", "fashion-mnist-sv+gp-s2", "fashion-mnist-sv+none-s2"}, names)
	cfg := c.RunConfig(Spec{"fashion-mnist", "mi+gp", 2})
	require.Equal(t, "fashion-mnist", cfg.Dataset)
	require.Equal(t, "dcgan", string(cfg.Energy.Arch), "the default image networks")
	require.Equal(t, 3000, cfg.Steps)
	require.Equal(t, uint64(2), cfg.Seed)
	require.Zero(t, cfg.PlotEvery)
	require.Equal(t, ImagesFile, c.ResultsName())
	require.Equal(t, ImagesGridFile, c.GridName())

	for _, bad := range []func(*Config){
		func(c *Config) { c.Sets = []string{"8gaussians"} },
		func(c *Config) { c.Sets = []string{"mnist:/tmp/x"} },
		func(c *Config) { c.PairingsBySet = map[string][]string{"mnist": {"gp+sv"}} },
		func(c *Config) { c.Workers = -1 },
	} {
		c := ImagesConfig()
		bad(&c)
		require.Error(t, c.Validate())
	}
	toy := DefaultConfig()
	toy.Sets = []string{"mnist"}
	require.Error(t, toy.Validate(), "the toy suite takes toy sets only")
}

// imageRec is an evaluated image record with the given metrics.
func imageRec(set, pairing string, seed uint64, nll, auroc, kl, conf float64, classes int) *Record {
	r := &eval.Report{Dataset: set}
	r.Test.NLL = bounds.Estimate{Value: nll, StdErr: 1}
	q := func() *classify.Report {
		return &classify.Report{Samples: classify.Stats{N: 500, Histogram: make([]int, 10), ClassesCovered: classes,
			LabelKL: jsonnum.Float64(kl), Confident: jsonnum.Float64(conf)}, Frechet: jsonnum.Float64(10 * kl)}
	}
	other := "fashion-mnist test images"
	if set == "fashion-mnist" {
		other = "mnist test images"
	}
	r.Images = &eval.ImageReport{BitsPerDim: bounds.Estimate{Value: nll / 543},
		OOD: &eval.OODReport{Sets: []eval.OODResult{{Name: other, Energy: jsonnum.Float64(auroc)},
			{Name: "uniform noise on [-1, 1]", Energy: 1}, {Name: "Gaussian noise (…)", Energy: jsonnum.Float64(auroc)}}},
		Quality: &eval.QualityReport{Classifier: set, Generator: q(), Langevin: q()}}
	return &Record{Set: set, Pairing: pairing, Seed: seed, Status: "ok", Report: r, TrainSec: 1200}
}

// TestImageGoals checks the verdicts of IMAGES.md on made-up records: the
// default pairing (sv+gp) meets every goal but the reverse OOD direction,
// and mi+gp does not beat the baseline on one metric.
func TestImageGoals(t *testing.T) {
	c := ImagesConfig()
	c.Seeds = 1
	recs := []*Record{
		imageRec("mnist", "sv+gp", 1, -900, 0.995, 0.01, 0.9, 10),
		imageRec("mnist", "mi+gp", 1, -950, 0.999, 0.2, 0.9, 10),
		imageRec("mnist", "sv+none", 1, -800, 0.9, 0.1, 0.5, 9),
		imageRec("fashion-mnist", "sv+gp", 1, -700, 0.9, 0.01, 0.9, 10),
	}
	goals := strings.Join(imageGoals(c, recs), "\n")
	for _, want := range []string{
		"A default MNIST run (sv+gp) finishes in ≤ 30 minutes on 2 cores with no divergence: **holds**",
		"Samples: 10/10 classes, label-histogram KL ≤ 0.05, ≥ 80 % classified with confidence ≥ 0.9: **holds**",
		"for MNIST-trained against Fashion-MNIST, uniform and Gaussian noise (every run): **holds**",
		"for Fashion-MNIST-trained against MNIST (every run): **does not hold**",
		"sv+gp beats the lower-bound-only baseline on every metric (mnist): **holds**",
		"mi+gp beats the lower-bound-only baseline on every metric (mnist): **does not hold**",
		"not better on: generator label KL, generator Fréchet, langevin label KL, langevin Fréchet",
	} {
		require.Contains(t, goals, want)
	}
	short := imageRec("mnist", "sv+gp", 1, -900, 0.995, 0.01, 0.9, 10)
	short.Steps = 1000
	require.Contains(t, strings.Join(imageGoals(c, []*Record{short}), "\n"),
		"no divergence: **not measured** (mnist-sv+gp-s1: 20.0 min, 0 rollbacks, ok — 1000 iterations; at that pace the default's 3000 would take 60 min")
	slow := imageRec("mnist", "sv+gp", 1, -900, 0.995, 0.01, 0.9, 10)
	slow.TrainSec, slow.Rollbacks = 40*60, 1
	require.Contains(t, strings.Join(imageGoals(c, []*Record{slow}), "\n"), "no divergence: **does not hold**")
}

// TestImageNetworkRow: an energy with a Gaussian base gets a second OOD
// row, the AUROCs of its network part E_θ alone; a model without one (or
// an evaluation from before the score, which leaves it zero) gets none.
func TestImageNetworkRow(t *testing.T) {
	c := ImagesConfig()
	c.Seeds, c.Sets, c.PairingsBySet = 1, []string{"mnist"}, map[string][]string{"mnist": {"sv+gp", "sv+gp@base-0.3"}}
	plain := imageRec("mnist", "sv+gp", 1, -900, 0.995, 0.1, 0.5, 10)
	based := imageRec("mnist", "sv+gp@base-0.3", 1, -950, 0.99, 0.1, 0.5, 10)
	based.Report.GaussianBase = 0.3
	for i, v := range []float64{0.25, 0.5, 0.75} {
		based.Report.Images.OOD.Sets[i].Network = jsonnum.Float64(v)
	}
	var b bytes.Buffer
	require.NoError(t, writeImageResults(&b, c, []*Record{plain, based}, "abc", time.Unix(0, 0)))
	out := b.String()
	require.Contains(t, out, "| sv+gp@base-0.3: E_θ alone | 0.2500 | 0.5000 | 0.7500 |")
	require.NotContains(t, out, "| sv+gp: E_θ alone |")

	based.Report.GaussianBase = 0 // an evaluation without the field
	b.Reset()
	require.NoError(t, writeImageResults(&b, c, []*Record{plain, based}, "abc", time.Unix(0, 0)))
	require.NotContains(t, b.String(), "E_θ alone |")
}

// TestImagesShort runs the CI-sized image sweep end to end: every run
// trained and evaluated, IMAGES.md with its tables and goals, the grid of
// panels; a second call resumes every run, and the report of the finished
// runs is the same file byte for byte.
func TestImagesShort(t *testing.T) {
	if _, err := data.MNISTDir(); err != nil {
		t.Skip(err)
	}
	c := ImagesShortConfig()
	if _, err := os.Stat(data.FashionMNISTDir); err != nil {
		c.Sets = []string{"mnist"}
	}
	c.Out = t.TempDir()
	c.Command = "ebmcpu suite --images --short"
	fixed := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c.Clock = func() time.Time { return fixed }
	var log bytes.Buffer
	recs, err := Run(context.Background(), c, &log)
	require.NoError(t, err)
	require.Len(t, recs, len(c.Specs()))
	for _, r := range recs {
		require.Equal(t, "ok", r.Status, "%s: %s", Spec{r.Set, r.Pairing, r.Seed}.Name(), r.Error)
		require.NotNil(t, r.Report.Images)
		require.NotNil(t, r.Report.Images.OOD)
		require.NotNil(t, r.Report.Images.Quality)
		require.NotNil(t, r.Report.Images.Reference)
		require.NotNil(t, r.Report.Images.Quality.Reference)
	}
	require.Contains(t, log.String(), "bits/dim")
	require.NoError(t, WriteResults(c, recs, "abc", fixed))
	require.NoError(t, WriteGrid(c))
	require.FileExists(t, filepath.Join(c.Out, ImagesGridFile))
	raw, err := os.ReadFile(filepath.Join(c.Out, ImagesFile))
	require.NoError(t, err)
	md := string(raw)
	for _, want := range []string{"# Image results", "## mnist", "| sv+gp |", "AUROC vs uniform", "AUROC vs Gaussian", "bits/dim",
		"## Goals of issue 15", "certification of sv+gp", "beats the lower-bound-only baseline", "## Every run", "mnist-sv+none-s1", ImagesGridFile} {
		require.Contains(t, md, want)
	}
	// The Gaussian reference's rows: likelihood, OOD and samples, per set.
	require.Equal(t, 3*len(c.Sets), strings.Count(md, "| *Gaussian (λ = "), "the reference rows")
	if len(c.Sets) == 2 {
		require.Contains(t, md, "AUROC vs fashion-mnist")
		require.Contains(t, md, "Fashion-MNIST-trained against MNIST (every run): **")
	}

	log.Reset()
	again, err := Run(context.Background(), c, &log)
	require.NoError(t, err)
	require.Equal(t, len(recs), strings.Count(log.String(), "done before"))
	require.NoError(t, WriteResults(c, Finished(c), "abc", fixed))
	raw2, err := os.ReadFile(filepath.Join(c.Out, ImagesFile))
	require.NoError(t, err)
	require.Equal(t, md, string(raw2), "the report of the finished runs differs")
	require.Len(t, again, len(recs))
}
