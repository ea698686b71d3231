package generate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

const vpcHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path\n"

// Internet clients and scanners of benign traffic; disjoint from attackerOctets.
var clientOctets = []int{13, 31, 37, 62, 64, 66, 77, 78, 82, 84, 88, 90, 99, 104, 108, 109, 151, 161, 176, 188, 195, 203, 212, 213, 217}

type flow struct {
	start, end   int64 // unix seconds
	e            *eni
	src, dst     string
	sport, dport int
	proto        int
	packets      int64
	bytes        int64
	reject       bool
	nodata       bool
	flags        int
	egress       bool
	path         int // 0 = "-"
	srcSvc       string
	dstSvc       string
	scen         int // -1 benign
}

type plannedFlow struct {
	ms      int64
	region  string
	eni     int
	dst     string
	dport   int
	bytes   int64
	packets int64
	scen    int
}

func benignIP(r *rand.Rand) string { return ipFrom(clientOctets, r.Uint64()) }

func (w *worker) vpcFlow(ctx context.Context, a *Account, hourMs int64) error {
	g := w.g
	hour := hourMs / 3_600_000
	r := newRand(g.cfg.Seed, streamVPC, uint64(a.idx), uint64(hour))
	t := time.UnixMilli(hourMs).UTC()
	lam := g.vpcPerAR * (0.4 + 1.2*diurnal(t.Hour())) / 12
	planned := g.flows[unitKey{a.idx, hour}]
	for _, region := range a.Regions {
		v := a.vpcs[region]
		for s := int64(0); s < 12; s++ {
			slotMs := hourMs + s*300_000
			sec := slotMs / 1000
			w.fl = w.fl[:0]
			n := poisson(r, lam)
			for i := 0; i < n; i++ {
				w.fl = benignFlow(w.fl, r, v, sec)
			}
			for i := range v.enis {
				if r.IntN(40) == 0 {
					st := sec + r.Int64N(240)
					w.fl = append(w.fl, flow{start: st, end: st + 60, e: &v.enis[i], nodata: true, scen: -1})
				}
			}
			for _, pf := range planned {
				if pf.region == region && pf.ms >= slotMs && pf.ms < slotMs+300_000 {
					e := &v.enis[pf.eni%len(v.enis)]
					st := pf.ms / 1000
					w.fl = append(w.fl, flow{start: st, end: st + 58, e: e, src: e.ip, dst: pf.dst, sport: 32768 + int(st%28000), dport: pf.dport,
						proto: 6, packets: pf.packets, bytes: pf.bytes, flags: 3, egress: true, path: 8, scen: pf.scen})
				}
			}
			if len(w.fl) == 0 {
				continue
			}
			slices.SortStableFunc(w.fl, func(x, y flow) int { return int(x.start - y.start) })
			if err := w.vpcFile(ctx, a, region, v, slotMs); err != nil {
				return err
			}
		}
	}
	return nil
}

func benignFlow(fl []flow, r *rand.Rand, v *vpc, sec int64) []flow {
	st := sec + r.Int64N(240)
	e := &v.enis[r.IntN(len(v.enis))]
	f := flow{start: st, end: st + 20 + r.Int64N(40), e: e, proto: 6, flags: 19, scen: -1}
	switch u := r.IntN(100); {
	case u < 40: // client → web:443, and often the response record
		f.src, f.dst, f.sport, f.dport = benignIP(r), e.ip, 1024+r.IntN(64000), 443
		f.packets = 3 + r.Int64N(40)
		f.bytes = f.packets * (60 + r.Int64N(900))
		fl = append(fl, f)
		if r.IntN(2) == 0 {
			back := f
			back.src, back.dst, back.sport, back.dport = f.dst, f.src, 443, f.sport
			back.bytes = f.packets * (200 + r.Int64N(1200))
			back.egress, back.path = true, 8
			fl = append(fl, back)
		}
		return fl
	case u < 60: // app → db
		db := &v.enis[r.IntN(len(v.enis))]
		f.src, f.dst, f.sport, f.dport = e.ip, db.ip, 32768+r.IntN(28000), 5432
		f.packets = 5 + r.Int64N(200)
		f.bytes = f.packets * (80 + r.Int64N(600))
		f.egress, f.path = true, 1
	case u < 78: // → S3 / DynamoDB
		f.src, f.dport, f.sport = e.ip, 443, 32768+r.IntN(28000)
		if r.IntN(3) == 0 {
			f.dst, f.dstSvc = fmt.Sprintf("52.94.%d.%d", r.IntN(256), 1+r.IntN(254)), "DYNAMODB"
		} else {
			f.dst, f.dstSvc = fmt.Sprintf("52.216.%d.%d", r.IntN(256), 1+r.IntN(254)), "S3"
		}
		f.packets = 10 + r.Int64N(2000)
		f.bytes = f.packets * (400 + r.Int64N(1000))
		f.egress, f.path = true, 7
	case u < 90: // scanners rejected
		f.src, f.dst, f.sport = benignIP(r), e.ip, 1024+r.IntN(64000)
		f.dport = []int{22, 23, 3389, 445, 6379, 9200}[r.IntN(6)]
		f.packets, f.bytes, f.flags, f.reject = 1, 40+r.Int64N(20), 2, true
	default: // DNS
		f.src, f.dst, f.sport, f.dport, f.proto, f.flags = e.ip, "10.0.0.2", 32768+r.IntN(28000), 53, 17, 0
		f.packets = 1 + r.Int64N(4)
		f.bytes = f.packets * (70 + r.Int64N(60))
		f.egress, f.path = true, 1
	}
	return append(fl, f)
}

func (w *worker) vpcFile(ctx context.Context, a *Account, region string, v *vpc, slotMs int64) error {
	t := time.UnixMilli(slotMs).UTC()
	key := "AWSLogs/" + a.ID + "/vpcflowlogs/" + region + "/" + t.Format("2006/01/02") + "/" + a.ID + "_vpcflowlogs_" + region + "_" +
		v.flowLogID + "_" + t.Format("20060102T1504Z") + "_" + hexString(h(uint64(w.g.cfg.Seed), streamVPC, uint64(a.idx), hs(region), uint64(slotMs)), 8) + ".log.gz"
	w.begin()
	w.line = append(w.line, vpcHeader...)
	var scen map[int][]string
	for i := range w.fl {
		f := &w.fl[i]
		if f.scen >= 0 {
			if scen == nil {
				scen = map[int][]string{}
			}
			scen[f.scen] = append(scen[f.scen], key+"#"+strconv.Itoa(i+2))
		}
		w.line = appendFlow(w.line, f, a.ID, v.id, region)
		if err := w.flush(false); err != nil {
			return err
		}
	}
	return w.put(ctx, key, SourceVPCFlow, int64(len(w.fl)), true, scen)
}

func appendFlow(b []byte, f *flow, acct, vpcID, region string) []byte {
	e := f.e
	b = append(b, "5 "...)
	b = append(b, acct...)
	b = append(b, ' ')
	b = append(b, e.id...)
	if f.nodata {
		b = append(b, " - - - - - - - "...)
		b = strconv.AppendInt(b, f.start, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, f.end, 10)
		b = append(b, " - NODATA "...)
		b = append(b, vpcID...)
		b = append(b, ' ')
		b = append(b, e.subnet...)
		b = append(b, ' ')
		b = append(b, e.instance...)
		b = append(b, " - - - - "...)
		b = append(b, region...)
		b = append(b, ' ')
		b = append(b, e.az...)
		return append(b, " - - - - - -\n"...)
	}
	b = append(b, ' ')
	b = append(b, f.src...)
	b = append(b, ' ')
	b = append(b, f.dst...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.sport), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.dport), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.proto), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.packets, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.bytes, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.start, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.end, 10)
	if f.reject {
		b = append(b, " REJECT OK "...)
	} else {
		b = append(b, " ACCEPT OK "...)
	}
	b = append(b, vpcID...)
	b = append(b, ' ')
	b = append(b, e.subnet...)
	b = append(b, ' ')
	b = append(b, e.instance...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.flags), 10)
	b = append(b, " IPv4 "...)
	b = append(b, f.src...)
	b = append(b, ' ')
	b = append(b, f.dst...)
	b = append(b, ' ')
	b = append(b, region...)
	b = append(b, ' ')
	b = append(b, e.az...)
	b = append(b, " - - "...)
	b = appendDash(b, f.srcSvc)
	b = append(b, ' ')
	b = appendDash(b, f.dstSvc)
	if f.egress {
		b = append(b, " egress "...)
	} else {
		b = append(b, " ingress "...)
	}
	if f.path == 0 || !f.egress {
		b = append(b, '-')
	} else {
		b = strconv.AppendInt(b, int64(f.path), 10)
	}
	return append(b, '\n')
}

func appendDash(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}
