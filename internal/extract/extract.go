// Package extract applies entity extraction (internal/entity) to batches of
// event rows: it builds one Arrow string array per relevant column of the
// batch, runs the column-oriented extractor once, and writes the results
// back into each row's p_any_* list columns and nested entities column. The
// convert job calls it per batch and the extract job (backfill of existing
// partitions) per Parquet part, so both give identical rows.
//
// With a Redactor, personal data is then replaced in the rows (e-mail
// addresses anywhere in the text columns, IAM user names and the user part
// of IAM user ARNs) and in the extracted entities, consistently, so the
// redacted values stay joinable.
package extract

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/schemas"
)

// ChunkRows is how many rows callers hand to one extraction call: it bounds
// the Arrow columns built at once. Results are per row, whatever the chunking.
const ChunkRows = 4096

// Extraction holds the extractor and the optional PII redactor.
type Extraction struct {
	Extractor *entity.Extractor
	Redactor  *entity.Redactor // nil keeps personal data as logged

	mu   sync.Mutex
	memo map[*entity.Tuple]any // tuple → *tupleOut[T] (see memo)

	combos [3]comboCache // per table (table.id)
}

// comboCache maps the values of a row's tuple columns
// (entity.TupleColumn), keyed as combinations keys them, to the tuple and
// the outputs (*tupleOut[T]) an earlier batch found for them. A row whose
// values are cached skips the extractor's tuple lookup (a second key over
// the same few hundred bytes) and the outputs' lookup. Batches read it
// under a read lock held for the whole batch, and add their new
// combinations at the end under the write lock; one cache for all workers,
// so each combination is computed once, not once per worker (measured:
// 30k computations per GB with a cache per worker).
type comboCache struct {
	mu   sync.RWMutex
	m    map[string]combo
	hits atomic.Int64 // rows found in m, for tests
}

type combo struct {
	t   *entity.Tuple
	out any // *tupleOut[T]
}

// maxCombos bounds a comboCache (emptied when full), small for the reason
// maxMemo is.
const maxCombos = 1 << 11

type column[T any] struct {
	name string
	get  func(*T) string
}

// ctColumns are the CloudTrail columns the extractor reads. The raw
// user_identity JSON is not among them: the parser flattens it into the typed
// user_identity_* / session_* columns, which the extractor prefers (it skips
// user_identity whenever user_identity_arn is present), so copying it into
// Arrow would be wasted work.
var ctColumns = []column[schemas.CloudTrail]{
	{"event_source", func(r *schemas.CloudTrail) string { return r.EventSource }},
	{"vpc_endpoint_id", func(r *schemas.CloudTrail) string { return r.VPCEndpointID }},
	{"source_ip_address", func(r *schemas.CloudTrail) string { return r.SourceIPAddress }},
	{"user_agent", func(r *schemas.CloudTrail) string { return r.UserAgent }},
	{"recipient_account_id", func(r *schemas.CloudTrail) string { return r.RecipientAccountID }},
	{"vpc_endpoint_account_id", func(r *schemas.CloudTrail) string { return r.VPCEndpointAccountID }},
	{"user_identity_arn", func(r *schemas.CloudTrail) string { return r.UserIdentityARN }},
	{"user_identity_account_id", func(r *schemas.CloudTrail) string { return r.UserIdentityAccountID }},
	{"user_identity_access_key_id", func(r *schemas.CloudTrail) string { return r.UserIdentityAccessKeyID }},
	{"user_identity_principal_id", func(r *schemas.CloudTrail) string { return r.UserIdentityPrincipalID }},
	{"session_issuer_arn", func(r *schemas.CloudTrail) string { return r.SessionIssuerARN }},
	{"session_issuer_account_id", func(r *schemas.CloudTrail) string { return r.SessionIssuerAccountID }},
	{"session_source_identity", func(r *schemas.CloudTrail) string { return r.SessionSourceIdentity }},
	{"tls_client_provided_host_header", func(r *schemas.CloudTrail) string { return r.TLSClientProvidedHostHeader }},
	{"request_parameters", func(r *schemas.CloudTrail) string { return r.RequestParameters }},
	{"response_elements", func(r *schemas.CloudTrail) string { return r.ResponseElements }},
	{"additional_event_data", func(r *schemas.CloudTrail) string { return r.AdditionalEventData }},
	{"service_event_details", func(r *schemas.CloudTrail) string { return r.ServiceEventDetails }},
	{"resources", func(r *schemas.CloudTrail) string { return r.Resources }},
	{"error_message", func(r *schemas.CloudTrail) string { return r.ErrorMessage }},
}

var vfColumns = []column[schemas.VPCFlow]{
	{"account_id", func(r *schemas.VPCFlow) string { return r.AccountID }},
	{"interface_id", func(r *schemas.VPCFlow) string { return r.InterfaceID }},
	{"srcaddr", func(r *schemas.VPCFlow) string { return r.SrcAddr }},
	{"dstaddr", func(r *schemas.VPCFlow) string { return r.DstAddr }},
	{"pkt_srcaddr", func(r *schemas.VPCFlow) string { return r.PktSrcAddr }},
	{"pkt_dstaddr", func(r *schemas.VPCFlow) string { return r.PktDstAddr }},
	{"vpc_id", func(r *schemas.VPCFlow) string { return r.VPCID }},
	{"subnet_id", func(r *schemas.VPCFlow) string { return r.SubnetID }},
	{"instance_id", func(r *schemas.VPCFlow) string { return r.InstanceID }},
	{"tgw_src_vpc_account_id", func(r *schemas.VPCFlow) string { return r.TGWSrcVPCAccountID }},
	{"tgw_dst_vpc_account_id", func(r *schemas.VPCFlow) string { return r.TGWDstVPCAccountID }},
	{"tgw_src_vpc_id", func(r *schemas.VPCFlow) string { return r.TGWSrcVPCID }},
	{"tgw_dst_vpc_id", func(r *schemas.VPCFlow) string { return r.TGWDstVPCID }},
	{"tgw_src_subnet_id", func(r *schemas.VPCFlow) string { return r.TGWSrcSubnetID }},
	{"tgw_dst_subnet_id", func(r *schemas.VPCFlow) string { return r.TGWDstSubnetID }},
	{"tgw_src_eni", func(r *schemas.VPCFlow) string { return r.TGWSrcENI }},
	{"tgw_dst_eni", func(r *schemas.VPCFlow) string { return r.TGWDstENI }},
	{"ecs_cluster_arn", func(r *schemas.VPCFlow) string { return r.ECSClusterARN }},
	{"ecs_container_instance_arn", func(r *schemas.VPCFlow) string { return r.ECSContainerInstanceARN }},
	{"ecs_task_definition_arn", func(r *schemas.VPCFlow) string { return r.ECSTaskDefinitionARN }},
	{"ecs_task_arn", func(r *schemas.VPCFlow) string { return r.ECSTaskARN }},
}

var s3Columns = []column[schemas.S3Access]{
	{"bucket", func(r *schemas.S3Access) string { return r.Bucket }},
	{"remote_ip", func(r *schemas.S3Access) string { return r.RemoteIP }},
	{"requester", func(r *schemas.S3Access) string { return r.Requester }},
	{"key", func(r *schemas.S3Access) string { return r.Key }},
	{"user_agent", func(r *schemas.S3Access) string { return r.UserAgent }},
	{"host_header", func(r *schemas.S3Access) string { return r.HostHeader }},
	{"access_point_arn", func(r *schemas.S3Access) string { return r.AccessPointARN }},
}

// CloudTrail fills the extraction columns of rows (and redacts, if set).
func (x *Extraction) CloudTrail(rows []schemas.CloudTrail) { apply(x, rows, ctTable) }

// VPCFlow fills the extraction columns of rows. Flow logs hold no personal
// data beyond addresses, so nothing is redacted.
func (x *Extraction) VPCFlow(rows []schemas.VPCFlow) { apply(x, rows, vfTable) }

// S3Access fills the extraction columns of rows (and redacts, if set).
func (x *Extraction) S3Access(rows []schemas.S3Access) { apply(x, rows, s3Table) }

// CloudTrailEntities returns every entity extraction finds in rows (redacted
// when x redacts), as the entities view lists them after CloudTrail(rows),
// sorted by row. Tests use it to check the view against the extractor.
func (x *Extraction) CloudTrailEntities(rows []schemas.CloudTrail) []entity.Entity {
	return redacted(x, entities(x, rows, ctTable.cols))
}

// VPCFlowEntities is CloudTrailEntities for flow log rows.
func (x *Extraction) VPCFlowEntities(rows []schemas.VPCFlow) []entity.Entity {
	return entities(x, rows, vfTable.cols)
}

// S3AccessEntities is CloudTrailEntities for access log rows.
func (x *Extraction) S3AccessEntities(rows []schemas.S3Access) []entity.Entity {
	return redacted(x, entities(x, rows, s3Table.cols))
}

func redacted(x *Extraction, ents []entity.Entity) []entity.Entity {
	if x.Redactor != nil {
		redactEntities(x.Redactor, ents)
	}
	return ents
}

// entities runs the extractor over Arrow string arrays of cols of rows.
func entities[T any](x *Extraction, rows []T, cols []column[T]) []entity.Entity {
	cs := comboScratchPool.Get().(*comboScratch)
	defer cs.release()
	return batch(x, rows, cols, cs, nil).Entities()
}

// batch runs the extractor over Arrow arrays of cols of rows: free-text
// columns as string arrays, typed columns dictionary-encoded with one shared
// index per distinct combination of the row's typed values, so the
// extractor reads each combination once (CloudTrail rows of one caller
// repeat the same address, agent, accounts and key). Rows whose combination
// cache holds (nil: none) get their tuples from it, noted in cs.knownT; cs
// also keeps the batch's new combinations (see combinations).
func batch[T any](x *Extraction, rows []T, cols []column[T], cs *comboScratch, cache *comboCache) *entity.Batch {
	arrs := make([]entity.Column, 0, len(cols))
	var scratch []*viewScratch
	view := func(n int, value func(int) string) entity.Strings {
		sc := viewScratchPool.Get().(*viewScratch)
		scratch = append(scratch, sc)
		return viewColumn(sc, n, value)
	}
	defer func() {
		for _, c := range arrs {
			if c.Values != nil {
				c.Values.Release()
			}
			if c.Dict != nil {
				c.Dict.Release()
			}
		}
		for _, sc := range scratch {
			sc.release()
		}
	}()
	var typed, keyed []column[T]
	for _, spec := range cols {
		if entity.TupleColumn(spec.name) {
			keyed = append(keyed, spec)
		}
		if entity.TypedColumn(spec.name) {
			typed = append(typed, spec)
			continue
		}
		if a := view(len(rows), func(i int) string { return spec.get(&rows[i]) }); a != nil {
			arrs = append(arrs, entity.Column{Name: spec.name, Values: a})
		}
	}
	arrs = append(arrs, combinations(cs, cache, rows, keyed, typed, view)...)
	return x.Extractor.ExtractBatch(arrs, len(rows), cs.knownT)
}

// viewColumn references n strings, value(0) … value(n-1), as an Arrow string
// view array without copying them: a value of more than the 12 bytes a view
// holds inline gets a data buffer of its own over the Go string (JSON
// sections are hundreds of bytes, and copying them was a tenth of
// extraction's cost). The array must not outlive those strings; batch
// releases it before returning, and the extractor's results never reference
// its buffers. "" is null. It returns nil when every value is "". The views,
// validity bitmap and buffer headers come from sc, which the caller releases
// after the array.
func viewColumn(sc *viewScratch, n int, value func(int) string) entity.Strings {
	sc.views = slices.Grow(sc.views[:0], n*arrow.ViewHeaderSizeBytes)[:n*arrow.ViewHeaderSizeBytes]
	sc.valid = slices.Grow(sc.valid[:0], (n+7)/8)[:(n+7)/8]
	clear(sc.valid)
	if cap(sc.bufs) < n {
		sc.bufs = make([]memory.Buffer, n)
	}
	views := arrow.ViewHeaderTraits.CastFromBytes(sc.views)
	buffers := append(sc.ptrs[:0], memory.NewBufferBytes(sc.valid), memory.NewBufferBytes(sc.views))
	nulls := 0
	for i := range n {
		v := value(i)
		views[i] = arrow.ViewHeader{}
		if v == "" {
			nulls++
			continue
		}
		sc.valid[i/8] |= 1 << (i % 8)
		views[i].SetString(v)
		if !arrow.IsViewInline(len(v)) {
			b := &sc.bufs[len(buffers)-2]
			b.Reset(unsafe.Slice(unsafe.StringData(v), len(v)))
			views[i].SetIndexOffset(int32(len(buffers)-2), 0)
			buffers = append(buffers, b)
		}
	}
	sc.ptrs = buffers
	if nulls == n {
		return nil
	}
	data := array.NewData(arrow.BinaryTypes.StringView, n, buffers, nil, nulls, 0)
	defer data.Release()
	return array.NewStringViewData(data)
}

// viewScratch is the reusable memory behind one viewColumn array.
type viewScratch struct {
	views, valid []byte
	bufs         []memory.Buffer
	ptrs         []*memory.Buffer
}

// viewScratchPool and comboScratchPool recycle batch's scratch. Pools, not
// free lists as the entity package keeps its batches (internal/freelist):
// with free lists holding this scratch, convert of 5 GB peaked 17 MiB higher
// (487 vs 469–471 MiB, alternating runs) at the same CPU time.
var viewScratchPool = sync.Pool{New: func() any { return new(viewScratch) }}

// release drops the references to the rows' strings (a pooled scratch must
// not keep a batch alive) and returns sc to the pool.
func (sc *viewScratch) release() {
	for i := range max(len(sc.ptrs)-2, 0) { // the ones viewColumn used
		sc.bufs[i].Reset(nil)
	}
	clear(sc.ptrs)
	viewScratchPool.Put(sc)
}

var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.StringView}

// comboScratch is combinations' reusable memory.
type comboScratch struct {
	seen   map[string]int32 // key of each new combination → its index
	key    []byte
	first  []int           // the first row of each new combination
	idx    []int32         // each row's new combination (0 for known rows)
	knownT []*entity.Tuple // each row's cached tuple (nil: none, or the cache is not used)
	knownO []any           // and its outputs (*tupleOut[T])
}

var comboScratchPool = sync.Pool{New: func() any { return &comboScratch{seen: map[string]int32{}} }}

// release drops the batch's references (a pooled scratch must not keep
// tuples and rows alive) and returns cs to the pool.
func (cs *comboScratch) release() {
	clear(cs.knownT)
	clear(cs.knownO)
	cs.knownT, cs.knownO = cs.knownT[:0], cs.knownO[:0]
	clear(cs.seen)
	comboScratchPool.Put(cs)
}

// combinations dictionary-encodes the typed columns of rows with one index
// array: index k is the k-th distinct new combination of the row's keyed
// values (its typed values and the other columns its tuple depends on), and
// each typed column's dictionary holds that column's value of combination
// k ("" is null), as views of the strings of the combination's first row.
// Rows whose combination cache holds are known (cs.knownT, cs.knownO) and
// not numbered. Columns that are null in every new combination are left
// out. The index array lives in cs, which must outlive the returned
// columns.
func combinations[T any](cs *comboScratch, cache *comboCache, rows []T, keyed, typed []column[T], view func(int, func(int) string) entity.Strings) []entity.Column {
	if len(typed) == 0 {
		return nil
	}
	clear(cs.seen)
	cs.first = cs.first[:0]
	cs.idx = slices.Grow(cs.idx[:0], len(rows))[:len(rows)]
	if cache != nil {
		cs.knownT = slices.Grow(cs.knownT[:0], len(rows))[:len(rows)]
		cs.knownO = slices.Grow(cs.knownO[:0], len(rows))[:len(rows)]
		cache.mu.RLock()
		defer cache.mu.RUnlock()
	}
	hits := 0
	defer func() {
		if hits > 0 {
			cache.hits.Add(int64(hits))
		}
	}()
	for i := range rows {
		key := cs.key[:0]
		for _, c := range keyed {
			v := c.get(&rows[i])
			key = binary.AppendUvarint(key, uint64(len(v)))
			key = append(key, v...)
		}
		cs.key = key
		if cache != nil {
			if c, ok := cache.m[string(key)]; ok {
				hits++
				cs.knownT[i], cs.knownO[i] = c.t, c.out
				cs.idx[i] = 0
				continue
			}
		}
		id, ok := cs.seen[string(key)]
		if !ok {
			id = int32(len(cs.first))
			cs.seen[string(key)] = id
			cs.first = append(cs.first, i)
		}
		cs.idx[i] = id
	}
	idata := array.NewData(arrow.PrimitiveTypes.Int32, len(rows), []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(cs.idx))}, nil, 0, 0)
	defer idata.Release()
	ia := array.NewInt32Data(idata)
	defer ia.Release()
	var out []entity.Column
	for _, spec := range typed {
		va := view(len(cs.first), func(k int) string { return spec.get(&rows[cs.first[k]]) })
		if va != nil {
			out = append(out, entity.Column{Name: spec.name, Dict: array.NewDictionaryArray(dictType, ia, va)})
			va.Release()
		}
	}
	return out
}

// table is how apply reads and writes one event table's rows.
type table[T any] struct {
	id   int // index of its combination caches in Extraction.combos
	cols []column[T]
	// attrSetters set the attr columns named in the table's Derived list.
	attrSetters []func(*T, string)
	// redact replaces personal data in the row's own columns (nil: none).
	redact func(*entity.Redactor, *T)
	// derived is the table's Derived list with the typed column getters,
	// indexed by column name.
	derived map[string][]derivedSpec[T]
}

type derivedSpec[T any] struct {
	schemas.Derived
	bit  int32
	get  func(*T) string
	attr func(*T, string)
}

func newTable[T any](id int, name string, cols []column[T], attrs map[string]func(*T, string), redact func(*entity.Redactor, *T)) table[T] {
	t := table[T]{id: id, cols: cols, redact: redact, derived: map[string][]derivedSpec[T]{}}
	for _, set := range attrs {
		t.attrSetters = append(t.attrSetters, set)
	}
	tb, _ := schemas.Lookup(name)
	get := map[string]func(*T) string{}
	for _, c := range cols {
		get[c.name] = c.get
	}
	for i, d := range tb.Derived() {
		g := get[d.Column]
		if g == nil {
			panic("extract: derived column " + d.Column + " of " + name + " is not read")
		}
		var set func(*T, string)
		if d.Attr != "" {
			if set = attrs[d.Attr]; set == nil {
				panic("extract: no setter for " + d.Attr)
			}
		}
		t.derived[d.Column] = append(t.derived[d.Column], derivedSpec[T]{Derived: d, bit: 1 << i, get: g, attr: set})
	}
	return t
}

var (
	ctTable = newTable(0, "cloudtrail", ctColumns, map[string]func(*schemas.CloudTrail, string){
		"source_ip_class":  func(r *schemas.CloudTrail, v string) { r.SourceIPClass = v },
		"user_agent_class": func(r *schemas.CloudTrail, v string) { r.UserAgentClass = v },
	}, redactCloudTrail)
	vfTable = newTable(1, "vpcflow", vfColumns, map[string]func(*schemas.VPCFlow, string){
		"srcaddr_class":     func(r *schemas.VPCFlow, v string) { r.SrcAddrClass = v },
		"dstaddr_class":     func(r *schemas.VPCFlow, v string) { r.DstAddrClass = v },
		"pkt_srcaddr_class": func(r *schemas.VPCFlow, v string) { r.PktSrcAddrClass = v },
		"pkt_dstaddr_class": func(r *schemas.VPCFlow, v string) { r.PktDstAddrClass = v },
	}, nil)
	s3Table = newTable(2, "s3access", s3Columns, map[string]func(*schemas.S3Access, string){
		"remote_ip_class":  func(r *schemas.S3Access, v string) { r.RemoteIPClass = v },
		"user_agent_class": func(r *schemas.S3Access, v string) { r.UserAgentClass = v },
	}, func(rd *entity.Redactor, r *schemas.S3Access) {
		r.Requester = rd.RedactText(redactUserARN(rd, r.Requester))
		r.Key = rd.RedactText(r.Key)
		r.RequestURI = rd.RedactText(r.RequestURI)
	})
)

// matches reports whether en is the entity the view derives for d from row.
func (d *derivedSpec[T]) matches(row *T, en *entity.Entity) bool {
	conf := d.Confidence
	if conf == 0 {
		conf = entity.ConfTyped
	}
	if en.Role != d.Role || en.Confidence != conf {
		return false
	}
	v := d.get(row)
	switch {
	case d.Account:
		v = schemas.ARNAccount(v)
	case d.Session:
		v = schemas.SessionName(v)
	}
	if d.Lower {
		v = strings.ToLower(v)
	}
	if en.Value != v {
		return false
	}
	switch {
	case d.Kind == "":
		return string(en.Kind) == schemas.ARNKind(v)
	case string(en.Kind) != d.Kind:
		return false
	case d.Attr != "":
		return true
	case en.Kind == entity.AccessKeyID:
		return en.Attr == schemas.AccessKeyAttr(v)
	}
	return en.Attr == ""
}

type extracted interface {
	Extraction() *schemas.Extracted
}

func apply[T any, P interface {
	*T
	extracted
}](x *Extraction, rows []T, tb table[T]) {
	if x == nil || x.Extractor == nil || len(rows) == 0 {
		return
	}
	cs := comboScratchPool.Get().(*comboScratch)
	defer cs.release()
	cache := &x.combos[tb.id]
	bt := batch(x, rows, tb.cols, cs, cache)
	rd := x.Redactor
	var refs []schemas.EntityRef
	var strs []string // backing of the lists rows with own entities get
	local := map[*entity.Tuple]*tupleOut[T]{}
	for i := range rows {
		row := &rows[i]
		e := P(row).Extraction()
		if rd != nil && tb.redact != nil {
			tb.redact(rd, row)
		}
		for _, set := range tb.attrSetters {
			set(row, "") // a backfill recomputes them
		}
		var m *tupleOut[T]
		if t := bt.Tuple(i); t != nil {
			if len(cs.knownT) > 0 && cs.knownT[i] == t {
				m = cs.knownO[i].(*tupleOut[T])
			} else if m = local[t]; m == nil {
				m = memo(x, t, row, tb)
				local[t] = m
			}
			e.TypedEntities = m.mask
			for _, a := range m.attrs {
				a.set(row, a.val)
			}
		}
		text := bt.Text(i)
		if len(text) == 0 {
			if m != nil {
				setLists(e, &m.lists)
				e.Entities = m.nested
			}
			continue
		}
		// Own entities from free text: this row's lists and entities list
		// are the tuple's plus these.
		var lists [10][]string
		if m != nil {
			lists = m.lists
		}
		strs = addToLists(&lists, text, rd, strs)
		setLists(e, &lists)
		if refs == nil {
			// room for the rows' own entities and, about as many, their tuples'
			refs = make([]schemas.EntityRef, 0, 2*bt.TextLen()+16)
		}
		first := len(refs)
		if m != nil {
			refs = append(refs, m.nested...)
		}
		for _, en := range text {
			if rd != nil {
				redactEntity(rd, &en)
			}
			refs = append(refs, ref(&en))
		}
		e.Entities = refs[first:len(refs):len(refs)]
	}
	// Cache the batch's new combinations for later batches.
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.m == nil {
		cache.m = map[string]combo{}
	}
	if len(cache.m)+len(cs.seen) > maxCombos {
		clear(cache.m)
	}
	for key, k := range cs.seen {
		r := cs.first[k]
		t := bt.TypedTuple(r)
		if t == nil {
			continue // no typed entities: rare, and nothing to save
		}
		m := local[t]
		if m == nil { // every row of it got a tuple of its own
			m = memo(x, t, &rows[r], tb)
		}
		cache.m[key] = combo{t, m}
	}
}

// addToLists adds a row's own entities to its lists (new lists for the ones
// they change, carved from strs: the tuple's are shared), redacted as
// redactLists does. It returns strs grown.
func addToLists(lists *[10][]string, text []entity.Entity, rd *entity.Redactor, strs []string) []string {
	var add [10][]string
	for k := range text {
		for _, c := range entity.ListsOf(&text[k]) {
			if c < 0 {
				continue
			}
			v := text[k].Value
			if rd != nil {
				switch c {
				case listEmails:
					v = rd.Apply(entity.EmailAddress, v)
				case listARNs, listPrincipals:
					v = rd.RedactText(redactUserARN(rd, v))
				}
			}
			add[c] = append(add[c], v)
		}
	}
	for c := range add {
		if len(add[c]) == 0 {
			continue
		}
		start := len(strs)
		strs = append(strs, lists[c]...)
		strs = append(strs, add[c]...)
		l := strs[start:]
		slices.Sort(l)
		l = slices.Compact(l)
		strs = strs[:start+len(l)]
		lists[c] = l[:len(l):len(l)]
	}
	return strs
}

// Indexes of list columns in entity.ListColumnNames order that redaction
// rewrites.
const (
	listARNs       = 1
	listPrincipals = 4
	listEmails     = 9
)

// maxMemo bounds the tuple outputs kept across batches (the map is emptied
// when full). Small on purpose: every cached tuple is scanned by each
// garbage collection, which costs more than recomputing the rare ones.
const maxMemo = 1 << 11

// tupleOut is what a tuple gives every row that has it: list columns,
// p_typed_entities, attr columns, and the entities listed in the row.
type tupleOut[T any] struct {
	lists  [10][]string // in entity.ListColumnNames order
	mask   int32
	attrs  []attrVal[T]
	nested []schemas.EntityRef
}

type attrVal[T any] struct {
	set func(*T, string)
	val string
}

// memo returns the tuple's outputs, computed from row (whose typed columns
// hold the tuple's values) the first time. Outputs are shared between rows
// and never modified.
func memo[T any](x *Extraction, t *entity.Tuple, row *T, tb table[T]) *tupleOut[T] {
	x.mu.Lock()
	v, ok := x.memo[t]
	x.mu.Unlock()
	if ok {
		return v.(*tupleOut[T])
	}
	m := &tupleOut[T]{lists: entity.RowLists(t.Entities)}
	var ex schemas.Extracted
	setLists(&ex, &m.lists)
	ents := t.Entities
	if rd := x.Redactor; rd != nil {
		redactLists(rd, &ex)
		ents = append([]entity.Entity(nil), ents...)
		for i := range ents {
			redactEntity(rd, &ents[i])
		}
	}
next:
	for k := range ents {
		en := &ents[k]
		for j, ds := 0, tb.derived[en.Field]; j < len(ds); j++ {
			if d := &ds[j]; d.matches(row, en) {
				m.mask |= d.bit
				if d.attr != nil {
					m.attrs = append(m.attrs, attrVal[T]{d.attr, en.Attr})
				}
				continue next
			}
		}
		m.nested = append(m.nested, ref(en))
	}
	if len(m.nested) > 0 {
		m.nested = m.nested[:len(m.nested):len(m.nested)]
	}
	x.mu.Lock()
	if x.memo == nil || len(x.memo) >= maxMemo {
		x.memo = map[*entity.Tuple]any{}
	}
	x.memo[t] = m
	x.mu.Unlock()
	return m
}

func setLists(e *schemas.Extracted, l *[10][]string) {
	e.PAnyIPAddresses, e.PAnyAWSARNs, e.PAnyAccountIDs, e.PAnyAccessKeyIDs, e.PAnyPrincipals = l[0], l[1], l[2], l[3], l[4]
	e.PAnyResourceIDs, e.PAnyS3Buckets, e.PAnyKMSKeys, e.PAnyDomainNames, e.PAnyEmails = l[5], l[6], l[7], l[8], l[9]
}

func ref(en *entity.Entity) schemas.EntityRef {
	return schemas.EntityRef{Kind: string(en.Kind), Value: en.Value, Role: en.Role, Field: en.Field, Confidence: en.Confidence, Attr: en.Attr}
}

func redactUserARN(r *entity.Redactor, arn string) string {
	if arn == "" {
		return arn
	}
	if strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":user/") { // arn:…:iam::acct:user/path/name
		return r.Apply(entity.IAMUserARN, arn)
	}
	return arn
}

func redactCloudTrail(r *entity.Redactor, row *schemas.CloudTrail) {
	if row.UserIdentityUserName != "" && (row.UserIdentityType == "IAMUser" || row.UserIdentityType == "") {
		row.UserIdentityUserName = r.Apply(entity.IAMUserName, row.UserIdentityUserName)
	} else {
		row.UserIdentityUserName = r.RedactText(row.UserIdentityUserName)
	}
	row.UserIdentityARN = r.RedactText(redactUserARN(r, row.UserIdentityARN))
	row.UserIdentityPrincipalID = r.RedactText(row.UserIdentityPrincipalID)
	row.SessionSourceIdentity = r.RedactText(row.SessionSourceIdentity)
	for _, p := range []*string{&row.UserIdentity, &row.RequestParameters, &row.ResponseElements, &row.AdditionalEventData,
		&row.ServiceEventDetails, &row.Resources, &row.ErrorMessage, &row.Unmapped} {
		*p = redactUserNameKeys(r, r.RedactText(*p))
	}
}

// redactUserNameKeys replaces the string values of "userName" keys in a JSON
// document (IAM APIs name users there) and the user part of IAM user ARNs
// inside it, with the same hashes as the typed columns.
func redactUserNameKeys(r *entity.Redactor, s string) string {
	const key = `"userName"`
	if !strings.Contains(s, key) && !strings.Contains(s, ":user/") {
		return s
	}
	var b strings.Builder
	i := 0
	for {
		k := strings.Index(s[i:], key)
		if k < 0 {
			break
		}
		j := i + k + len(key)
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		if j >= len(s) || s[j] != ':' {
			b.WriteString(s[i : i+k+len(key)])
			i = i + k + len(key)
			continue
		}
		j++
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		if j >= len(s) || s[j] != '"' {
			b.WriteString(s[i:j])
			i = j
			continue
		}
		end := j + 1
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(s) {
			break
		}
		b.WriteString(s[i : j+1])
		b.WriteString(r.Apply(entity.IAMUserName, s[j+1:end]))
		i = end
	}
	b.WriteString(s[i:])
	out := b.String()
	// IAM user ARNs inside the text: arn:<partition>:iam::<acct>:user/<path/>name
	for from := 0; ; {
		k := strings.Index(out[from:], ":user/")
		if k < 0 {
			break
		}
		start := strings.LastIndex(out[:from+k], "arn:")
		end := from + k + len(":user/")
		for end < len(out) && out[end] != '"' && out[end] != ' ' && out[end] != ',' && out[end] != '\\' {
			end++
		}
		if start < 0 || end == from+k+len(":user/") || strings.ContainsAny(out[start:from+k], " \",\\{}") {
			from = end
			continue
		}
		red := r.Apply(entity.IAMUserARN, out[start:end])
		out = out[:start] + red + out[end:]
		from = start + len(red)
	}
	return out
}

// redactLists replaces personal data in a row's list columns.
func redactLists(r *entity.Redactor, e *schemas.Extracted) {
	for i, v := range e.PAnyEmails {
		e.PAnyEmails[i] = r.Apply(entity.EmailAddress, v)
	}
	for _, l := range [][]string{e.PAnyAWSARNs, e.PAnyPrincipals} {
		for i, v := range l {
			l[i] = r.RedactText(redactUserARN(r, v))
		}
	}
}

// redactEntities replaces personal data in extracted entities, as the row's
// columns are redacted, so derived entities still match their columns.
func redactEntities(r *entity.Redactor, ents []entity.Entity) {
	for i := range ents {
		redactEntity(r, &ents[i])
	}
}

func redactEntity(r *entity.Redactor, en *entity.Entity) {
	switch en.Kind {
	case entity.EmailAddress:
		en.Value = r.Apply(entity.EmailAddress, en.Value)
	case entity.IAMUserARN:
		en.Value = r.Apply(entity.IAMUserARN, en.Value)
	default:
		en.Value = r.RedactText(en.Value)
	}
}
