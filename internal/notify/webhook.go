package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/seclake/seclake/schemas"
)

// Webhook headers.
const (
	HeaderSignature = "X-Seclake-Signature" // "sha256=" + hex HMAC-SHA256(key, timestamp + "." + body)
	HeaderTimestamp = "X-Seclake-Timestamp" // Unix seconds; receivers reject stale ones (replay)
	HeaderDelivery  = "X-Seclake-Delivery"  // stable id of the payload: receivers dedupe retries by it
)

// Webhook posts findings as JSON to an HTTPS endpoint.
type Webhook struct {
	TargetName string
	URL        string
	Key        Secret
	Client     *http.Client // default: 10 s timeout
	// MaxAttempts bounds tries per batch (default 5); Backoff is the first
	// wait, doubled each retry (default 500 ms), capped at 30 s; a
	// Retry-After header wins.
	MaxAttempts int
	Backoff     time.Duration
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
	Logger      *slog.Logger
}

var _ Notifier = (*Webhook)(nil)

// Name is the target's name.
func (w *Webhook) Name() string { return w.TargetName }

// WebhookPayload is the JSON body.
type WebhookPayload struct {
	Source   string            `json:"source"`
	Count    int               `json:"count"`
	Findings []schemas.Finding `json:"findings"`
}

// Sign computes the signature header value for a body sent at ts.
func Sign(key []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header in constant time (for receivers and tests).
func Verify(key []byte, ts string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(key, ts, body)), []byte(sig))
}

// ErrPermanent marks a delivery the receiver refused (4xx other than 408/429).
var ErrPermanent = errors.New("notify: permanent delivery failure")

// Notify posts the findings in one request, retrying transient failures.
func (w *Webhook) Notify(ctx context.Context, findings []schemas.Finding) error {
	if len(findings) == 0 {
		return nil
	}
	if w.Key.Empty() {
		return fmt.Errorf("notify: webhook %s: no HMAC key", w.TargetName)
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	attempts := w.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}
	backoff := w.Backoff
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	now := w.Now
	if now == nil {
		now = time.Now
	}
	sleep := w.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	body, err := json.Marshal(WebhookPayload{Source: "seclake", Count: len(findings), Findings: findings})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	delivery := hex.EncodeToString(sum[:16])
	var last error
	for attempt := 1; attempt <= attempts; attempt++ {
		ts := strconv.FormatInt(now().Unix(), 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("notify: webhook %s: %w", w.TargetName, err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "seclake-notify/1")
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderDelivery, delivery)
		req.Header.Set(HeaderSignature, Sign(w.Key.Bytes(), ts, body))
		resp, err := client.Do(req)
		wait := backoff << (attempt - 1)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return fmt.Errorf("notify: webhook %s: %w", w.TargetName, ctx.Err())
			}
			last = err
		default:
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			switch {
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				log.Info("webhook delivered", "target", w.TargetName, "findings", len(findings), "attempt", attempt)
				return nil
			case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
				last = fmt.Errorf("HTTP %d", resp.StatusCode)
				if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra >= 0 {
					wait = time.Duration(ra) * time.Second
				}
			default:
				return fmt.Errorf("notify: webhook %s: HTTP %d: %w", w.TargetName, resp.StatusCode, ErrPermanent)
			}
		}
		if attempt == attempts {
			break
		}
		wait = min(wait, 30*time.Second)
		log.Warn("webhook delivery failed, retrying", "target", w.TargetName, "attempt", attempt, "error", last, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("notify: webhook %s: %w", w.TargetName, err)
		}
	}
	return fmt.Errorf("notify: webhook %s: gave up after %d attempts: %w", w.TargetName, attempts, last)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
