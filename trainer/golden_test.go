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
	// Last changed (both tiers) when the importance weights began to read
	// the gradient penalty's f instead of evaluating it again: the
	// checkpoint lost the weights' unused random stream; every trained bit
	// is unchanged (the previous hashes matched with the stream kept).
	asm.AVX2:    "3f5044324645987e718cfaf7e740dc5fd0dc624758641aba0b817e9bda21671e",
	asm.Generic: "cc118ba9d703cc57035ce518a824914c129e6691b41c3cbede5bb8532bfb3369",
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
