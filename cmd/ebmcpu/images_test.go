package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/suite"
)

// tinyImageRun trains a few iterations of tiny MLP networks on 40 IDX
// images of 6×5 pixels (mnist:DIR without test files) into dir, drawing
// the pictures of an image run.
func tinyImageRun(t *testing.T, dir string) string {
	t.Helper()
	dataDir := t.TempDir()
	idxImages(t, dataDir, 6, 5, 40)
	code, out, errOut := ebmcpu("train", "--dataset", "mnist:"+dataDir, "--out", dir, "--steps", "3", "--batch", "8",
		"--latent_dim", "3", "--energy.arch", "mlp", "--energy.hidden", "8", "--generator.arch", "mlp", "--generator.hidden", "8",
		"--plot_every", "2", "--log_every", "1")
	require.Equal(t, 0, code, errOut)
	return out
}

// TestImageCommands: an image run draws its grids and energy histogram
// and names them in the done line; `sample --png` (or an --out ending in
// .png) writes a grid of the samples, which a 2-D model refuses; `eval`
// reports bits/dim, the bracket with the importance-weighted bound and the
// OOD test, with notes for what this data set lacks (test files, another
// built-in set, a classifier).
func TestImageCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out := tinyImageRun(t, dir)
	for _, f := range []string{"samples.png", "samples-mala.png", "energy-histogram.png"} {
		require.Contains(t, out, f)
		require.FileExists(t, filepath.Join(dir, f))
	}

	grid := filepath.Join(t.TempDir(), "grid.png")
	code, _, errOut := ebmcpu("sample", "--model", dir, "-n", "10", "--png", grid)
	require.Equal(t, 0, code, errOut)
	f, err := os.Open(grid)
	require.NoError(t, err)
	img, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	// 10 samples in 4 columns and 3 rows of 5×6 pixels drawn 2×, with
	// 1-pixel lines between them.
	require.Equal(t, 4*11-1, img.Bounds().Dx())
	require.Equal(t, 3*13-1, img.Bounds().Dy())
	other := filepath.Join(t.TempDir(), "s.PNG")
	code, _, errOut = ebmcpu("sample", "--model", dir, "-n", "4", "--langevin", "3", "--mala", "--out", other)
	require.Equal(t, 0, code, errOut)
	raw, err := os.ReadFile(other)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(raw), "\x89PNG"), "--out s.PNG wrote no PNG")
	code, csv, _ := ebmcpu("sample", "--model", dir, "-n", "2")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(csv, "x0,x1"), "CSV stays the default")

	code, sum, errOut := ebmcpu("eval", "--model", dir, "--samples", "20", "--latents", "20", "--test-points", "30", "--ood", "20", "--iw-k", "5")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"bits/dim", "lower iw", "out-of-distribution AUROC", "uniform noise", "Gaussian noise",
		"no other image set", "no classifier", "t10k files are missing"} {
		require.Contains(t, sum, want)
	}

	twoD := filepath.Join(t.TempDir(), "toy")
	code, _, errOut = ebmcpu(tinyTrain(twoD)...)
	require.Equal(t, 0, code, errOut)
	expectBadInput(t, []string{"sample", "--model", twoD, "--png", grid}, "not of grey-scale images")
	expectBadInput(t, []string{"sample", "--model", dir, "--png", grid, "--out", "x.csv"}, "give one of them")
	expectBadInput(t, []string{"sample", "--model", dir, "--png", grid, "-n", "20000"}, "at most")
	expectBadInput(t, []string{"eval", "--model", dir, "--ood", "-5"}, "OOD points")
}

// TestSuiteImagesShort runs one run of the CI-sized image sweep through the
// command line, then tables it with --report; image flags that cannot work
// are refused.
func TestSuiteImagesShort(t *testing.T) {
	if _, err := data.MNISTDir(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	code, out, errOut := ebmcpu("suite", "--images", "--short", "--sets", "mnist", "--pairings", "sv+gp", "--out", dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, suite.ImagesFile)
	require.Contains(t, out, suite.ImagesGridFile)
	md, err := os.ReadFile(filepath.Join(dir, suite.ImagesFile))
	require.NoError(t, err)
	require.Contains(t, string(md), "ebmcpu suite --images --short --sets mnist --pairings sv+gp --out "+dir)
	require.Contains(t, string(md), "mnist-sv+gp-s1 | ok | 3 |")
	require.FileExists(t, filepath.Join(dir, "runs", "mnist-sv+gp-s1", suite.EvalPNG))
	code, out, errOut = ebmcpu("suite", "--images", "--short", "--sets", "mnist", "--pairings", "sv+gp", "--out", dir, "--report")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "from 1 of 1 runs")
	expectBadInput(t, []string{"suite", "--images", "--sets", "8gaussians", "--out", t.TempDir()}, "not an image data set")
}
