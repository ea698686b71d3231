package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/seclake/seclake/jobs/convert"
)

// progressBar draws a one-line status on a terminal, at most 10 times a second.
type progressBar struct {
	w     io.Writer
	start time.Time
	last  time.Time
}

func newProgressBar(w io.Writer, start time.Time) *progressBar {
	return &progressBar{w: w, start: start}
}

func (p *progressBar) update(pr convert.Progress) {
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	secs := now.Sub(p.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(pr.BytesRead) / 1e6 / secs
	}
	spin := `|/-\`[int(secs*4)%4]
	fmt.Fprintf(p.w, "\r%c files %d · %s stored · %.1f MB/s · %d records   ", spin, pr.FilesDone, humanBytes(pr.BytesRead), rate, pr.RecordsIn)
}

func (p *progressBar) done() { fmt.Fprint(p.w, "\r\033[K") }

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
