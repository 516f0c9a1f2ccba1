package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/stretchr/testify/require"
)

// trained returns a finished tiny run directory, trained once per test.
func trained(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	code, _, errOut := ebmcpu(tinyTrain(dir)...)
	require.Equal(t, 0, code, errOut)
	return dir
}

// doctor writes a copy of the checkpoint of run with edit applied to it
// (re-encoded, so the checksums are valid) and returns its path.
func doctor(t *testing.T, run string, edit func(c *nn.Checkpoint)) string {
	t.Helper()
	c, err := nn.Load(filepath.Join(run, ebm.CheckpointFile))
	require.NoError(t, err)
	edit(c)
	p := filepath.Join(t.TempDir(), "doctored.ckpt")
	require.NoError(t, nn.Save(p, c))
	return p
}

// editConfig changes the stored run configuration (a JSON object) of c.
func editConfig(t *testing.T, c *nn.Checkpoint, key string, value any) {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(c.Config(), &m))
	cur := m
	path := strings.Split(key, ".")
	for _, k := range path[:len(path)-1] {
		cur = cur[k].(map[string]any)
	}
	cur[path[len(path)-1]] = value
	b, err := json.Marshal(m)
	require.NoError(t, err)
	c.SetConfig(b)
}

// TestHardening reproduces each class of the hardening issue: every case
// is exit 2, one line naming the input, and no run directory left behind.
func TestHardening(t *testing.T) {
	run := trained(t)
	images := t.TempDir()
	idxImages(t, images, 28, 28, 4)
	wide := writeFile(t, "wide.csv", strings.Repeat("1,", 1<<20)+"1\n"+strings.Repeat("2,", 1<<20)+"2\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		// 1. Sizes are range-checked before allocating.
		{"huge batch", []string{"train", "--batch", "4611686018427387904"}, "batch"},
		{"too wide", []string{"train", "--energy.hidden", "100000,100000"}, "energy.hidden"},
		{"beyond memory", []string{"train", "--energy.hidden", "60000,60000", "--generator.hidden", "60000,60000"}, "memory"},
		{"huge sample", []string{"sample", "--model", run, "-n", "4611686018427387904"}, "--n"},
		{"huge grid", []string{"eval", "--model", run, "--grid", "2147483648"}, "grid"},
		{"checkpoint hidden 2^62", []string{"sample", "--model", doctor(t, run, func(c *nn.Checkpoint) {
			editConfig(t, c, "energy.hidden", []int{1 << 62})
		})}, "energy.hidden"},
		{"checkpoint data width 1e8", []string{"eval", "--model", doctor(t, run, func(c *nn.Checkpoint) {
			c.SetBlob("dims", []byte(`{"data_dim":100000000,"latent_dim":2}`))
		})}, "widths"},
		{"resume hidden 2^62", []string{"train", "--resume", doctor(t, run, func(c *nn.Checkpoint) {
			editConfig(t, c, "generator.hidden", []int{1 << 62})
		})}, "generator.hidden"},
		{"csv of 2^20+1 columns", []string{"train", "--dataset", "csv:" + wide}, "columns"},
		// 3. Values that are not finite or not sane.
		{"infinite lr", []string{"train", "--opt_energy.lr", "Inf"}, "opt_energy.lr"},
		{"lr 1e39", []string{"train", "--steps", "1", "--opt_generator.lr", "1e39"}, "opt_generator"},
		{"csv beyond float32", []string{"train", "--dataset", "csv:" + writeFile(t, "big.csv", "1,2\n1e39,3\n")}, "float32"},
		{"resume negative steps", []string{"train", "--resume", run, "--steps", "-5"}, "--steps"},
		{"resume going back", []string{"train", "--resume", run, "--steps", "10"}, "iteration 30"},
		{"linear energy", []string{"train", "--energy.hidden", ""}, "energy.hidden"},
		{"absurd energy_steps", []string{"train", "--energy_steps", "4611686018427387904"}, "energy_steps"},
		{"absurd diffusion steps", []string{"train", "--upper", "diffusion", "--diffusion.steps_per_node", "4611686018427387904"}, "diffusion.steps_per_node"},
		{"absurd snapshot interval", []string{"train", "--guard.snapshot_every", "4611686018427387904"}, "guard.snapshot_every"},
		// 4. Config files are read strictly.
		{"config with garbage", []string{"train", "--config", writeFile(t, "g.json", `{"steps":200} garbage`)}, "g.json"},
		{"two configs", []string{"train", "--config", writeFile(t, "two.json", `{"steps":2}{"steps":3}`)}, "two.json"},
		{"null config", []string{"train", "--config", writeFile(t, "null.json", `null`)}, "null.json"},
		// 5. Checkpoints are checked for sense, not only for damage.
		{"NaN weights", []string{"sample", "--model", doctor(t, run, func(c *nn.Checkpoint) {
			c.Tensors()[0].Data[0] = math.NaN()
		})}, "non-finite"},
		{"negative step", []string{"eval", "--model", doctor(t, run, func(c *nn.Checkpoint) { c.Step = -3 })}, "step"},
		{"negative lr scale", []string{"train", "--resume", doctor(t, run, func(c *nn.Checkpoint) {
			c.SetBlob("guard", []byte(`{"lr_scale":-1,"rollbacks":0}`))
		})}, "guard"},
		{"negative rollbacks", []string{"train", "--resume", doctor(t, run, func(c *nn.Checkpoint) {
			c.SetBlob("guard", []byte(`{"lr_scale":1,"rollbacks":-4}`))
		})}, "guard"},
		// 7. Inputs validation could refuse at once.
		{"mnist with a narrow mlp generator", []string{"train", "--dataset", "mnist:" + images, "--generator.arch", "mlp",
			"--generator.hidden", "100,100", "--latent_dim", "0"}, "latent"},
		{"conv on 2-D data", []string{"train", "--energy.arch", "conv", "--energy.hidden", "8"}, "image"},
		{"diverging langevin", []string{"sample", "--model", run, "--langevin", "5", "--step-size", "1e300"}, "step size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wd := t.TempDir()
			old, _ := os.Getwd()
			require.NoError(t, os.Chdir(wd))
			defer os.Chdir(old)
			expectBadInput(t, tc.args, tc.want)
			_, err := os.Stat(filepath.Join(wd, "runs"))
			require.True(t, os.IsNotExist(err), "a run directory was created despite the error")
		})
	}
}

// idxImages writes train-images/train-labels IDX files of n h×w images.
func idxImages(t *testing.T, dir string, h, w, n int) {
	t.Helper()
	var raw bytes.Buffer
	binary.Write(&raw, binary.BigEndian, []uint32{2051, uint32(n), uint32(h), uint32(w)})
	for i := 0; i < n*h*w; i++ {
		raw.WriteByte(byte(i * 7))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), raw.Bytes(), 0o644))
	var labels bytes.Buffer
	binary.Write(&labels, binary.BigEndian, []uint32{2049, uint32(n)})
	labels.Write(make([]byte, n))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), labels.Bytes(), 0o644))
}

// TestResumeChecksTheRun: a checkpoint of another run copied into a run
// directory is refused, and temporary files a killed write left behind are
// removed when the run is resumed.
func TestResumeChecksTheRun(t *testing.T) {
	a := trained(t)
	b := filepath.Join(t.TempDir(), "other")
	code, _, errOut := ebmcpu(tinyTrain(b, "--seed", "9")...)
	require.Equal(t, 0, code, errOut)
	foreign, err := os.ReadFile(filepath.Join(b, ebm.CheckpointFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(a, ebm.CheckpointFile), foreign, 0o644))
	expectBadInput(t, []string{"train", "--resume", a, "--steps", "40"}, "not of the run")

	stale := filepath.Join(b, ".checkpoint.ckpt.tmp-123456")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o644))
	code, _, errOut = ebmcpu("train", "--resume", b, "--steps", "40")
	require.Equal(t, 0, code, errOut)
	_, err = os.Stat(stale)
	require.True(t, os.IsNotExist(err), "the stale temporary file is still there")
}

// TestEvalOutIsADirectory: an --out that is a directory is refused before
// the evaluation runs.
func TestEvalOutIsADirectory(t *testing.T) {
	run := trained(t)
	dir := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, os.Mkdir(dir, 0o755))
	expectBadInput(t, []string{"eval", "--model", run, "--out", dir}, "is a directory")
}

// TestRunDirectoriesNeverCollide: default-named runs started in the same
// second get distinct directories.
func TestRunDirectoriesNeverCollide(t *testing.T) {
	stem := filepath.Join(t.TempDir(), "runs", "same-second")
	cfg := ebm.DefaultConfig()
	seen := map[string]bool{}
	for range 3 {
		dir, err := ebm.CreateRunDir(stem, cfg, true)
		require.NoError(t, err)
		require.False(t, seen[dir], "directory %s handed out twice", dir)
		seen[dir] = true
	}
}

// TestPicturesFollowTheSettings: --plot_every 0 draws nothing, a 3-D run
// draws nothing, and the done line names only the files written.
func TestPicturesFollowTheSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, out, errOut := ebmcpu(tinyTrain(dir)...) // --plot_every 0
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, out, ".png")
	matches, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	require.Empty(t, matches)

	var rows strings.Builder
	for i := range 40 {
		fmt.Fprintf(&rows, "%g,%g,%g\n", math.Sin(float64(i)), math.Cos(float64(i)), float64(i%5)/5)
	}
	dir3 := filepath.Join(t.TempDir(), "run3")
	code, out, errOut = ebmcpu(tinyTrain(dir3, "--dataset", "csv:"+writeFile(t, "p3.csv", rows.String()), "--plot_every", "10")...)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, out, ".png")

	dir2 := filepath.Join(t.TempDir(), "run2")
	code, out, errOut = ebmcpu(tinyTrain(dir2, "--plot_every", "15")...)
	require.Equal(t, 0, code, errOut)
	for _, f := range []string{"density.png", "energy.png", "samples.png"} {
		require.Contains(t, out, f)
		require.FileExists(t, filepath.Join(dir2, f))
	}
}

// TestEvalOneColumn evaluates a model of 1-column data (a panel of
// histograms, no scatter of a second coordinate).
func TestEvalOneColumn(t *testing.T) {
	var rows strings.Builder
	for i := range 60 {
		fmt.Fprintf(&rows, "%g\n", math.Sin(float64(i)))
	}
	dir := filepath.Join(t.TempDir(), "run")
	code, _, errOut := ebmcpu(tinyTrain(dir, "--dataset", "csv:"+writeFile(t, "one.csv", rows.String()))...)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = ebmcpu("eval", "--model", dir, "--grid", "20", "--samples", "50", "--latents", "20")
	require.Equal(t, 0, code, errOut)
	require.FileExists(t, filepath.Join(dir, "eval.png"))
}

// TestMain lets a test run this binary's main as a child process (for the
// signals test): with EBMCPU_TEST_MAIN set, the test binary is ebmcpu.
func TestMain(m *testing.M) {
	if os.Getenv("EBMCPU_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestInterruptedExit75 sends SIGTERM to a long training run in a child
// process: it checkpoints, exits with status 75, and resumes.
func TestInterruptedExit75(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(os.Args[0], tinyTrain(dir, "--steps", "1000000")...)
	cmd.Env = append(os.Environ(), "EBMCPU_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	// Wait until the run directory exists, i.e. training has started.
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(filepath.Join(dir, ebm.ConfigFile)); err == nil {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	require.True(t, ok, "want a non-zero exit, got %v; stderr %s", err, stderr.String())
	require.Equal(t, cli.ExitInterrupted, ee.ExitCode(), stderr.String())
	require.Contains(t, stderr.String(), "--resume")
	s, err := ebm.ReadCheckpoint(filepath.Join(dir, ebm.CheckpointFile))
	require.NoError(t, err)
	require.Greater(t, s.Step(), 0)
}
