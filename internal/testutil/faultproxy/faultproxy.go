// Package faultproxy puts a fault-injecting proxy on loopback in front of a
// TCP service (MinIO in tests), so storage and jobs can be run against
// delays, reset connections, servers that stop answering and S3 error
// responses without touching the client code.
//
// Two layers, both always present:
//
//	client → TCP layer (delay, reset, blackhole) → HTTP layer (canned S3 errors) → target
//
// The TCP layer relays bytes. The HTTP layer is a reverse proxy that keeps
// the Host header the client signed, so SigV4 signatures stay valid; with no
// HTTP fault armed it forwards every request untouched.
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a running fault proxy.
type Proxy struct {
	// URL is the endpoint clients use instead of the target's
	// ("http://127.0.0.1:<port>").
	URL string

	target string // host:port of the service
	ln     net.Listener
	httpLn net.Listener
	srv    *http.Server

	delay     atomic.Int64 // per relayed chunk, nanoseconds
	resetNext atomic.Int64 // connections to reset after their first bytes
	blackhole atomic.Bool  // accept, read and never answer

	mu       sync.Mutex
	failLeft int // HTTP requests still to fail
	failCode int
	failErr  string // S3 error code in the XML body
	failOnly func(*http.Request) bool
	conns    map[net.Conn]struct{}

	requests atomic.Int64 // HTTP requests seen
	failed   atomic.Int64 // HTTP requests answered with a canned error
	resets   atomic.Int64 // connections reset
	accepted atomic.Int64 // TCP connections accepted
}

// Start listens on a free 127.0.0.1 port, relays to target (host:port) and
// stops on test cleanup.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := New(target)
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// New starts a proxy; Close stops it.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), target: target, ln: ln, httpLn: httpLn, conns: map[net.Conn]struct{}{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		// The target is down or reset the connection: look like a dead
		// server to the client (connection closed, no response).
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, herr := hj.Hijack(); herr == nil {
				resetConn(c)
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	rp.Transport = &http.Transport{DisableKeepAlives: true, ExpectContinueTimeout: time.Second}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		if code, s3code, ok := p.takeFailure(r); ok {
			p.failed.Add(1)
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("Connection", "close")
			w.WriteHeader(code)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected by faultproxy</Message><Resource>%s</Resource><RequestId>faultproxy</RequestId></Error>`, s3code, r.URL.Path)
			return
		}
		rp.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 30 * time.Second}
	go p.srv.Serve(httpLn)
	go p.accept()
	return p, nil
}

// Close stops the proxy and drops every open connection.
func (p *Proxy) Close() {
	p.ln.Close()
	p.srv.Close()
	p.DropAll()
}

// SetDelay delays every relayed chunk (both directions) by d; 0 turns it off.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// ResetConnections makes the next n TCP connections reset (RST) right after
// the client sent its first bytes, as a crashing server or a middlebox would.
func (p *Proxy) ResetConnections(n int) { p.resetNext.Store(int64(n)) }

// SetBlackhole makes new connections hang: bytes are read and never answered.
func (p *Proxy) SetBlackhole(on bool) { p.blackhole.Store(on) }

// FailRequests answers the next n HTTP requests (that match, when match is
// non-nil) with status and an S3 XML error body carrying code (e.g. 503
// "SlowDown", 500 "InternalError"), without forwarding them.
func (p *Proxy) FailRequests(n, status int, code string, match func(*http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failLeft, p.failCode, p.failErr, p.failOnly = n, status, code, match
}

func (p *Proxy) takeFailure(r *http.Request) (int, string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failLeft <= 0 || p.failOnly != nil && !p.failOnly(r) {
		return 0, "", false
	}
	p.failLeft--
	return p.failCode, p.failErr, true
}

// DropAll resets every open client connection (pooled idle ones included).
func (p *Proxy) DropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		resetConn(c)
	}
}

// Stats are the proxy's counters.
type Stats struct {
	Connections, Resets, Requests, Failed int64
}

// Stats returns the counters so far.
func (p *Proxy) Stats() Stats {
	return Stats{Connections: p.accepted.Load(), Resets: p.resets.Load(), Requests: p.requests.Load(), Failed: p.failed.Load()}
}

func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close sends RST, not FIN
	}
	c.Close()
}

func (p *Proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		go p.serve(c)
	}
}

func (p *Proxy) serve(c net.Conn) {
	p.track(c, true)
	defer p.track(c, false)
	defer c.Close()
	if p.blackhole.Load() {
		_, _ = io.Copy(io.Discard, c) // until the client gives up or DropAll
		return
	}
	if p.resetNext.Add(-1) >= 0 {
		buf := make([]byte, 1)
		_, _ = c.Read(buf)
		p.resets.Add(1)
		resetConn(c)
		return
	}
	up, err := net.DialTimeout("tcp", p.httpLn.Addr().String(), 5*time.Second)
	if err != nil {
		resetConn(c)
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{}, 2)
	go func() { p.relay(ctx, up, c); done <- struct{}{} }()
	go func() { p.relay(ctx, c, up); done <- struct{}{} }()
	<-done
	select { // the other direction finishes its EOF or fails on the closed peer
	case <-done:
	case <-time.After(time.Minute):
	}
}

// relay copies src to dst chunk by chunk, sleeping the configured delay
// before each chunk. At EOF it half-closes dst; on any other error it closes
// both, so the opposite relay stops too.
func (p *Proxy) relay(ctx context.Context, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if d := time.Duration(p.delay.Load()); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return
				}
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		if err != nil {
			if tc, ok := dst.(*net.TCPConn); ok && errors.Is(err, io.EOF) {
				_ = tc.CloseWrite()
				return
			}
			src.Close()
			dst.Close()
			return
		}
	}
}
