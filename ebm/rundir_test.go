package ebm

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckResumeDir matches a checkpoint's resolved settings with the
// run's config.json, resolved or not (older run directories hold the
// settings as given), and rejects a config.json of other settings.
func TestCheckResumeDir(t *testing.T) {
	dims := Dims{Data: 2}
	given := DefaultConfig()
	resolved, err := given.Resolve(dims)
	require.NoError(t, err)
	require.NotEqual(t, given.LatentDim, resolved.LatentDim, "the test needs a default that resolution changes")
	s := &Saved{Path: "checkpoint.ckpt", Config: resolved, Dims: dims}

	for _, written := range []Config{given, resolved} {
		dir, err := CreateRunDir(filepath.Join(t.TempDir(), "run"), written, false)
		require.NoError(t, err)
		require.NoError(t, CheckResumeDir(dir, s))
	}

	other := given
	other.Seed++
	dir, err := CreateRunDir(filepath.Join(t.TempDir(), "run"), other, false)
	require.NoError(t, err)
	require.ErrorContains(t, CheckResumeDir(dir, s), "its settings differ")

	require.NoError(t, CheckResumeDir(t.TempDir(), s), "a directory without config.json")
}
