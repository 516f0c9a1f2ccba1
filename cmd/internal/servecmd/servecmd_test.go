package servecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/serve"
	"github.com/ebmcpu/ebmcpu/serve/servetest"
	"github.com/ebmcpu/ebmcpu/trainer"
	"github.com/stretchr/testify/require"
)

// trainTiny trains a small model on dataset into dir/name.
func trainTiny(t *testing.T, dir, name, dataset string) string {
	t.Helper()
	cfg := ebm.DefaultConfig()
	cfg.Dataset, cfg.Steps, cfg.Batch, cfg.PlotEvery = dataset, 20, 32, 0
	cfg.Energy.Hidden, cfg.Generator.Hidden = []int{16, 16}, []int{16, 16}
	tr, err := trainer.New(cfg)
	require.NoError(t, err)
	run := filepath.Join(dir, name)
	_, err = ebm.CreateRunDir(run, tr.Config(), false)
	require.NoError(t, err)
	require.NoError(t, tr.Run(context.Background(), run, nil, trainer.Hooks{}))
	return run
}

// TestRowsAreIndependent is the premise of server-side batching on the
// real model: every output of a row is bit-identical alone and in a batch,
// for batch sizes across the GEMM's tile and chunk boundaries.
func TestRowsAreIndependent(t *testing.T) {
	run := trainTiny(t, t.TempDir(), "m", "8gaussians")
	m, err := ebm.LoadModel(run)
	require.NoError(t, err)
	for _, b := range []int{2, 7, 64, 300} {
		x := make([]float32, 2*b)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*1.3)) * 3
		}
		require.NoError(t, servetest.CheckRows(m, x), "batch of %d", b)
	}
}

// TestServeModels loads two runs of a directory, calibrates them on their
// held-out data (and reuses the saved calibration), and answers an infer
// request with the model's own energies and the certification in the
// metadata.
func TestServeModels(t *testing.T) {
	runs := t.TempDir()
	a := trainTiny(t, runs, "eight", "8gaussians")
	trainTiny(t, runs, "rings", "rings")
	paths, err := modelPaths(nil, runs)
	require.NoError(t, err)
	require.Len(t, paths, 2)

	var log bytes.Buffer
	e, err := load(a, 0.05, "", 2000, &log)
	require.NoError(t, err)
	require.NotNil(t, e.Calibration)
	require.Equal(t, 0.05, e.Calibration.FPR)
	require.Equal(t, 2000, e.Calibration.N)
	require.LessOrEqual(t, e.Calibration.HeldOutFPR, 0.05)
	require.FileExists(t, filepath.Join(a, serve.CalibrationFile))
	again, err := load(a, 0.05, "", 2000, &log)
	require.NoError(t, err)
	require.Equal(t, *e.Calibration, *again.Calibration, "the saved calibration is reused")
	require.Contains(t, e.Bracket, "NOT certified", "a PReLU generator with the gp bound is not certified")

	srv, err := serve.New([]serve.Entry{e}, serve.DefaultOptions())
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()

	x := []float32{0, 0, 2, 2, 40, -40}
	body := `{"inputs":[{"name":"x","shape":[3,2],"datatype":"FP32","data":[0,0,2,2,40,-40]}]}`
	resp, err := http.Post(ts.URL+"/v2/models/eight/infer", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
	var out struct {
		Outputs []struct {
			Name string          `json:"name"`
			Data json.RawMessage `json:"data"`
		} `json:"outputs"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	want := make([]float32, 3)
	require.NoError(t, e.Model.Energy(x, want))
	for _, o := range out.Outputs {
		switch o.Name {
		case "energy":
			var got []float32
			require.NoError(t, json.Unmarshal(o.Data, &got))
			require.Equal(t, want, got)
		case "is_outlier":
			var got []bool
			require.NoError(t, json.Unmarshal(o.Data, &got))
			for i, v := range want {
				require.Equal(t, float64(v) > e.Calibration.Threshold, got[i], "row %d", i)
			}
		}
	}
	resp, err = http.Get(ts.URL + "/v2/models/eight")
	require.NoError(t, err)
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(raw), "NOT certified")
	require.Contains(t, string(raw), "outlier_threshold")
}

// TestBadFlags: bad input is a usage error naming it.
func TestBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "--model"},
		{[]string{"--model", "x", "--fpr", "0.9"}, "--fpr"},
		{[]string{"--model", "/no/such/run"}, "/no/such/run"},
		{[]string{"--models", os.TempDir() + "/no-such-dir"}, "no-such-dir"},
	} {
		err := Run(c.args, io.Discard, io.Discard)
		require.Error(t, err)
		require.Contains(t, err.Error(), c.want)
	}
}
