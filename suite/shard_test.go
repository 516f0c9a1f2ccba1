package suite

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/internal/shard"
	"github.com/stretchr/testify/require"
)

// shardConfig is a tiny suite of four runs into out, with a fixed clock so
// that RESULTS.md depends only on the runs.
func shardConfig(out string) Config {
	c := ShortConfig()
	c.Out, c.Seeds, c.Steps, c.Parallel = out, 2, 30, 1
	c.Command = "ebmcpu suite --short"
	c.Clock = func() time.Time { return time.Unix(1e9, 0) }
	return c
}

// results renders RESULTS.md of the finished runs of c.
func results(t *testing.T, c Config) []byte {
	t.Helper()
	recs := Finished(c)
	for i, r := range recs {
		require.NotNil(t, r, "run %s is not finished", c.Specs()[i].Name())
	}
	var b bytes.Buffer
	require.NoError(t, writeResults(&b, c, recs, "abc123", time.Unix(0, 0)))
	return b.Bytes()
}

// TestShardsMergeToOneProcess runs the suite in one process and as three
// shards into a shared directory: the merged tables are byte-identical,
// every run is done exactly once, and rerunning a shard trains nothing.
func TestShardsMergeToOneProcess(t *testing.T) {
	one := shardConfig(filepath.Join(t.TempDir(), "one"))
	_, err := Run(context.Background(), one, io.Discard)
	require.NoError(t, err)

	split := filepath.Join(t.TempDir(), "split")
	for i := range 3 {
		c := shardConfig(split)
		c.Shard = shard.Shard{Index: i, Count: 3}
		recs, err := Run(context.Background(), c, io.Discard)
		require.NoError(t, err)
		for j, r := range recs {
			require.Equal(t, c.Shard.Owns(j), r != nil, "shard %d, run %d", i, j)
		}
	}
	merged := string(results(t, shardConfig(split)))
	require.Equal(t, string(results(t, one)), merged)
	// Every set's table has its reference rows, fitted by the shard that
	// owns the set; the bracket table says how wide and how certified.
	for _, set := range one.Sets {
		require.FileExists(t, referencePath(one, set))
	}
	require.Contains(t, merged, "| *KDE (h = ")
	require.Contains(t, merged, "| *GMM (K = ")
	require.Contains(t, merged, "| width | certified |")

	// Rerunning shard 1 finds its runs done: its checkpoints are untouched.
	c := shardConfig(split)
	c.Shard = shard.Shard{Index: 1, Count: 3}
	ckpt := filepath.Join(split, "runs", c.Specs()[1].Name(), "checkpoint.ckpt")
	before, err := os.Stat(ckpt)
	require.NoError(t, err)
	_, err = Run(context.Background(), c, io.Discard)
	require.NoError(t, err)
	after, err := os.Stat(ckpt)
	require.NoError(t, err)
	require.Equal(t, before.ModTime(), after.ModTime())
}

// TestInterruptedRunResumes cancels a run mid-way: the next Run resumes its
// checkpoint, and the finished run equals one trained without interruption.
func TestInterruptedRunResumes(t *testing.T) {
	straight := shardConfig(filepath.Join(t.TempDir(), "straight"))
	straight.Seeds, straight.Pairings = 1, []string{"sv+gp"}
	straight.Steps = 400
	_, err := Run(context.Background(), straight, io.Discard)
	require.NoError(t, err)

	c := straight
	c.Out = filepath.Join(t.TempDir(), "stopped")
	name := c.Specs()[0].Name()
	dir := filepath.Join(c.Out, "runs", name)
	_, err = Run(cancelOnceStarted(dir), c, io.Discard)
	require.ErrorIs(t, err, context.Canceled)
	require.NoFileExists(t, filepath.Join(dir, EvalJSON))
	require.FileExists(t, filepath.Join(dir, "checkpoint.ckpt"))
	// A run started again would begin with an emptied directory.
	marker := filepath.Join(dir, "marker")
	require.NoError(t, os.WriteFile(marker, nil, 0o644))
	_, err = Run(context.Background(), c, io.Discard)
	require.NoError(t, err)
	require.FileExists(t, marker, "the run was started again, not resumed")
	a, err := os.ReadFile(filepath.Join(straight.Out, "runs", name, "checkpoint.ckpt"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(c.Out, "runs", name, "checkpoint.ckpt"))
	require.NoError(t, err)
	require.Equal(t, a, b, "the resumed run differs from the straight one")
}

// TestOtherSettingsCheckpointKept interrupts a run, then runs the suite
// with another run length into the same directory: the run is reported as
// an error naming the directory, and its checkpoint is left as it was.
func TestOtherSettingsCheckpointKept(t *testing.T) {
	c := shardConfig(filepath.Join(t.TempDir(), "out"))
	c.Seeds, c.Pairings, c.Steps = 1, []string{"sv+gp"}, 400
	dir := filepath.Join(c.Out, "runs", c.Specs()[0].Name())
	_, err := Run(cancelOnceStarted(dir), c, io.Discard)
	require.ErrorIs(t, err, context.Canceled)
	before, err := os.ReadFile(filepath.Join(dir, "checkpoint.ckpt"))
	require.NoError(t, err)

	c.Steps = 300
	recs, err := Run(context.Background(), c, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "error", recs[0].Status)
	require.Contains(t, recs[0].Error, dir)
	require.Contains(t, recs[0].Error, "other settings")
	after, err := os.ReadFile(filepath.Join(dir, "checkpoint.ckpt"))
	require.NoError(t, err)
	require.Equal(t, before, after)
}

// cancelOnceStarted returns a context that is cancelled once the run in dir
// has begun training (its metrics.jsonl exists), so that the run is
// interrupted, not skipped, however slowly the test machine starts it.
func cancelOnceStarted(dir string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer cancel()
		for range 2000 {
			if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); err == nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return ctx
}
