package nn

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRNGSnapshot: draws after Restore repeat the draws after Snapshot,
// and taking a snapshot again allocates nothing.
func TestRNGSnapshot(t *testing.T) {
	r := NewRNG(7)
	a, b := r.Stream("a"), r.Stream("b")
	a.Uint64()
	var snap RNGSnapshot
	r.Snapshot(&snap)
	first := []uint64{a.Uint64(), b.Uint64(), a.Uint64()}
	r.Restore(&snap)
	require.Equal(t, first, []uint64{a.Uint64(), b.Uint64(), a.Uint64()})
	require.Zero(t, testing.AllocsPerRun(10, func() { r.Snapshot(&snap); r.Restore(&snap) }))
}
