package ebm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

// Files of a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.jsonl"
	CheckpointFile = "checkpoint.ckpt"
)

// ResolveRun takes what a user names as a model, a run directory or a
// checkpoint file, and returns the checkpoint file and the run directory
// that holds it.
func ResolveRun(path string) (checkpoint, dir string) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return filepath.Join(path, CheckpointFile), path
	}
	return path, filepath.Dir(path)
}

// PrepareRunDir creates dir for a new run and writes the resolved config
// into it. A directory that already holds a run is an error, so that
// nothing is overwritten by accident (resume it instead).
func PrepareRunDir(dir string, cfg Config) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	for _, f := range []string{ConfigFile, MetricsFile, CheckpointFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("run directory %s already holds a run (%s); resume it with --resume or choose another --out", dir, f)
		}
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	return nil
}
