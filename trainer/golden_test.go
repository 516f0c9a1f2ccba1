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
	// Last changed when the default energy gained two hidden layers (four
	// of 100, results/ABLATION-depth.md): every tensor of the energy and
	// its Adam state changed shape. Before that, when the saved energy
	// became the moving average of its weights: 31f74769… (avx2),
	// fc7b3ea9… (generic), 08d67f07… (avx512).
	asm.AVX2:    "4650c685eb1a9c5ce4ddead2d69b89552c9bb20fba85930045e2d7f1b94c7469",
	asm.Generic: "bc999a2e9904ca32f0f88cce66faa4a7a674544883b2541cc4d66c4e15de01bd",
	asm.AVX512:  "4b46655bf4515b7c50440221616d8ab8aa23cab0ad7522fe3997aac60ebefc64",
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
