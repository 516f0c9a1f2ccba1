package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ebmcpu/ebmcpu/trainer"
)

// progress reports training on a terminal as one redrawn line with a bar,
// rate, ETA and live losses; elsewhere (a log file, CI) as a plain line
// every interval.
type progress struct {
	w        io.Writer
	tty      bool
	interval time.Duration
	last     time.Time
	started  time.Time
	drawn    bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, interval: 10 * time.Second, started: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty, p.interval = true, 200*time.Millisecond
		}
	}
	return p
}

func (p *progress) Update(m trainer.Metrics, total int, eta time.Duration) {
	now := time.Now()
	if now.Sub(p.last) < p.interval && m.Step != total {
		return
	}
	p.last = now
	rate := float64(m.Step) / max(now.Sub(p.started).Seconds(), 1e-9)
	stats := fmt.Sprintf("%5.0f it/s ETA %-8s loss_E %+.3f loss_G %+.3f Ĥ %.3f Û %.4f",
		rate, eta.Round(time.Second), m.LossE, m.LossG, m.Entropy, m.Gap)
	if !p.tty {
		fmt.Fprintf(p.w, "step %d/%d %s\n", m.Step, total, stats)
		return
	}
	const width = 24
	done := width * m.Step / max(total, 1)
	bar := strings.Repeat("=", done) + strings.Repeat(" ", width-done)
	fmt.Fprintf(p.w, "\r%d/%d [%s] %3d%% %s", m.Step, total, bar, 100*m.Step/max(total, 1), stats)
	p.drawn = true
}

func (p *progress) Event(msg string) {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	fmt.Fprintln(p.w, msg)
}

func (p *progress) Done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
