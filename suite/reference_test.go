package suite

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReferenceFor fits the simple estimators to 8gaussians: their KL gap
// is small and positive within its error (they are good estimators of a
// smooth mixture), the GMM finds about eight components, and the result is
// cached in the suite directory.
func TestReferenceFor(t *testing.T) {
	if testing.Short() {
		t.Skip("fits a KDE and a GMM to 20000 points")
	}
	c := ShortConfig()
	c.Out = filepath.Join(t.TempDir(), "suite")
	r, err := ReferenceFor(c, "8gaussians")
	require.NoError(t, err)
	for _, s := range []RefScore{r.KDE, r.GMM} {
		require.NotNil(t, s.KLGap)
		require.Less(t, s.KLGap.Value, 0.05, s.Param)
		require.Greater(t, s.KLGap.Value, -3*s.KLGap.StdErr, s.Param)
	}
	require.FileExists(t, referencePath(c, "8gaussians"))
	again, err := ReferenceFor(c, "8gaussians")
	require.NoError(t, err)
	require.Equal(t, *r, *again)
}
