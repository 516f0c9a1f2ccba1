package trainer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
)

// Progress receives a report after every iteration; Run calls it from its
// own goroutine.
type Progress interface {
	Update(m Metrics, total int, elapsed time.Duration)
	Event(msg string)
	Done()
}

// ErrInterrupted is returned by Run when its context is cancelled; the run
// was checkpointed first.
var ErrInterrupted = errors.New("interrupted")

// Hooks are the periodic work of the command line during training: each
// runs between iterations on the live networks and must not change them.
// Nil hooks are skipped.
type Hooks struct {
	// Eval runs every Config.EvalEvery iterations.
	Eval func(t *Trainer) error
	// Plot runs every Config.PlotEvery iterations and at the end.
	Plot func(t *Trainer) error
}

// Run trains until cfg.Steps iterations, appending metrics to
// dir/metrics.jsonl, checkpointing to dir/checkpoint.ckpt every
// CheckpointEvery iterations, at the end and when ctx is cancelled
// (SIGINT/SIGTERM in the CLI), and calling the hooks on their schedules.
// A NaN never reaches a checkpoint: a diverged iteration is rolled back
// before anything is written.
func (t *Trainer) Run(ctx context.Context, dir string, prog Progress, hooks Hooks) (err error) {
	metrics, err := openMetrics(filepath.Join(dir, ebm.MetricsFile), t.step)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := metrics.Close(); err == nil {
			err = cerr
		}
		if prog != nil {
			prog.Done()
		}
	}()
	ckpt := filepath.Join(dir, ebm.CheckpointFile)
	save := func() error {
		if err := t.SaveCheckpoint(ckpt); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		return nil
	}
	t.ctx = ctx
	defer func() { t.ctx = nil }()
	if t.step == 0 {
		if err := metrics.event(0, "bracket: "+t.Certification.Why); err != nil {
			return err
		}
	}
	start, startStep := time.Now(), t.step
	last := time.Now()
	rollbacks := t.guard.rollbacks
	for t.step < t.cfg.Steps {
		select {
		case <-ctx.Done():
			if err := save(); err != nil {
				return err
			}
			return fmt.Errorf("%w at iteration %d; checkpoint %s", ErrInterrupted, t.step, ckpt)
		default:
		}
		m, err := t.Step()
		if errors.Is(err, ErrInterrupted) { // undone: the state is that of the last whole iteration
			if err := save(); err != nil {
				return err
			}
			return fmt.Errorf("%w; checkpoint %s at iteration %d", err, ckpt, t.step)
		}
		if err != nil {
			return err
		}
		now := time.Now()
		m.Seconds = jsonnum.Float64(now.Sub(last).Seconds())
		last = now
		if m.Rollbacks > rollbacks {
			rollbacks = m.Rollbacks
			msg := fmt.Sprintf("divergence: rolled back to iteration %d, learning rates ×%g (rollback %d of %d)",
				t.step, m.LRScale, m.Rollbacks, t.cfg.Guard.MaxRollbacks)
			if err := metrics.event(t.step, msg); err != nil {
				return err
			}
			if prog != nil {
				prog.Event(msg)
			}
			continue
		}
		if t.step%t.cfg.LogEvery == 0 || t.step == t.cfg.Steps {
			if err := metrics.write(m); err != nil {
				return err
			}
		}
		if prog != nil {
			done := max(1, t.step-startStep)
			prog.Update(m, t.cfg.Steps, time.Since(start)*time.Duration(t.cfg.Steps-t.step)/time.Duration(done))
		}
		if t.cfg.CheckpointEvery > 0 && t.step%t.cfg.CheckpointEvery == 0 && t.step < t.cfg.Steps {
			if err := save(); err != nil {
				return err
			}
		}
		if hooks.Eval != nil && t.cfg.EvalEvery > 0 && t.step%t.cfg.EvalEvery == 0 {
			if err := hooks.Eval(t); err != nil {
				return fmt.Errorf("evaluation at iteration %d: %w", t.step, err)
			}
		}
		if hooks.Plot != nil && t.cfg.PlotEvery > 0 && t.step%t.cfg.PlotEvery == 0 {
			if err := hooks.Plot(t); err != nil {
				return fmt.Errorf("pictures: %w", err)
			}
		}
	}
	if err := save(); err != nil {
		return err
	}
	if hooks.Plot != nil {
		if err := hooks.Plot(t); err != nil {
			return fmt.Errorf("pictures: %w", err)
		}
	}
	return nil
}

// metricsLog appends JSON lines to metrics.jsonl.
type metricsLog struct {
	f *os.File
	w *bufio.Writer
}

// openMetrics opens the metrics log for appending after keeping only the
// lines of iterations ≤ step: a resumed run rewrites what followed its
// checkpoint instead of duplicating it.
func openMetrics(path string, step int) (*metricsLog, error) {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var kept bytes.Buffer
	for line := range bytes.Lines(old) {
		var rec struct {
			Step int `json:"step"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Step <= step && bytes.HasSuffix(line, []byte("\n")) {
			kept.Write(line)
		}
	}
	if err := atomicfile.WriteFile(path, kept.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("metrics %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &metricsLog{f: f, w: bufio.NewWriter(f)}, nil
}

func (l *metricsLog) write(m Metrics) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	l.w.Write(append(b, '\n'))
	return l.w.Flush()
}

func (l *metricsLog) event(step int, msg string) error {
	b, _ := json.Marshal(struct {
		Step  int    `json:"step"`
		Event string `json:"event"`
	}{step, msg})
	l.w.Write(append(b, '\n'))
	return l.w.Flush()
}

func (l *metricsLog) Close() error {
	if err := l.w.Flush(); err != nil {
		l.f.Close()
		return err
	}
	return l.f.Close()
}

var _ io.Closer = (*metricsLog)(nil)
