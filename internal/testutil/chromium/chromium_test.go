package chromium

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The checker must see what a broken page does wrong.
func TestRenderCatchesErrors(t *testing.T) {
	bin := Require(t)
	page := filepath.Join(t.TempDir(), "bad.html")
	html := `<!DOCTYPE html><html><body>
<svg class="chart" data-chart="empty" width="100" height="50"></svg>
<svg class="chart" data-chart="one" width="100" height="50"><rect class="mark" x="1" y="1" width="10" height="10"/><rect class="mark" width="0" height="5"/></svg>
<script>console.error("boom", 42); undefinedFunction();</script></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Render(context.Background(), bin, "file://"+page, MarksExpr)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ConsoleErrors) == 0 || !strings.Contains(strings.Join(res.ConsoleErrors, "\n"), "boom 42") {
		t.Errorf("console errors = %q, want console.error boom 42", res.ConsoleErrors)
	}
	if len(res.Exceptions) == 0 || !strings.Contains(strings.Join(res.Exceptions, "\n"), "undefinedFunction") {
		t.Errorf("exceptions = %q, want the ReferenceError", res.Exceptions)
	}
	var v string
	if err := jsonString(res.Value, &v); err != nil || v != `[{"chart":"empty","marks":0},{"chart":"one","marks":1}]` {
		t.Errorf("marks = %s (%v)", res.Value, err)
	}
	if !bytes.HasPrefix(res.Screenshot, []byte("\x89PNG\r\n\x1a\n")) {
		t.Error("screenshot is not a PNG")
	}
}
