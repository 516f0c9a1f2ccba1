package bounds

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEstimateJSON: an Estimate is {"value", "se"} in JSON, non-finite
// numbers as null, and reads back (null as NaN).
func TestEstimateJSON(t *testing.T) {
	raw, err := json.Marshal([]Estimate{{math.Inf(1), 0.25}, {1.5, math.NaN()}})
	require.NoError(t, err)
	require.JSONEq(t, `[{"value":null,"se":0.25},{"value":1.5,"se":null}]`, string(raw))
	var out []Estimate
	require.NoError(t, json.Unmarshal(raw, &out))
	require.True(t, math.IsNaN(out[0].Value))
	require.Equal(t, 0.25, out[0].StdErr)
	require.Equal(t, 1.5, out[1].Value)
	require.True(t, math.IsNaN(out[1].StdErr))
}

// TestMeanSE: the mean and standard error of the finite values, and the
// number left out.
func TestMeanSE(t *testing.T) {
	e, skipped := MeanSE([]float64{1, 2, 3, math.NaN(), math.Inf(1)})
	require.Equal(t, 2, skipped)
	require.InDelta(t, 2, e.Value, 1e-15)
	require.InDelta(t, 1/math.Sqrt(3), e.StdErr, 1e-15)
	e, _ = MeanSE([]float64{4})
	require.Equal(t, 4.0, e.Value)
	require.True(t, math.IsNaN(e.StdErr), "one value has no standard error")
	_, skipped = MeanSE([]float64{math.NaN()})
	require.Equal(t, 1, skipped)
}
