package generate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

type s3line struct {
	ms        int64
	bucket    string
	ip        string
	requester string
	op        string
	key       string
	method    string
	status    int
	errCode   string
	bytes     int64
	size      int64
	total     int64
	ua        string
	r         uint64
	scen      int
}

type plannedS3 struct {
	ms                         int64
	bucket, ip, requester, key string
	ua                         string
	size                       int64
	scen                       int
}

var s3Ops = []struct{ op, method string }{
	{"REST.GET.OBJECT", "GET"}, {"REST.GET.OBJECT", "GET"}, {"REST.GET.OBJECT", "GET"}, {"REST.GET.OBJECT", "GET"},
	{"REST.PUT.OBJECT", "PUT"}, {"REST.PUT.OBJECT", "PUT"}, {"REST.HEAD.OBJECT", "HEAD"}, {"REST.HEAD.OBJECT", "HEAD"},
	{"REST.GET.BUCKET", "GET"}, {"REST.GET.LOCATION", "GET"},
}

func (w *worker) s3Access(ctx context.Context, a *Account, hourMs int64) error {
	g := w.g
	hour := hourMs / 3_600_000
	r := newRand(g.cfg.Seed, streamS3, uint64(a.idx), uint64(hour))
	t := time.UnixMilli(hourMs).UTC()
	lam := g.s3PerB * (0.3 + 1.4*diurnal(t.Hour())) / 12
	var reqs []*principal
	for _, p := range g.org.byAcct[a.idx] {
		if p.kind == kService || p.kind == kLambda || p.kind == kEC2 || p.kind == kCI {
			reqs = append(reqs, p)
		}
	}
	planned := g.s3[unitKey{a.idx, hour}]
	for bi, bucket := range a.buckets {
		for s := int64(0); s < 12; s++ {
			slotMs := hourMs + s*300_000
			w.s3 = w.s3[:0]
			n := poisson(r, lam)
			for i := 0; i < n; i++ {
				w.s3 = append(w.s3, benignS3(r, a, bucket, reqs, slotMs))
			}
			for _, ps := range planned {
				if ps.bucket == bucket && ps.ms >= slotMs && ps.ms < slotMs+300_000 {
					w.s3 = append(w.s3, s3line{ms: ps.ms, bucket: bucket, ip: ps.ip, requester: ps.requester, op: "REST.GET.OBJECT",
						key: ps.key, method: "GET", status: 200, bytes: ps.size, size: ps.size, total: 40 + ps.size/200000, ua: ps.ua,
						r: h(uint64(ps.ms), hs(ps.key)), scen: ps.scen})
				}
			}
			if len(w.s3) == 0 {
				continue
			}
			slices.SortStableFunc(w.s3, func(x, y s3line) int { return int(x.ms - y.ms) })
			if err := w.s3File(ctx, a, bi, bucket, slotMs); err != nil {
				return err
			}
		}
	}
	return nil
}

func benignS3(r *rand.Rand, a *Account, bucket string, reqs []*principal, slotMs int64) s3line {
	p := reqs[r.IntN(len(reqs))]
	op := s3Ops[r.IntN(len(s3Ops))]
	l := s3line{ms: slotMs + r.Int64N(300_000), bucket: bucket, ip: p.ips[len(p.ips)-1], requester: p.arn, op: op.op, method: op.method,
		status: 200, ua: p.uas[r.IntN(len(p.uas))], r: r.Uint64(), scen: -1}
	if l.ip == "AWS Internal" {
		l.ip = a.natIP[a.Regions[0]]
	}
	t := time.UnixMilli(l.ms).UTC()
	l.key = fmt.Sprintf("%s/%04d/%02d/%02d/part-%05d.parquet", appNames[r.IntN(len(appNames))], t.Year(), t.Month(), t.Day(), r.IntN(2000))
	l.size = 2000 + r.Int64N(8_000_000)
	l.total = 5 + r.Int64N(120)
	switch op.op {
	case "REST.GET.OBJECT":
		l.bytes = l.size
		if r.IntN(50) == 0 {
			l.status, l.errCode, l.bytes, l.size = 404, "NoSuchKey", 243, 0
		}
	case "REST.PUT.OBJECT":
		l.bytes = 0
	case "REST.HEAD.OBJECT":
		l.bytes = 0
	default:
		l.key, l.size, l.bytes = "", 0, 300+r.Int64N(4000)
	}
	if r.IntN(200) == 0 {
		l.status, l.errCode, l.bytes, l.size = 403, "AccessDenied", 243, 0
	}
	return l
}

func (w *worker) s3File(ctx context.Context, a *Account, bi int, bucket string, slotMs int64) error {
	g := w.g
	region := a.Regions[0]
	fr := h(uint64(g.cfg.Seed), streamS3, uint64(a.idx), uint64(bi), uint64(slotMs))
	name := time.UnixMilli(slotMs + int64(fr%300)*1000).UTC()
	key := "s3-access-logs/" + a.ID + "/" + region + "/" + bucket + "/" + name.Format("2006/01/02") + "/" +
		name.Format("2006-01-02-15-04-05") + "-" + upperHexString(mix(fr), 16)
	owner := hexString(h(uint64(g.cfg.Seed), hs(a.ID), 1), 64)
	w.buf.Reset()
	w.line = w.line[:0]
	var scen map[int][]string
	for i := range w.s3 {
		l := &w.s3[i]
		if l.scen >= 0 {
			if scen == nil {
				scen = map[int][]string{}
			}
			scen[l.scen] = append(scen[l.scen], key+"#"+strconv.Itoa(i+1))
		}
		w.line = appendS3Line(w.line, l, owner, region)
	}
	w.buf.Write(w.line)
	w.line = w.line[:0]
	return w.put(ctx, key, SourceS3Access, int64(len(w.s3)), false, scen)
}

func appendS3Line(b []byte, l *s3line, owner, region string) []byte {
	b = append(b, owner...)
	b = append(b, ' ')
	b = append(b, l.bucket...)
	b = append(b, " ["...)
	b = appendTime(b, l.ms, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] "...)
	b = append(b, l.ip...)
	b = append(b, ' ')
	b = appendDash(b, l.requester)
	b = append(b, ' ')
	b = append(b, upperHexString(l.r, 16)...)
	b = append(b, ' ')
	b = append(b, l.op...)
	b = append(b, ' ')
	b = appendDash(b, l.key)
	b = append(b, ` "`...)
	b = append(b, l.method...)
	b = append(b, " /"...)
	b = append(b, l.bucket...)
	b = append(b, '/')
	if l.key != "" {
		b = append(b, l.key...)
	} else if l.op == "REST.GET.LOCATION" {
		b = append(b, "?location"...)
	} else {
		b = append(b, "?list-type=2&prefix=&max-keys=1000"...)
	}
	b = append(b, ` HTTP/1.1" `...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, ' ')
	b = appendDash(b, l.errCode)
	b = append(b, ' ')
	b = appendNum(b, l.bytes)
	b = append(b, ' ')
	b = appendNum(b, l.size)
	b = append(b, ' ')
	b = strconv.AppendInt(b, l.total, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, max(l.total-3, 1), 10)
	b = append(b, ` "-" `...)
	b = appendQuoted(b, l.ua)
	b = append(b, " - "...)
	b = append(b, fileID(l.r^0xbeef, 56)...)
	b = append(b, "= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader "...)
	b = append(b, l.bucket...)
	b = append(b, ".s3."...)
	b = append(b, region...)
	b = append(b, ".amazonaws.com TLSv1.3 - -\n"...)
	return b
}

func appendNum(b []byte, n int64) []byte {
	if n <= 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '\\', '"')
		} else {
			b = append(b, s[i])
		}
	}
	return append(b, '"')
}
