package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunBadInput(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 2, run([]string{"-data", "x"}, &out, &errb), "no -out")
	require.Contains(t, errb.String(), "need -data DIR and -out FILE")
	require.Equal(t, 2, run([]string{"-epochs", "two"}, &out, &errb))
	errb.Reset()
	require.Equal(t, 1, run([]string{"-data", t.TempDir(), "-out", t.TempDir() + "/c.ckpt"}, &out, &errb))
	require.Contains(t, errb.String(), "no train-images-idx3-ubyte")
}
