package ebm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConfigFileRoundTrip writes a config whose every setting is the zero
// value (bools false, numbers 0, lists empty) and reads it back with
// LoadConfig, which starts from the defaults: a field whose default is not
// zero and whose zero the JSON leaves out (omitempty) would come back as the
// default, so that re-running a run's config.json silently changes it.
func TestConfigFileRoundTrip(t *testing.T) {
	for _, base := range []Config{DefaultConfig(), DefaultImageConfig()} {
		c := base
		zeroFields(reflect.ValueOf(&c).Elem())
		c.Dataset = base.Dataset // selects the defaults LoadConfig starts from
		b, err := json.Marshal(c)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "config.json")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		got, err := LoadConfig(path, "")
		require.NoError(t, err)
		require.Equal(t, c, got, "%s: a zero setting came back as its default", base.Dataset)
	}
}

// zeroFields sets every leaf of the struct v to its zero value.
func zeroFields(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		if f.Kind() == reflect.Struct {
			zeroFields(f)
			continue
		}
		f.Set(reflect.Zero(f.Type()))
	}
}
