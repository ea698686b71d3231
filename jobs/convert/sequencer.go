package convert

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// sequencer consumes the objects' output in key order and routes rows to
// the partitioned writers.
type sequencer struct {
	cfg        *Config
	ct         *lake.Writer[schemas.CloudTrail, *schemas.CloudTrail]
	vf         *lake.Writer[schemas.VPCFlow, *schemas.VPCFlow]
	s3         *lake.Writer[schemas.S3Access, *schemas.S3Access]
	q          *lake.Writer[schemas.Quarantine, *schemas.Quarantine]
	m          lake.Manifest
	withData   int
	mismatched int
	looks      map[string]bool
	last       routeCache
	dedup      deduper
	dups       int64 // duplicates dropped from the object being consumed
}

// routeCache remembers the group of the previous row: consecutive rows
// nearly always share hour, region and account.
type routeCache struct {
	table, region, account, tag string
	hour                        int64
	group                       lake.Group
}

func (s *sequencer) group(table string, t time.Time, region, account, tag string) lake.Group {
	hour := t.Unix() / 3600
	if t.Unix() < 0 && t.Unix()%3600 != 0 {
		hour--
	}
	c := &s.last
	if c.hour == hour && c.table == table && c.region == region && c.account == account && c.tag == tag && c.group.Dir != "" {
		return c.group
	}
	p := lake.PartitionOf(t, region, account)
	*c = routeCache{table: table, region: region, account: account, tag: tag, hour: hour,
		group: lake.Group{Dir: lake.EventsPrefix(table) + p.Path(), Tag: tag}}
	return c.group
}

func newSequencer(cfg *Config) *sequencer {
	qopts := cfg.Writer
	qopts.MaxBufferedRows = min(max(qopts.MaxBufferedRows, 1), 20_000)
	s := &sequencer{
		cfg: cfg,
		ct:  lake.NewWriter[schemas.CloudTrail](cfg.Lake, cfg.Writer),
		vf:  lake.NewWriter[schemas.VPCFlow](cfg.Lake, cfg.Writer),
		s3:  lake.NewWriter[schemas.S3Access](cfg.Lake, cfg.Writer),
		q:   lake.NewWriter[schemas.Quarantine](cfg.Lake, qopts),
		m:   lake.Manifest{Job: JobName, Inputs: []lake.Input{}, Outputs: []lake.Output{}},
	}
	return s
}

// tag names the unit of idempotence of a part: source and delivery hour.
func (s *sequencer) tag(source string, tk *task) string {
	if s.cfg.Shard != "" {
		return source + "@" + tk.lay.Time.UTC().Format("2006010215") + "@" + s.cfg.Shard
	}
	return source + "@" + tk.lay.Time.UTC().Format("2006010215")
}

func (s *sequencer) consume(ctx context.Context, tk *task) error {
	var res *objResult
	s.dups = 0
	for b := range tk.out {
		if err := s.route(ctx, tk, &b); err != nil {
			return err
		}
		if b.done != nil {
			res = b.done
		}
	}
	if res == nil {
		if err := context.Cause(ctx); err != nil {
			return err // the run was stopped before a worker took the object
		}
		return fmt.Errorf("convert: %s: worker ended without a result", tk.info.Key)
	}
	if res.err != nil {
		return res.err
	}
	in := res.input
	in.Written -= s.dups
	in.Duplicates = s.dups
	s.m.Inputs = append(s.m.Inputs, in)
	c := &s.m.Counts
	c.RecordsRead += in.Records
	c.RecordsWritten += in.Written
	c.RecordsQuarantined += in.Quarantined
	c.RecordsDuplicate += in.Duplicates
	c.BytesRead += in.Size
	c.BytesDecompressed += res.bytes
	if in.Skipped {
		c.FilesSkipped++
	} else {
		c.FilesRead++
	}
	if res.hasData {
		s.withData++
		if res.mismatch {
			s.mismatched++
			if s.looks == nil {
				s.looks = map[string]bool{}
			}
			s.looks[res.looks] = true
		}
	}
	if s.cfg.Progress != nil {
		s.cfg.Progress(Progress{FilesDone: c.FilesRead + c.FilesSkipped, BytesRead: c.BytesRead, RecordsIn: c.RecordsRead, CurrentKey: in.Key})
	}
	return nil
}

func (s *sequencer) route(ctx context.Context, tk *task, b *batch) error {
	if len(b.ct) > 0 {
		tag := s.tag(string(rawlog.CloudTrail), tk)
		seen := s.dedup.set(dedupScope{account: tk.lay.Account, region: tk.lay.Region, tag: tag})
		for i := range b.ct {
			r := &b.ct[i]
			if !seen.firstSeen(r.EventID) {
				s.dups++
				continue
			}
			g := s.group(string(rawlog.CloudTrail), r.EventTime, first(r.AWSRegion, tk.lay.Region), first(r.RecipientAccountID, tk.lay.Account, r.UserIdentityAccountID), tag)
			if err := s.ct.Add(ctx, g, r); err != nil {
				return err
			}
		}
	}
	if len(b.vf) > 0 {
		tag := s.tag(string(rawlog.VPCFlow), tk)
		for i := range b.vf {
			r := &b.vf[i]
			g := s.group(string(rawlog.VPCFlow), r.EventTime, first(r.Region, tk.lay.Region), first(r.AccountID, tk.lay.Account), tag)
			if err := s.vf.Add(ctx, g, r); err != nil {
				return err
			}
		}
	}
	if len(b.s3) > 0 {
		tag := s.tag(string(rawlog.S3Access), tk)
		for i := range b.s3 {
			r := &b.s3[i]
			g := s.group(string(rawlog.S3Access), r.EventTime, first(r.SourceRegion, tk.lay.Region), tk.lay.Account, tag)
			if err := s.s3.Add(ctx, g, r); err != nil {
				return err
			}
		}
	}
	for i := range b.bad {
		r := &b.bad[i]
		g := lake.Group{Dir: lake.QuarantinePrefix(r.Source) + "eventDay=" + lake.DayOf(r.EventTime), Tag: s.tag(r.Source, tk)}
		if err := s.q.Add(ctx, g, r); err != nil {
			return err
		}
	}
	return nil
}

// written returns the keys of every part put so far (after waiting for the
// flushes in flight).
func (s *sequencer) written() []string {
	var keys []string
	for _, outs := range [][]lake.Output{s.ct.Written(), s.vf.Written(), s.s3.Written(), s.q.Written()} {
		for _, o := range outs {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

// finish flushes every writer and returns the manifest to commit.
func (s *sequencer) finish(ctx context.Context) (*lake.Manifest, error) {
	closers := []func(context.Context) ([]lake.Output, error){s.ct.Close, s.vf.Close, s.s3.Close, s.q.Close}
	for _, c := range closers {
		outs, err := c(ctx)
		if err != nil {
			return nil, err
		}
		s.m.Outputs = append(s.m.Outputs, outs...)
	}
	sort.Slice(s.m.Outputs, func(i, j int) bool { return s.m.Outputs[i].Key < s.m.Outputs[j].Key })
	var written, quarantined int64
	for _, o := range s.m.Outputs {
		if len(o.Key) > 11 && o.Key[:11] == "quarantine/" {
			quarantined += o.Rows
		} else {
			written += o.Rows
		}
	}
	if written != s.m.Counts.RecordsWritten || quarantined != s.m.Counts.RecordsQuarantined {
		return nil, fmt.Errorf("convert: parts hold %d rows + %d quarantined, inputs gave %d + %d",
			written, quarantined, s.m.Counts.RecordsWritten, s.m.Counts.RecordsQuarantined)
	}
	return &s.m, s.m.Counts.Check()
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
