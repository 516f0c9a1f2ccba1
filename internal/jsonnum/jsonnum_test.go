package jsonnum

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	in := struct {
		A, B, C, D Float64
	}{1.5, Float64(math.NaN()), Float64(math.Inf(1)), -2e-300}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"A":1.5,"B":null,"C":null,"D":-2e-300}`, string(b))
	var out struct{ A, B, C, D Float64 }
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in.A, out.A)
	require.True(t, math.IsNaN(float64(out.B)) && math.IsNaN(float64(out.C)), "null reads back as NaN")
	require.Equal(t, in.D, out.D)
	require.Error(t, json.Unmarshal([]byte(`{"A":"x"}`), &out))
}
