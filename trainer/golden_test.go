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
	// Issue 16 (both tiers): every GEMM path now gives an element of C the
	// same bits, the products summed in the order of k in kc-deep slices:
	// products with at most 8 columns and an untransposed A (the toy
	// networks' output layers) moved from dot products to the
	// micro-kernel, and the transposed-A column path sums in slices too.
	asm.AVX2:    "c40cde8c6fb7bfaa0b63746a1d7b5167394cebb06ed44b8c5e64a3ced77ffa23",
	asm.Generic: "411c9e63cb69de8b21733e5ad9a7a2180b87c46758ef28b436575f6fef04f769",
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
