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
// The avx512 tier has no hash: no machine of the project has AVX-512 now.
var goldenCheckpoints = map[asm.SIMDTier]string{
	// Last changed (both tiers) by issue 14: the default run refines its
	// negatives by 10 MALA steps, with λ = 0.01, for 4000 iterations.
	asm.AVX2:    "e0499f5b6b1ec9d2b212670d44be023576966740aba3ae443e2765c19dd7a9df",
	asm.Generic: "dc810b36ae10abbb97cddfde8d97fb057df6c9f9c6d4ed58b2a2dae6b1cb27f6",
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
