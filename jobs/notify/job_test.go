package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/notify"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/storage/storagetest"
	"github.com/seclake/seclake/schemas"
)

type fake struct {
	name string
	fail bool
	got  []string
}

func (f *fake) Name() string { return f.name }
func (f *fake) Notify(_ context.Context, fs []schemas.Finding) error {
	if f.fail {
		return errors.New("endpoint down")
	}
	for _, x := range fs {
		f.got = append(f.got, x.FindingID)
	}
	return nil
}

func TestNotifyNewFindingsOnce(t *testing.T) {
	store, _ := storage.NewLocal(t.TempDir())
	d1 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 1)
	f := func(id string, end time.Time, sev int32, status string) schemas.Finding {
		return schemas.Finding{FindingID: id, Detector: "d", Title: id, Severity: sev, SeverityLabel: schemas.SeverityLabel(int(sev)),
			AccountID: "111122223333", AccountType: "prod", WindowStart: end.Add(-time.Hour), WindowEnd: end, FirstSeen: end.Add(-time.Hour), LastSeen: end, Status: status}
	}
	write := func(day time.Time, rows ...schemas.Finding) {
		data, err := lake.EncodeParquet(rows, parquet.SchemaOf(schemas.Finding{}), 1000)
		if err != nil {
			t.Fatal(err)
		}
		storagetest.MustPut(t, store, "findings/eventDay="+day.Format("20060102")+"/part-x.parquet", data)
	}
	write(d1, f("old", d1.Add(5*time.Hour), 90, "new"))
	write(d2, f("old", d2.Add(5*time.Hour), 90, "new"), f("fresh-hi", d2.Add(6*time.Hour), 85, "new"),
		f("fresh-lo", d2.Add(7*time.Hour), 20, "new"), f("muted", d2.Add(8*time.Hour), 90, "suppressed"))

	hub, pager := &fake{name: "hub"}, &fake{name: "pager", fail: true}
	cfg := Config{Lake: store, Window: lake.Window{From: d2, To: d2.AddDate(0, 0, 1)}, Targets: []notify.Notifier{hub, pager},
		Router: notify.Router{MinSeverity: 60, All: []string{"hub", "pager"}}, ASFF: notify.ASFFOptions{AccountID: "111122223333", Region: "us-east-1"}}
	res, err := Run(context.Background(), cfg)
	if err == nil {
		t.Error("a failing target did not fail the run")
	}
	if res == nil || res.Selected != 2 || res.Delivered["hub"] != 1 || len(hub.got) != 1 || hub.got[0] != "fresh-hi" {
		t.Fatalf("result %+v, hub got %v; want fresh-hi only (old is not new, fresh-lo below threshold, muted suppressed)", res, hub.got)
	}
	asff, _ := storagetest.MustGet(t, store, ASFFKey(cfg.Window))
	var batch notify.ASFFBatch
	if err := json.Unmarshal(asff, &batch); err != nil || len(batch.Findings) != 2 || batch.Findings[0].ID != "fresh-hi" {
		t.Errorf("ASFF batch = %+v, %v", batch, err)
	}
	// Rerun after the pager recovers: the hub is not sent the finding again.
	pager.fail = false
	res, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(hub.got) != 1 || res.Skipped["hub"] != 1 || len(pager.got) != 1 {
		t.Errorf("rerun: hub got %v (skipped %d), pager got %v", hub.got, res.Skipped["hub"], pager.got)
	}
	again, _ := storagetest.MustGet(t, store, ASFFKey(cfg.Window))
	if !bytes.Equal(again, asff) {
		t.Error("ASFF batch differs between runs")
	}
}

// dyingStore refuses every Put once dead is set: the process is gone.
type dyingStore struct {
	storage.Store
	dead bool
}

func (d *dyingStore) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) error {
	if d.dead {
		return errors.New("process killed")
	}
	return d.Store.Put(ctx, key, r, o)
}

// killer is a target whose delivery never completes: the process is killed
// while it waits (nothing after it is written).
type killer struct {
	fake
	store *dyingStore
	kill  bool
}

func (k *killer) Notify(ctx context.Context, fs []schemas.Finding) error {
	if k.kill {
		k.store.dead = true
		return errors.New("killed during delivery")
	}
	return k.fake.Notify(ctx, fs)
}

// TestNotifyKilledMidRunResendsNothingDelivered: a run killed while the
// second target is delivering has recorded the first target's delivery, so
// the rerun sends the first target nothing again and the second everything.
func TestNotifyKilledMidRunResendsNothingDelivered(t *testing.T) {
	local, _ := storage.NewLocal(t.TempDir())
	store := &dyingStore{Store: local}
	d := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	var rows []schemas.Finding
	for i, id := range []string{"f-a", "f-b", "f-c"} {
		end := d.Add(time.Duration(i+1) * time.Hour)
		rows = append(rows, schemas.Finding{FindingID: id, Detector: "d", Title: id, Severity: 90, SeverityLabel: schemas.SeverityLabel(90),
			AccountID: "111122223333", AccountType: "prod", WindowStart: end.Add(-time.Hour), WindowEnd: end, FirstSeen: end.Add(-time.Hour), LastSeen: end, Status: "new"})
	}
	data, err := lake.EncodeParquet(rows, parquet.SchemaOf(schemas.Finding{}), 1000)
	if err != nil {
		t.Fatal(err)
	}
	storagetest.MustPut(t, local, "findings/eventDay=20261121/part-x.parquet", data)
	hub := &fake{name: "hub"}
	pager := &killer{fake: fake{name: "pager"}, store: store, kill: true}
	cfg := Config{Lake: store, Window: lake.Window{From: d, To: d.AddDate(0, 0, 1)}, Targets: []notify.Notifier{hub, pager},
		Router: notify.Router{MinSeverity: 60, All: []string{"hub", "pager"}}, ASFF: notify.ASFFOptions{AccountID: "111122223333", Region: "us-east-1"}}
	if _, err := Run(context.Background(), cfg); err == nil {
		t.Fatal("a run killed mid-delivery succeeded")
	}
	store.dead, pager.kill = false, false // the process restarts
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if len(hub.got) != 3 || len(pager.got) != 3 {
		t.Errorf("after the rerun hub got %v, pager %v; want each finding once per target", hub.got, pager.got)
	}
}
