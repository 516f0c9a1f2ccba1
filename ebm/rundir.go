package ebm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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

// CreateRunDir makes the directory of a new run and writes cfg into it as
// config.json, and returns the directory. With unique, dir is a stem: the
// first of dir, dir-2, dir-3, … that does not exist yet is created
// exclusively, so that two runs started at once never share one.
// Otherwise dir may exist only while empty (a directory that holds a run
// is an error: resume it instead). On failure it removes what it created.
func CreateRunDir(dir string, cfg Config, unique bool) (string, error) {
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", fmt.Errorf("run directory %s: config: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("run directory %s: %w", dir, err)
	}
	created := dir
	for n := 2; ; n++ {
		err = os.Mkdir(created, 0o755)
		if err == nil || !errors.Is(err, fs.ErrExist) {
			break
		}
		if !unique {
			entries, rerr := os.ReadDir(dir)
			if rerr != nil || len(entries) > 0 {
				return "", fmt.Errorf("run directory %s already holds a run (it is not empty); resume it with --resume or choose another --out", dir)
			}
			created, err = "", nil // use the empty directory, create nothing
			break
		}
		created = fmt.Sprintf("%s-%d", dir, n)
	}
	if err != nil {
		return "", fmt.Errorf("run directory %s: %w", dir, err)
	}
	use := created
	if use == "" {
		use = dir
	}
	if err := atomicfile.WriteFile(filepath.Join(use, ConfigFile), append(b, '\n'), 0o644); err != nil {
		if created != "" {
			os.RemoveAll(created)
		}
		return "", fmt.Errorf("run directory %s: %w", use, err)
	}
	return use, nil
}

// CheckResumeDir checks that the checkpoint read as s belongs to the run
// in dir: the run's config.json, if there is one, holds the same settings
// as the checkpoint once resolved for its data (the number of iterations
// aside; older run directories hold unresolved settings). A checkpoint of
// another run copied into a run directory is an error, so that two runs
// never mix in one metrics.jsonl. It also removes the temporary files a
// crash during an atomic write may have left.
func CheckResumeDir(dir string, s *Saved) error {
	atomicfile.RemoveStale(dir)
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var cfg Config
	if err := DecodeStrict(raw, &cfg); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
	}
	if cfg, err = cfg.Resolve(s.Dims); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
	}
	cfg.Steps, cfg.MemoryLimit = s.Config.Steps, s.Config.MemoryLimit
	a, _ := json.Marshal(cfg)
	b, _ := json.Marshal(s.Config)
	if string(a) != string(b) {
		return fmt.Errorf("checkpoint %s is not of the run in %s: its settings differ from %s", s.Path, dir, ConfigFile)
	}
	return nil
}
