// Package chromium renders pages in headless Chromium for tests, over the
// DevTools protocol (a small WebSocket client, no dependency): it collects
// console errors and uncaught exceptions, evaluates an expression after the
// load event and takes a full-page screenshot.
//
// The binary is $SECLAKE_CHROMIUM or chromium / chromium-browser on PATH.
// Without one, tests skip unless SECLAKE_REQUIRE_CHROMIUM=1 (set by
// `make test`), in which case they fail.
package chromium

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Flags are the command-line flags Chromium is started with.
var Flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
	"--disable-extensions", "--hide-scrollbars", "--mute-audio", "--window-size=1280,1600",
}

// Binary finds the Chromium binary.
func Binary() (string, bool) {
	if p := os.Getenv("SECLAKE_CHROMIUM"); p != "" {
		_, err := os.Stat(p)
		return p, err == nil
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p, true
		}
	}
	return "chromium", false
}

// Require returns the binary or skips (fails with SECLAKE_REQUIRE_CHROMIUM=1).
func Require(t testing.TB) string {
	t.Helper()
	p, ok := Binary()
	if !ok {
		msg := "headless Chromium not found (apt-get install chromium, or set SECLAKE_CHROMIUM)"
		if os.Getenv("SECLAKE_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("%s (SECLAKE_REQUIRE_CHROMIUM=1)", msg)
		}
		t.Skip(msg)
	}
	return p
}

// Result is what a render observed.
type Result struct {
	ConsoleErrors []string        // console.error/assert calls and error log entries
	Exceptions    []string        // uncaught exceptions
	Value         json.RawMessage // the evaluated expression, by value
	Screenshot    []byte          // PNG
}

// Render loads pageURL in a fresh headless Chromium, waits for the load
// event, evaluates expr (when not empty) and captures a full-page PNG.
func Render(ctx context.Context, bin, pageURL, expr string) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	profile, err := os.MkdirTemp("", "seclake-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	args := append(append([]string{}, Flags...), "--remote-debugging-port=0", "--user-data-dir="+profile, "about:blank")
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("chromium: start: %w", err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the browser and its helpers: our own process group
		_ = cmd.Wait()
	}()
	wsURL, log, err := devtoolsURL(ctx, stderr)
	if err != nil {
		return nil, fmt.Errorf("chromium: %w\n%s", err, log)
	}
	u, err := url.Parse(wsURL)
	if err != nil {
		return nil, err
	}
	pageWS, err := pageTarget(ctx, u.Host)
	if err != nil {
		return nil, err
	}
	c, err := dial(ctx, pageWS)
	if err != nil {
		return nil, err
	}
	defer c.close()
	res := &Result{}
	loaded := make(chan struct{}, 1)
	c.onEvent = func(method string, params json.RawMessage) {
		switch method {
		case "Page.loadEventFired":
			select {
			case loaded <- struct{}{}:
			default:
			}
		case "Runtime.consoleAPICalled":
			var p struct {
				Type string `json:"type"`
				Args []struct {
					Value       any    `json:"value"`
					Description string `json:"description"`
				} `json:"args"`
			}
			_ = json.Unmarshal(params, &p)
			if p.Type == "error" || p.Type == "assert" {
				var parts []string
				for _, a := range p.Args {
					if a.Description != "" {
						parts = append(parts, a.Description)
					} else {
						parts = append(parts, fmt.Sprint(a.Value))
					}
				}
				c.mu.Lock()
				res.ConsoleErrors = append(res.ConsoleErrors, "console."+p.Type+": "+strings.Join(parts, " "))
				c.mu.Unlock()
			}
		case "Runtime.exceptionThrown":
			var p struct {
				Details struct {
					Text      string `json:"text"`
					Exception struct {
						Description string `json:"description"`
					} `json:"exception"`
				} `json:"exceptionDetails"`
			}
			_ = json.Unmarshal(params, &p)
			c.mu.Lock()
			res.Exceptions = append(res.Exceptions, strings.TrimSpace(p.Details.Text+" "+p.Details.Exception.Description))
			c.mu.Unlock()
		case "Log.entryAdded":
			var p struct {
				Entry struct {
					Level, Text, URL string
				} `json:"entry"`
			}
			_ = json.Unmarshal(params, &p)
			if p.Entry.Level == "error" {
				c.mu.Lock()
				res.ConsoleErrors = append(res.ConsoleErrors, "log: "+p.Entry.Text+" "+p.Entry.URL)
				c.mu.Unlock()
			}
		}
	}
	go c.readLoop()
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		if _, err := c.call(ctx, m, nil); err != nil {
			return nil, err
		}
	}
	if _, err := c.call(ctx, "Page.navigate", map[string]any{"url": pageURL}); err != nil {
		return nil, err
	}
	select {
	case <-loaded:
	case <-ctx.Done():
		return nil, fmt.Errorf("chromium: %s did not load: %w", pageURL, ctx.Err())
	}
	// Let late console messages and layout settle.
	time.Sleep(300 * time.Millisecond)
	if expr != "" {
		out, err := c.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
		if err != nil {
			return nil, err
		}
		var ev struct {
			Result struct {
				Value json.RawMessage `json:"value"`
			} `json:"result"`
			ExceptionDetails *struct {
				Text string `json:"text"`
			} `json:"exceptionDetails"`
		}
		if err := json.Unmarshal(out, &ev); err != nil {
			return nil, err
		}
		if ev.ExceptionDetails != nil {
			return nil, fmt.Errorf("chromium: evaluate: %s", ev.ExceptionDetails.Text)
		}
		res.Value = ev.Result.Value
	}
	out, err := c.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	if err != nil {
		return nil, err
	}
	var shot struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(out, &shot); err != nil {
		return nil, err
	}
	if res.Screenshot, err = base64.StdEncoding.DecodeString(shot.Data); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return res, nil
}

var listening = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

func devtoolsURL(ctx context.Context, stderr io.Reader) (string, string, error) {
	found := make(chan string, 1)
	var mu sync.Mutex
	var log bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			if log.Len() < 16<<10 {
				log.WriteString(line + "\n")
			}
			mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case u, ok := <-found:
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			return "", log.String(), errors.New("exited before DevTools listened")
		}
		return u, log.String(), nil
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		return "", log.String(), fmt.Errorf("no DevTools URL: %w", ctx.Err())
	}
}

func pageTarget(ctx context.Context, host string) (string, error) {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/json/list", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var targets []struct {
				Type string `json:"type"`
				WS   string `json:"webSocketDebuggerUrl"`
			}
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
			for _, t := range targets {
				if t.Type == "page" && t.WS != "" {
					return t.WS, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("chromium: no page target: %w (last error %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// conn is a minimal WebSocket client for the DevTools protocol: text frames,
// client masking, fragmentation, ping/pong and close.
type conn struct {
	nc      net.Conn
	br      *bufio.Reader
	wmu     sync.Mutex
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan reply
	onEvent func(method string, params json.RawMessage)
	done    chan struct{}
	err     error
}

type reply struct {
	result json.RawMessage
	err    error
}

func dial(ctx context.Context, wsURL string) (*conn, error) {
	u, err := url.Parse(wsURL)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	keyRaw := make([]byte, 16)
	rand.Read(keyRaw)
	key := base64.StdEncoding.EncodeToString(keyRaw)
	fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", u.RequestURI(), u.Host, key)
	br := bufio.NewReaderSize(nc, 1<<16)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("chromium: websocket handshake: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		return nil, fmt.Errorf("chromium: websocket handshake: %s", resp.Status)
	}
	return &conn{nc: nc, br: br, waiting: map[int]chan reply{}, done: make(chan struct{})}, nil
}

func (c *conn) close() { c.nc.Close() }

func (c *conn) writeFrame(op byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	hdr := []byte{0x80 | op}
	n := len(payload)
	switch {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 1<<16:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	mask := make([]byte, 4)
	rand.Read(mask)
	hdr = append(hdr, mask...)
	masked := make([]byte, n)
	for i := range payload {
		masked[i] = payload[i] ^ mask[i%4]
	}
	_, err := c.nc.Write(append(hdr, masked...))
	return err
}

// readMessage returns the next complete text message.
func (c *conn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return nil, err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		var mask []byte
		if h[1]&0x80 != 0 {
			mask = make([]byte, 4)
			if _, err := io.ReadFull(c.br, mask); err != nil {
				return nil, err
			}
		}
		if n > 256<<20 {
			return nil, fmt.Errorf("chromium: websocket frame of %d bytes", n)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			return nil, err
		}
		if mask != nil {
			for i := range payload {
				payload[i] ^= mask[i%4]
			}
		}
		switch op {
		case 0x8:
			return nil, io.EOF
		case 0x9:
			if err := c.writeFrame(0xA, payload); err != nil {
				return nil, err
			}
			continue
		case 0xA:
			continue
		}
		msg = append(msg, payload...)
		if fin {
			return msg, nil
		}
	}
}

func (c *conn) readLoop() {
	defer close(c.done)
	for {
		data, err := c.readMessage()
		if err != nil {
			c.mu.Lock()
			c.err = err
			for id, ch := range c.waiting {
				ch <- reply{err: fmt.Errorf("chromium: connection closed: %w", err)}
				delete(c.waiting, id)
			}
			c.mu.Unlock()
			return
		}
		var m struct {
			ID     int             `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.waiting[m.ID]
			delete(c.waiting, m.ID)
			c.mu.Unlock()
			if ch != nil {
				r := reply{result: m.Result}
				if m.Error != nil {
					r.err = errors.New("chromium: " + m.Error.Message)
				}
				ch <- r
			}
			continue
		}
		if c.onEvent != nil && m.Method != "" {
			c.onEvent(m.Method, m.Params)
		}
	}
}

func (c *conn) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.nextID++
	id := c.nextID
	ch := make(chan reply, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	data, _ := json.Marshal(msg)
	if err := c.writeFrame(0x1, data); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("%s: %w", method, r.err)
		}
		return r.result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("chromium: %s: %w", method, ctx.Err())
	}
}
