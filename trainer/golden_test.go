package trainer

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/stretchr/testify/require"
)

// goldenCheckpoints pins the checkpoint of a short default run, per SIMD
// tier (the tiers round differently): `ebmcpu train --steps 300
// --checkpoint_every 100` writes a file with this SHA-256. A change to the
// defaults, the numerics or the checkpoint layout changes it; such a change
// must be deliberate, and the hash updated with the reason in the commit.
// The avx512 hash was first taken on 2026-12-07 on an AMD EPYC that
// reported AVX-512 (the project's machines were said to be AVX2-only).
var goldenCheckpoints = map[asm.SIMDTier]string{
	// Last changed (avx2, generic) when the config gained gaussian_base: only
	// the checkpoint's config blob differs from the previous hashes' files
	// (3f504432… and cc118ba9…); every tensor and every other blob is equal
	// bit for bit.
	asm.AVX2:    "4a3a68146b81ee34cbd8dc82064ba5627186bd86e789830a3e88bdd2d07e9b5e",
	asm.Generic: "dd755fd55e587967e4f2ca0883ab17cdd751e73a629f6f5399458bea73c8eabc",
	asm.AVX512:  "a407f3a30aed443dac291226ab53f51b13daf638041d9668a02fc6f96ab93fd8",
}

func TestDefaultRunCheckpointIsPinned(t *testing.T) {
	want, ok := goldenCheckpoints[asm.Tier()]
	if !ok {
		t.Skipf("no pinned checkpoint hash for the %v tier", asm.Tier())
	}
	cfg := ebm.DefaultConfig()
	cfg.Steps, cfg.CheckpointEvery = 300, 100
	tr, err := New(cfg)
	require.NoError(t, err)
	for range cfg.Steps {
		_, err := tr.Step()
		require.NoError(t, err)
	}
	c, err := tr.Checkpoint()
	require.NoError(t, err)
	b, err := c.Encode()
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	require.Equal(t, want, hex.EncodeToString(sum[:]), "the default run's checkpoint changed (tier %v)", asm.Tier())
}
