package lake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// EntityFeedbackPrefix holds analysts' verdicts on entities, one JSON object
// per (kind, value): a newer verdict replaces the older one.
const EntityFeedbackPrefix = "feedback/entity/"

// Entity verdicts.
const (
	VerdictIgnore    = "ignore"    // drop from extraction and scoring (e.g. a scanner's IP)
	VerdictSensitive = "sensitive" // raise the severity of findings that involve it
	VerdictClear     = "clear"     // forget an earlier verdict
)

// EntityFeedback is one analyst verdict.
type EntityFeedback struct {
	Kind    string    `json:"kind"`
	Value   string    `json:"value"`
	Verdict string    `json:"verdict"`
	Note    string    `json:"note,omitempty"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at"`
}

// EntityFeedbackKey is where the verdict on (kind, value) is stored.
func EntityFeedbackKey(kind, value string) string {
	h := sha256.Sum256([]byte(kind + "\x00" + value))
	return EntityFeedbackPrefix + hex.EncodeToString(h[:12]) + ".json"
}

// PutEntityFeedback stores (or, for VerdictClear, removes) a verdict.
func PutEntityFeedback(ctx context.Context, store storage.Store, fb EntityFeedback) error {
	switch fb.Verdict {
	case VerdictIgnore, VerdictSensitive:
	case VerdictClear:
		return store.Delete(ctx, EntityFeedbackKey(fb.Kind, fb.Value))
	default:
		return fmt.Errorf("lake: verdict %q: want ignore, sensitive or clear", fb.Verdict)
	}
	if fb.Kind == "" || fb.Value == "" {
		return fmt.Errorf("lake: feedback needs a kind and a value")
	}
	data, err := json.Marshal(fb)
	if err != nil {
		return err
	}
	return store.Put(ctx, EntityFeedbackKey(fb.Kind, fb.Value), bytes.NewReader(append(data, '\n')), storage.PutOptions{ContentType: "application/json"})
}

// LoadEntityFeedback reads every verdict, keyed by kind + "\x00" + value.
func LoadEntityFeedback(ctx context.Context, store storage.Store) (map[string]EntityFeedback, error) {
	out := map[string]EntityFeedback{}
	err := ReadJSONObjects(ctx, store, EntityFeedbackPrefix, func(fb EntityFeedback) {
		out[fb.Kind+"\x00"+fb.Value] = fb
	})
	return out, err
}

// ReadJSONObjects decodes every object under prefix (at most 1 MiB each) as
// a T and hands it to each: the small JSON records of the lake
// (analyst feedback, ledgers).
func ReadJSONObjects[T any](ctx context.Context, store storage.Store, prefix string, each func(T)) error {
	return store.List(ctx, prefix, func(o storage.ObjectInfo) error {
		rc, _, err := store.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		if err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("lake: %s: %w", o.Key, err)
		}
		each(v)
		return nil
	})
}
