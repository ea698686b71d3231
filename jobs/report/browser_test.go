package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/storage/storagetest"
	"github.com/seclake/seclake/internal/testutil/chromium"
)

// The HTML report renders in headless Chromium without console errors, and
// every chart draws marks. Screenshots go to $SECLAKE_SCREENSHOT_DIR when
// set (else a temp dir).
func TestReportRendersInChromium(t *testing.T) {
	bin := chromium.Require(t)
	dir := t.TempDir()
	store, _ := storage.NewLocal(dir)
	buildLake(t, store)
	res := runDay(t, dir)
	shots := os.Getenv("SECLAKE_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	wantCharts := []string{"findings-by-severity", "findings-by-technique", "findings-by-account", "coverage"}
	for fw := range res.Statuses {
		key := ReportPrefix("2026-11-21", fw) + "report.html"
		storagetest.MustGet(t, store, key)
		page := filepath.Join(dir, filepath.FromSlash(key))
		out, err := chromium.Render(context.Background(), bin, "file://"+page, chromium.MarksExpr)
		if err != nil {
			t.Fatalf("%s: %v", fw, err)
		}
		if len(out.ConsoleErrors) > 0 || len(out.Exceptions) > 0 {
			t.Errorf("%s: console errors %q, exceptions %q", fw, out.ConsoleErrors, out.Exceptions)
		}
		marks, order, err := chromium.Marks(out.Value)
		if err != nil {
			t.Fatalf("%s: %v (%s)", fw, err, out.Value)
		}
		if len(order) != len(wantCharts) {
			t.Errorf("%s: charts %v, want %v", fw, order, wantCharts)
		}
		for _, c := range wantCharts {
			if marks[c] == 0 {
				t.Errorf("%s: chart %s drew no marks (%v)", fw, c, marks)
			}
		}
		img, err := png.Decode(bytes.NewReader(out.Screenshot))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", fw, err)
		}
		b := img.Bounds()
		colors := map[uint32]bool{}
		for y := b.Min.Y; y < b.Max.Y; y += 7 {
			for x := b.Min.X; x < b.Max.X; x += 7 {
				r, g, bl, _ := img.At(x, y).RGBA()
				colors[r>>8<<16|g>>8<<8|bl>>8] = true
			}
		}
		if b.Dx() < 1000 || b.Dy() < 1500 || len(colors) < 16 {
			t.Errorf("%s: screenshot %dx%d with %d colours looks blank", fw, b.Dx(), b.Dy(), len(colors))
		}
		path := filepath.Join(shots, "report-"+fw+".png")
		if err := os.WriteFile(path, out.Screenshot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %dx%d screenshot %s (%d bytes), marks %v", fw, b.Dx(), b.Dy(), path, len(out.Screenshot), marks)
	}
}
