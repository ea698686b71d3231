package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProxyFaults(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Host+" "+string(b))
	}))
	defer target.Close()
	p := Start(t, strings.TrimPrefix(target.URL, "http://"))
	cli := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (int, string, error) {
		resp, err := cli.Post(p.URL+"/x", "text/plain", strings.NewReader("body"))
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	host := strings.TrimPrefix(p.URL, "http://")
	if code, body, err := get(); err != nil || code != 200 || body != host+" body" {
		t.Fatalf("pass-through: %d %q %v (the Host header must be the one the client sent)", code, body, err)
	}
	p.FailRequests(2, 503, "SlowDown", nil)
	for range 2 {
		if code, body, err := get(); err != nil || code != 503 || !strings.Contains(body, "<Code>SlowDown</Code>") {
			t.Fatalf("injected error: %d %q %v", code, body, err)
		}
	}
	if code, _, err := get(); err != nil || code != 200 {
		t.Fatalf("after the injected errors: %d %v", code, err)
	}
	p.DropAll()
	p.ResetConnections(1)
	if _, _, err := get(); err == nil {
		t.Fatal("reset connection: no error")
	}
	p.SetDelay(50 * time.Millisecond)
	start := time.Now()
	if code, _, err := get(); err != nil || code != 200 || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("delay: %d %v after %v", code, err, time.Since(start))
	}
	p.SetDelay(0)
	p.DropAll()
	p.SetBlackhole(true)
	if _, _, err := get(); err == nil {
		t.Fatal("blackhole answered")
	}
	p.SetBlackhole(false)
	p.DropAll()
	if code, _, err := get(); err != nil || code != 200 {
		t.Fatalf("after the faults: %d %v", code, err)
	}
	if st := p.Stats(); st.Failed != 2 || st.Resets != 1 {
		t.Fatalf("stats %+v", st)
	}
}
