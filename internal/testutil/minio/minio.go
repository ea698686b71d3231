// Package minio starts a throwaway MinIO server for tests that need real S3
// semantics (multipart uploads, SSE-KMS, error codes).
//
// The binary comes from $SECLAKE_MINIO_BIN or <repo root>/bin/minio (build it
// with `make bin/minio`). Without a binary, tests skip, unless
// SECLAKE_REQUIRE_MINIO=1 (set by `make test`), in which case they fail.
package minio

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil"
)

const (
	// KMSKeyID is the name of the static KMS key the server is started with.
	KMSKeyID = "seclake-test-key"
	// Region is the region the clients use (MinIO accepts any).
	Region = "us-east-1"

	accessKey = "seclake-test"
	secretKey = "seclake-test-secret"
	bucket    = "seclake-test"

	readyTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
)

// kmsKey is the fixed 32-byte static key; tests need no real secrecy.
var kmsKey = []byte("seclake-test-kms-key-32-bytes!!!")

// Server is a running MinIO server.
type Server struct {
	Endpoint  string // http://127.0.0.1:<port>
	AccessKey string
	SecretKey string
	Bucket    string // created at start
	KMSKeyID  string

	t       testing.TB
	bin     string
	addr    string
	dataDir string
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
}

// Binary returns the MinIO binary path and whether it exists.
func Binary() (string, bool) {
	if p := os.Getenv("SECLAKE_MINIO_BIN"); p != "" {
		_, err := os.Stat(p)
		return p, err == nil
	}
	root, err := testutil.FindRepoRoot()
	if err != nil {
		return "", false
	}
	p := filepath.Join(root, "bin", "minio")
	_, err = os.Stat(p)
	return p, err == nil
}

// Start starts MinIO on a free 127.0.0.1 port with a fresh data directory,
// waits until it is ready, creates Bucket and registers cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWithCredentials(t, accessKey, secretKey)
}

// StartWithCredentials is Start with the given root access key and secret
// (tests that plant credentials and grep output for them).
func StartWithCredentials(t testing.TB, access, secret string) *Server {
	t.Helper()
	bin, ok := Binary()
	if !ok {
		msg := fmt.Sprintf("MinIO binary not found (looked at %q); build it with `make bin/minio` or set SECLAKE_MINIO_BIN", bin)
		if os.Getenv("SECLAKE_REQUIRE_MINIO") == "1" {
			t.Fatalf("%s (SECLAKE_REQUIRE_MINIO=1)", msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	s := &Server{
		AccessKey: access,
		SecretKey: secret,
		Bucket:    bucket,
		KMSKeyID:  KMSKeyID,
		t:         t,
		bin:       bin,
		dataDir:   filepath.Join(dir, "data"),
		logPath:   filepath.Join(dir, "minio.log"),
	}
	t.Cleanup(s.Stop)
	var err error
	for range 3 { // a free port can be taken between probing and binding
		s.addr, err = freeAddr()
		if err != nil {
			t.Fatalf("minio: find a free port: %v", err)
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("minio: %v", err)
	}
	s.Endpoint = "http://" + s.addr
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		t.Fatalf("minio: create bucket %q: %v", s.Bucket, err)
	}
	return s
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// start launches the process on s.addr and waits for readiness.
func (s *Server) start() error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child keeps its own descriptor
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.addr,
		"--certs-dir", filepath.Join(filepath.Dir(s.dataDir), "certs"), s.dataDir)
	cmd.Env = append(cleanEnv(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_KMS_SECRET_KEY="+KMSKeyID+":"+base64.StdEncoding.EncodeToString(kmsKey),
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"HOME="+filepath.Dir(s.dataDir),
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	if err := waitReady(s.addr, done); err != nil {
		s.Stop()
		return fmt.Errorf("server on %s not ready: %v\n--- minio log ---\n%s", s.addr, err, s.logTail())
	}
	// /minio/health/ready can answer 200 while the object layer still
	// refuses S3 calls with 503 XMinioServerNotInitialized: wait until a
	// real S3 call succeeds.
	if err := s.waitS3(done); err != nil {
		s.Stop()
		return fmt.Errorf("server on %s answers health checks but not S3: %v\n--- minio log ---\n%s", s.addr, err, s.logTail())
	}
	return nil
}

func (s *Server) waitS3(exited <-chan struct{}) error {
	cli := s3.New(s3.Options{
		Region:           Region,
		BaseEndpoint:     aws.String("http://" + s.addr),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RetryMaxAttempts: 1,
	})
	deadline := time.Now().Add(readyTimeout)
	var err error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err = cli.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// cleanEnv drops MINIO_* and AWS_* variables so the developer's
// configuration cannot leak into the test server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MINIO_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func waitReady(addr string, exited <-chan struct{}) error {
	url := "http://" + addr + "/minio/health/ready"
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from %s within %v", url, readyTimeout)
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// Stop terminates the server (SIGTERM, then SIGKILL after a grace period)
// and waits for it to exit. The data directory is kept, so Restart brings
// back the same objects. Stopping a stopped server is a no-op.
func (s *Server) Stop() { s.halt(syscall.SIGTERM) }

// Kill stops the server abruptly (SIGKILL), like a crash.
func (s *Server) Kill() { s.halt(syscall.SIGKILL) }

func (s *Server) halt(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// Restart stops the server if it runs and starts it again on the same
// address with the same data, so existing clients and stores keep working.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("minio: restart: %v", err)
	}
}

// Options returns S3Options for a store on Bucket with the server's KMS key,
// static credentials, path-style addressing, 5 MiB parts (the S3 minimum, so
// multipart uploads start early) and few retries (fast failures in tests).
func (s *Server) Options() storage.S3Options {
	return storage.S3Options{
		Bucket:      s.Bucket,
		Region:      Region,
		Endpoint:    s.Endpoint,
		PathStyle:   true,
		KMSKeyID:    s.KMSKeyID,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		PartSize:    storage.MinPartSize,
		Concurrency: 2,
		MaxAttempts: 2,
	}
}

// Client returns a plain S3 client for the server, for assertions that go
// around the store (HeadObject, ListMultipartUploads).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(s.Endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RetryMaxAttempts: 2,
	})
}

// Addr returns host:port.
func (s *Server) Addr() string { return s.addr }

// Port returns the TCP port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// CreateLockedBucket creates a bucket with S3 Object Lock enabled (which
// also turns on versioning) and returns its name.
func (s *Server) CreateLockedBucket(name string) string {
	s.t.Helper()
	_, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true),
	})
	if err != nil {
		s.t.Fatalf("minio: create locked bucket %q: %v", name, err)
	}
	return name
}
