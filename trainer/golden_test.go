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
	// Last changed when the default saved energy became the moving average
	// of its weights (ema 0.999) and the config gained negatives.batch: the
	// checkpoint holds the average as well, and the config blob changed.
	// Before the average, with only negatives.batch added, every tensor and
	// every blob but the config were equal bit for bit to the previous
	// hashes' files (4a3a6814…, dd755fd5…, a407f3a3…) on each tier.
	asm.AVX2:    "31f747698a4ab8f095f04381f34915f2eb4e14b8b1dd8e45d903dd32bc11128b",
	asm.Generic: "fc7b3ea91a8376b11f94fe8ce85e0528bdf0bd3a7555bc5f0bef9c4af3dedf16",
	asm.AVX512:  "08d67f07e850b1eb697c0345d58d5074555493c35a61611aa03b0cc0b2cdef91",
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
