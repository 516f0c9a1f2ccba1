package nn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Save writes c to path atomically: it writes a temporary file in the same
// directory, syncs it, renames it over path and syncs the directory, so a
// crash leaves either the old file or the new one, never a torn mix.
func Save(path string, c *Checkpoint) (err error) {
	data, err := c.Encode()
	if err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("nn: checkpoint %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("nn: checkpoint %s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename durable. Filesystems that cannot sync a directory
// report EINVAL; that is not an error for us.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// Load reads the checkpoint at path. Problems with the content are
// *CheckpointError values naming the file; it never panics.
func Load(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nn: checkpoint %s: %w", path, err)
	}
	c, err := Decode(data)
	if err != nil {
		var ce *CheckpointError
		if errors.As(err, &ce) {
			ce.File = path
		}
		return nil, err
	}
	c.file = path
	return c, nil
}
