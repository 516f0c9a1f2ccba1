package nn

import (
	"errors"
	"fmt"
	"os"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

// Save writes c to path atomically (see internal/atomicfile): a crash
// leaves either the old file or the new one, never a torn mix.
func Save(path string, c *Checkpoint) error {
	data, err := c.Encode()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("nn: checkpoint %s: %w", path, err)
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
