package entity

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/seclake/seclake/internal/freelist"
)

// Kind is the kind of an entity.
type Kind string

// Entity kinds.
const (
	AccountID          Kind = "aws_account_id"
	IAMUserARN         Kind = "iam_user_arn"
	IAMRoleARN         Kind = "iam_role_arn"
	AssumedRoleARN     Kind = "assumed_role_arn"
	FederatedPrincipal Kind = "federated_principal"
	SSOPrincipal       Kind = "sso_principal"
	Root               Kind = "root"
	AccessKeyID        Kind = "access_key_id"
	IPAddress          Kind = "ip_address"
	KMSKey             Kind = "kms_key"
	VPCID              Kind = "vpc_id"
	SubnetID           Kind = "subnet_id"
	SecurityGroupID    Kind = "security_group_id"
	NetworkInterfaceID Kind = "network_interface_id"
	InstanceID         Kind = "instance_id"
	AMIID              Kind = "ami_id"
	SnapshotID         Kind = "snapshot_id"
	VolumeID           Kind = "volume_id"
	S3Bucket           Kind = "s3_bucket"
	S3ObjectKey        Kind = "s3_object_key"
	LambdaFunctionARN  Kind = "lambda_function_arn"
	Secret             Kind = "secret"
	SSMParameter       Kind = "ssm_parameter"
	DomainName         Kind = "domain_name"
	EmailAddress       Kind = "email_address"
	UserAgent          Kind = "user_agent"
	ARN                Kind = "arn"

	// IAMUserName is not extracted; it names user names for Redactor.Apply.
	IAMUserName Kind = "iam_user_name"
)

// Kinds lists the extracted kinds in a fixed order.
var Kinds = []Kind{AccountID, IAMUserARN, IAMRoleARN, AssumedRoleARN, FederatedPrincipal, SSOPrincipal, Root,
	AccessKeyID, IPAddress, KMSKey, VPCID, SubnetID, SecurityGroupID, NetworkInterfaceID, InstanceID, AMIID,
	SnapshotID, VolumeID, S3Bucket, S3ObjectKey, LambdaFunctionARN, Secret, SSMParameter, DomainName,
	EmailAddress, UserAgent, ARN}

// Roles an entity plays in its event.
const (
	RoleActor     = "actor"     // the principal that made the call (userIdentity)
	RoleIssuer    = "issuer"    // the role/user that issued the actor's session
	RoleTarget    = "target"    // named in the request (requestParameters, resources)
	RoleResponse  = "response"  // returned or created (responseElements)
	RoleContext   = "context"   // additionalEventData, serviceEventDetails
	RoleMentioned = "mentioned" // errorMessage
	RoleRecipient = "recipient" // the account that received the event / owns the resource
	RoleSourceIP  = "source_ip"
	RoleDestIP    = "dest_ip"
	RoleClient    = "client" // user agent
	RoleOwner     = "owner"  // flow log / TGW account
)

// Confidence levels. See the package documentation.
const (
	ConfTyped     float32 = 1.0
	ConfValidated float32 = 0.9
	ConfBare      float32 = 0.6
	// DefaultThreshold drops bare patterns and keeps typed fields and
	// validated patterns.
	DefaultThreshold float32 = 0.7
)

// Entity is one entity found in one event row.
type Entity struct {
	Row        int32
	Kind       Kind
	Value      string
	Role       string
	Field      string // source column, "." and the enclosing JSON key for JSON columns
	Confidence float32
	Attr       string // ip class, access key type, user agent class; "" otherwise
}

// Column is one named column of a batch. Values may hold nulls; a column
// with neither Values nor Dict is skipped.
type Column struct {
	Name   string
	Values Strings
	// Dict, instead of Values, holds a typed column dictionary-encoded (int32
	// indices into a string dictionary): typed columns repeat a few values,
	// and the extractor then reads each distinct value once. Free-text
	// columns are read from Values only.
	Dict *array.Dictionary
}

// Strings is an Arrow string array of either layout: *array.String (offsets
// into one data buffer) or *array.StringView (16-byte views into any number of
// buffers, so strings that already live elsewhere are referenced, not copied).
type Strings interface {
	arrow.Array
	Value(i int) string
}

// StringColumn builds a Column from Go strings; "" becomes null. The caller
// releases c.Values when done.
func StringColumn(mem memory.Allocator, name string, vals []string) Column {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(len(vals))
	for _, v := range vals {
		if v == "" {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return Column{Name: name, Values: b.NewStringArray()}
}

// Options configures an Extractor.
type Options struct {
	// Threshold is the minimum confidence kept; 0 means DefaultThreshold.
	Threshold float32
	// Ignore, when set, drops entities an analyst marked "ignore" (feedback
	// table). It is called once per deduplicated (row, kind, value, role),
	// after the threshold, and must be safe for concurrent use when the
	// Extractor is shared.
	Ignore func(Kind, string) bool
}

// Extractor extracts entities from batches of event columns. It holds no
// per-batch state and may be used by several goroutines at once.
type Extractor struct {
	Threshold float32
	Ignore    func(Kind, string) bool

	// Sizing hints learnt from earlier batches.
	arenaPerRow, entsPerRow atomic.Int64
	mu                      sync.Mutex
	free                    freelist.List[batch]         // scratch batches (Max maxFree, set by New)
	tfree                   freelist.List[batch]         // scratch batches of single tuples
	cache                   map[string]map[string]*Tuple // typed column set → typed values → tuple (see Tuple)
}

// New returns an Extractor.
func New(opts Options) *Extractor {
	t := opts.Threshold
	if t <= 0 {
		t = DefaultThreshold
	}
	x := &Extractor{Threshold: t, Ignore: opts.Ignore}
	x.free.Max, x.tfree.Max = maxFree, maxFree
	return x
}

// raw is an entity under construction; strings live in the arena.
type raw struct {
	row        int32
	kind       Kind
	role       string
	krank      uint8 // rank of kind in sorted order (cheap compares)
	rrank      uint8 // rank of role in sorted order
	valOff     int32
	valLen     int32
	fieldOff   int32
	fieldLen   int32
	confidence float32
	attr       string
}

// batch is the state of one Extract call.
type batch struct {
	x      *Extractor
	rows   int
	arena  []byte
	ents   []raw
	ctx    []rowCtx
	col    string // current column name
	colOff int32  // arena offset of the current column name
	role   string
	rrank  uint8
	// lastKey is the JSON key of the previous entity with a key and the
	// arena offset of its "column.key" field, reused while the key repeats.
	lastKey    string
	lastKeyOff int32
	counts     []int32
	order      []int32
	uaClass    map[string]string // user agent → class, this batch
	key        []byte            // scratch tuple key
	keyCache   [1024]keyCacheEntry
}

// rowCtx is what the free-text scanner needs to know about a row's event.
type rowCtx uint8

const (
	ctxOther rowCtx = iota
	ctxS3
	ctxSSM
	ctxSecrets
	ctxKMS
)

// Extract returns the entities of a batch of rows rows: all entities with
// Confidence ≥ x.Threshold, not ignored, deduplicated per (Row, Kind, Value,
// Role) keeping the highest confidence, sorted by (Row, Kind, Value, Role).
// Columns with unknown names are skipped; a column shorter than rows is read
// to its length. The returned strings do not reference the Arrow buffers.
func (x *Extractor) Extract(cols []Column, rows int) []Entity {
	return x.ExtractBatch(cols, rows, nil).Entities()
}

func hasColumn(cols []Column, name string) bool {
	for _, c := range cols {
		if c.Name == name && (c.Values != nil || c.Dict != nil) {
			return true
		}
	}
	return false
}

// getBatch and putBatch recycle the scratch buffers of Extract (arena,
// candidate entities, per-row context) between calls, in a free list (see
// internal/freelist for why not a sync.Pool).
func (x *Extractor) getBatch() *batch {
	if b := x.free.Get(); b != nil {
		return b
	}
	return new(batch)
}

func (x *Extractor) putBatch(b *batch) {
	b.x = nil
	x.free.Put(b)
}

const maxFree = 4 // a main and a tuple batch per convert worker

func (b *batch) reset(x *Extractor, rows int) {
	b.x, b.rows = x, rows
	// Size scratch space from what earlier batches needed per row (the pool
	// may have been emptied by a GC): no growth copies in the common case.
	if a := int(x.arenaPerRow.Load()) * rows; cap(b.arena) < a {
		b.arena = make([]byte, 0, a+a/4)
	}
	if e := int(x.entsPerRow.Load()) * rows; cap(b.ents) < e {
		b.ents = make([]raw, 0, e+e/4)
	}
	b.arena = b.arena[:0]
	b.ents = b.ents[:0]
	b.ctx = b.ctx[:0]
	b.lastKey, b.lastKeyOff = "", 0
	if b.uaClass == nil {
		b.uaClass = map[string]string{}
	}
	clear(b.uaClass)
	clear(b.keyCache[:])
	if cap(b.counts) < rows+1 {
		b.counts = make([]int32, rows+1)
	}
	b.counts = b.counts[:rows+1]
	clear(b.counts)
}

func (b *batch) begin(name, role string) {
	b.col, b.role = name, role
	b.rrank = rankOf(roleRanks, role)
	b.lastKey = ""
	b.colOff = int32(len(b.arena))
	b.arena = append(b.arena, name...)
}

func (b *batch) rowContext(cols []Column) {
	for _, c := range cols {
		if c.Name != "event_source" || c.Values == nil {
			continue
		}
		if cap(b.ctx) < b.rows {
			b.ctx = make([]rowCtx, b.rows)
		}
		b.ctx = b.ctx[:b.rows]
		clear(b.ctx)
		n := min(b.rows, c.Values.Len())
		for i := 0; i < n; i++ {
			if c.Values.IsNull(i) {
				continue
			}
			switch c.Values.Value(i) {
			case "s3.amazonaws.com":
				b.ctx[i] = ctxS3
			case "ssm.amazonaws.com":
				b.ctx[i] = ctxSSM
			case "secretsmanager.amazonaws.com":
				b.ctx[i] = ctxSecrets
			case "kms.amazonaws.com":
				b.ctx[i] = ctxKMS
			}
		}
	}
}

// add records an entity whose value is v (copied to the arena).
func (b *batch) add(row int, k Kind, v string, conf float32, attr, key string) {
	if conf < b.x.Threshold || v == "" {
		return
	}
	off := len(b.arena)
	b.arena = append(b.arena, v...)
	b.push(row, k, off, conf, attr, key)
}

// addIP adds an address in canonical form, classified.
func (b *batch) addIP(row int, ip netip.Addr, conf float32, key string) {
	if conf < b.x.Threshold {
		return
	}
	off := len(b.arena)
	b.arena = ip.AppendTo(b.arena)
	b.push(row, IPAddress, off, conf, classifyAddr(ip), key)
}

// addLower is add with v lower-cased (ASCII).
func (b *batch) addLower(row int, k Kind, v string, conf float32, attr, key string) {
	if conf < b.x.Threshold || v == "" {
		return
	}
	off := len(b.arena)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.arena = append(b.arena, c)
	}
	b.push(row, k, off, conf, attr, key)
}

func (b *batch) push(row int, k Kind, off int, conf float32, attr, key string) {
	e := raw{row: int32(row), kind: k, role: b.role, krank: kindRank[k], rrank: b.rrank, valOff: int32(off), valLen: int32(len(b.arena) - off),
		fieldOff: b.colOff, fieldLen: int32(len(b.col)), confidence: conf, attr: attr}
	if key != "" {
		// field = column + "." + key, stored contiguously once per run of
		// entities under the same key.
		if key != b.lastKey {
			b.lastKeyOff = int32(len(b.arena))
			b.arena = append(b.arena, b.col...)
			b.arena = append(b.arena, '.')
			b.arena = append(b.arena, key...)
			b.lastKey = key
		}
		e.fieldOff = b.lastKeyOff
		e.fieldLen = int32(len(b.col) + 1 + len(key))
	}
	b.ents = append(b.ents, e)
}

func (b *batch) finish() []Entity {
	if len(b.ents) == 0 {
		return nil
	}
	arena := b.arena
	val := func(e *raw) []byte { return arena[e.valOff : e.valOff+e.valLen] }
	// Bucket candidate indexes by row (counting sort), sort each row's few
	// candidates, then materialise only the deduplicated winners.
	counts := b.counts
	for i := range b.ents {
		counts[b.ents[i].row+1]++
	}
	for i := 1; i <= b.rows; i++ {
		counts[i] += counts[i-1]
	}
	if cap(b.order) < len(b.ents) {
		b.order = make([]int32, len(b.ents))
	}
	order := b.order[:len(b.ents)]
	pos := counts[:b.rows] // advanced in place, restored below
	for i := range b.ents {
		r := b.ents[i].row
		order[pos[r]] = int32(i)
		pos[r]++
	}
	// pos[r] now equals the start of row r+1: shift back.
	copy(counts[1:], counts[:b.rows])
	counts[0] = 0
	cmp := func(i, j int32) int {
		x, y := &b.ents[i], &b.ents[j]
		if x.krank != y.krank {
			return int(x.krank) - int(y.krank)
		}
		if c := bytes.Compare(val(x), val(y)); c != 0 {
			return c
		}
		if x.rrank != y.rrank {
			return int(x.rrank) - int(y.rrank)
		}
		if x.confidence != y.confidence {
			if x.confidence > y.confidence {
				return -1
			}
			return 1
		}
		return bytes.Compare(arena[x.fieldOff:x.fieldOff+x.fieldLen], arena[y.fieldOff:y.fieldOff+y.fieldLen])
	}
	keep := order[:0]
	for r := 0; r < b.rows; r++ {
		seg := order[counts[r]:counts[r+1]]
		if len(seg) == 0 {
			continue
		}
		slices.SortFunc(seg, cmp)
		for i := 0; i < len(seg); i++ {
			if i > 0 {
				x, y := &b.ents[seg[i-1]], &b.ents[seg[i]]
				if x.krank == y.krank && x.rrank == y.rrank && bytes.Equal(val(x), val(y)) {
					continue // lower confidence duplicate: sorted after the winner
				}
			}
			keep = append(keep, seg[i]) // never overtakes the read position
		}
	}
	str := string(arena)
	out := make([]Entity, 0, len(keep))
	for _, i := range keep {
		e := &b.ents[i]
		v := str[e.valOff : e.valOff+e.valLen]
		if b.x.Ignore != nil && b.x.Ignore(e.kind, v) {
			continue
		}
		out = append(out, Entity{Row: e.row, Kind: e.kind, Role: e.role, Confidence: e.confidence, Attr: e.attr,
			Value: v, Field: str[e.fieldOff : e.fieldOff+e.fieldLen]})
	}
	return out
}

// kindRanks and roleRanks are the kinds and roles in sorted order; an
// entity's rank is its index (kinds and roles are package constants).
var (
	kindRanks = func() []string {
		var s []string
		for _, k := range Kinds {
			s = append(s, string(k))
		}
		slices.Sort(s)
		return s
	}()
	roleRanks = func() []string {
		s := []string{RoleActor, RoleIssuer, RoleTarget, RoleResponse, RoleContext, RoleMentioned, RoleRecipient,
			RoleSourceIP, RoleDestIP, RoleClient, RoleOwner}
		slices.Sort(s)
		return s
	}()
)

// kindRank maps a kind to its rank in kindRanks.
var kindRank = func() map[Kind]uint8 {
	m := map[Kind]uint8{}
	for i, k := range kindRanks {
		m[Kind(k)] = uint8(i)
	}
	return m
}()

func rankOf(sorted []string, v string) uint8 {
	i, _ := slices.BinarySearch(sorted, v)
	return uint8(i)
}

// cmpEntity orders entities by (Kind, Value, Role), then highest confidence
// and smallest field first: the first of equal (Kind, Value, Role) wins.
func cmpEntity(a, b Entity) int {
	if c := cmpKVR(&a, &b); c != 0 {
		return c
	}
	// Highest confidence first, then field, so dedup keeps a stable winner.
	if a.Confidence != b.Confidence {
		if a.Confidence > b.Confidence {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Field, b.Field)
}
