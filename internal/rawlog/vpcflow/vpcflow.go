// Package vpcflow parses VPC Flow Logs and Transit Gateway flow logs
// (versions 2–8, ECS fields) delivered as text lines into schemas.VPCFlow rows.
//
// Field order comes from, by priority: the last header line read
// ("version account-id …", also "${version} …"; headers may repeat and change
// the layout mid-object), Parser.Format, the default version-2 format for
// 14-field lines, or a documented headerless layout recognised by its field
// count when every value fits it (see knownLayouts). Other lines are
// quarantined with rawlog.ErrUnknownFormat.
//
// Values: "-" is NULL for every field; numbers that do not parse quarantine the
// line. EventTime is the flow's start time when the format has it, else the
// object's delivery time (rawlog.Object.Time); a line with neither is
// quarantined. A line holding a CloudWatch/Firehose JSON wrapper
// {"message":"<flow line>"} is parsed as its message.
package vpcflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/internal/lineio"
	"github.com/seclake/seclake/schemas"
)

// Parser converts flow log objects. The zero value is ready to use.
type Parser struct {
	// Format is the field list of headerless objects (flow log "LogFormat",
	// with or without ${}), used when no header line precedes a record.
	Format []string
}

// layout is a resolved field order.
type layout struct {
	name  string
	cols  []col
	names []string // field names as given, for errors and Unmapped
}

func newLayout(fields []string, name string) *layout {
	l := &layout{name: name, cols: make([]col, len(fields)), names: make([]string, len(fields))}
	for i, f := range fields {
		n := normName(f)
		l.names[i] = n
		l.cols[i] = fieldNames[n] // colUnknown when absent
	}
	return l
}

var defaultLayout = newLayout(v2Fields, "default v2 format")

// state is the per-object parse state.
type state struct {
	lineNum  int64 // 1-based number of the line being converted
	obj      rawlog.Object
	header   *layout
	format   *layout
	fields   []string
	i32      lineio.Slab[int32]
	i64      lineio.Slab[int64]
	ts       lineio.Slab[time.Time]
	row      schemas.VPCFlow // the row being built; sink.Row gets a copy
	unmapped []byte
}

// Parse reads one decompressed flow log object from r; see package rawlog for
// the contract.
func (p *Parser) Parse(ctx context.Context, r io.Reader, obj rawlog.Object, sink rawlog.Sink[schemas.VPCFlow]) (rawlog.Stats, error) {
	var st rawlog.Stats
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if sink.Row == nil || sink.Bad == nil {
		return st, errNilSink
	}
	obj.Key = strings.ToValidUTF8(obj.Key, "\uFFFD")
	s := &state{obj: obj}
	if len(p.Format) > 0 {
		s.format = newLayout(p.Format, "Parser.Format")
	}
	lr := lineio.NewReader(r, rawlog.MaxRecordBytes)
	for n := 0; ; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		l, err := lr.Next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("vpcflow: reading %s: %w", obj.Key, err)
		}
		if l.TooLarge {
			st.Records++
			if err := sink.Bad(lineio.TooLargeBad(l, rawlog.MaxRecordBytes)); err != nil {
				return st, err
			}
			continue
		}
		if lineio.IsBlank(l.Bytes) {
			continue
		}
		s.lineNum = l.Num
		isRecord, perr := s.line(l.Bytes, l.Offset)
		if !isRecord {
			continue
		}
		st.Records++
		if perr != nil {
			if err := sink.Bad(rawlog.Bad{Offset: l.Offset, Line: l.Num, Raw: lineio.RawCopy(l.Bytes), Err: perr}); err != nil {
				return st, err
			}
			continue
		}
		if err := sink.Row(s.row); err != nil {
			return st, err
		}
	}
}

// line handles one non-blank line: a header (not a record) or a record,
// converted into s.row.
func (s *state) line(b []byte, off int64) (isRecord bool, err error) {
	text := lineio.String(b)
	if text[0] == '{' {
		msg, err := jsonMessage(b)
		if err != nil {
			return true, err
		}
		text = lineio.String([]byte(msg))
	}
	s.fields = splitFields(text, s.fields[:0])
	if len(s.fields) == 0 {
		return false, nil
	}
	if isHeader(s.fields) {
		s.header = newLayout(s.fields, "header line")
		return false, nil
	}
	lay, err := s.layoutFor(s.fields)
	if err != nil {
		return true, err
	}
	return true, s.convert(lay, s.fields, off)
}

func (s *state) layoutFor(fields []string) (*layout, error) {
	switch {
	case s.header != nil:
		return s.header, nil
	case s.format != nil:
		return s.format, nil
	case len(fields) == len(v2Fields):
		return defaultLayout, nil
	}
	lay, why := guessLayout(fields)
	if lay == nil {
		return nil, fmt.Errorf("%w: no header line and %d fields match no known layout%s; set the flow log format",
			rawlog.ErrUnknownFormat, len(fields), why)
	}
	return lay, nil
}

// guessLayout returns the only documented layout every field fits, or nil and
// a reason.
func guessLayout(fields []string) (*layout, string) {
	var found *layout
	why := ""
	for _, l := range knownLayouts[len(fields)] {
		if i := misfit(l, fields); i >= 0 {
			why = fmt.Sprintf(" (not the %s: %s %q)", l.name, l.names[i], fields[i])
			continue
		}
		if found != nil {
			return nil, " (ambiguous)"
		}
		found = l
	}
	return found, why
}

// misfit returns the index of the first field that does not fit l, or -1.
func misfit(l *layout, fields []string) int {
	for i, f := range fields {
		if !fits(l.cols[i], f) {
			return i
		}
	}
	return -1
}

// isHeader reports whether fields are a header line: every field looks like
// a name (data values never all do: they are numbers, ids, addresses or
// upper-case keywords) and the first field, or most fields, are known names.
func isHeader(fields []string) bool {
	if !isNameToken(fields[0]) { // cheap: data lines start with a number
		return false
	}
	known := 0
	for _, f := range fields {
		if !isNameToken(f) {
			return false
		}
		if _, ok := fieldNames[normName(f)]; ok {
			known++
		}
	}
	_, firstKnown := fieldNames[normName(fields[0])]
	return firstKnown || 2*known > len(fields)
}

// splitFields splits on runs of spaces and tabs.
func splitFields(s string, dst []string) []string {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		dst = append(dst, s[i:j])
		i = j
	}
	return dst
}

func jsonMessage(b []byte) (string, error) {
	var m struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("%w: JSON line: %v", rawlog.ErrMalformed, err)
	}
	if m.Message == nil {
		return "", fmt.Errorf("%w: JSON line has no \"message\" field", rawlog.ErrMalformed)
	}
	if strings.TrimSpace(*m.Message) == "" {
		return "", fmt.Errorf("%w: JSON line has an empty \"message\"", rawlog.ErrMalformed)
	}
	return *m.Message, nil
}

var (
	errNoTime  = errors.New("no start time and no object time")
	errNilSink = errors.New("vpcflow: sink.Row and sink.Bad must be set")
)

// convert builds s.row from fields laid out as lay.
func (s *state) convert(lay *layout, fields []string, off int64) error {
	r := &s.row
	*r = schemas.VPCFlow{}
	if len(fields) != len(lay.cols) {
		return fmt.Errorf("%w: %d fields, the %s has %d", rawlog.ErrMalformed, len(fields), lay.name, len(lay.cols))
	}
	s.unmapped = s.unmapped[:0]
	for i, v := range fields {
		c := lay.cols[i]
		if c == colUnknown {
			s.addUnmapped(lay.names[i], v)
			continue
		}
		if v == "-" {
			continue
		}
		switch c {
		case colVersion, colSrcPort, colDstPort, colProtocol, colTCPFlags, colTrafficPath:
			n, ok := lineio.ParseUint(v)
			if !ok || n > 1<<31-1 {
				return numErr(lay.names[i], v)
			}
			p := s.i32.New(int32(n))
			switch c {
			case colVersion:
				r.Version = p
			case colSrcPort:
				r.SrcPort = p
			case colDstPort:
				r.DstPort = p
			case colProtocol:
				r.Protocol = p
			case colTCPFlags:
				r.TCPFlags = p
			case colTrafficPath:
				r.TrafficPath = p
			}
		case colPackets, colBytes, colPacketsLostNoRoute, colPacketsLostBlackhole, colPacketsLostMTUExceeded, colPacketsLostTTLExpired:
			n, ok := lineio.ParseUint(v)
			if !ok {
				return numErr(lay.names[i], v)
			}
			p := s.i64.New(n)
			switch c {
			case colPackets:
				r.Packets = p
			case colBytes:
				r.Bytes = p
			case colPacketsLostNoRoute:
				r.PacketsLostNoRoute = p
			case colPacketsLostBlackhole:
				r.PacketsLostBlackhole = p
			case colPacketsLostMTUExceeded:
				r.PacketsLostMTUExceeded = p
			case colPacketsLostTTLExpired:
				r.PacketsLostTTLExpired = p
			}
		case colStart, colEnd:
			n, ok := lineio.ParseUint(v)
			if !ok || n > 253402300799 { // 9999-12-31
				return numErr(lay.names[i], v)
			}
			p := s.ts.New(time.Unix(n, 0).UTC())
			if c == colStart {
				r.StartTime = p
			} else {
				r.EndTime = p
			}
		default:
			*stringCol(r, c) = v
		}
	}
	switch {
	case r.StartTime != nil:
		r.EventTime = *r.StartTime
	case !s.obj.Time.IsZero():
		r.EventTime = s.obj.Time.UTC()
	default:
		return fmt.Errorf("%w: %w", rawlog.ErrMalformed, errNoTime)
	}
	if len(s.unmapped) > 0 {
		r.Unmapped = string(append(s.unmapped, '}'))
	}
	r.SourceObject = s.obj.Key
	r.SourceOffset = off
	r.SourceLine = s.lineNum
	return nil
}

func numErr(name, v string) error {
	return fmt.Errorf("%w: field %s: %q is not a valid number", rawlog.ErrMalformed, name, v)
}

func (s *state) addUnmapped(name, v string) {
	if len(s.unmapped) == 0 {
		s.unmapped = append(s.unmapped, '{')
	} else {
		s.unmapped = append(s.unmapped, ',')
	}
	s.unmapped = appendJSONString(s.unmapped, name)
	s.unmapped = append(s.unmapped, ':')
	s.unmapped = appendJSONString(s.unmapped, v)
}

// appendJSONString appends s (valid UTF-8) as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, bytes.TrimSpace(q)...)
}

func stringCol(r *schemas.VPCFlow, c col) *string {
	switch c {
	case colAccountID:
		return &r.AccountID
	case colInterfaceID:
		return &r.InterfaceID
	case colSrcAddr:
		return &r.SrcAddr
	case colDstAddr:
		return &r.DstAddr
	case colAction:
		return &r.Action
	case colLogStatus:
		return &r.LogStatus
	case colVPCID:
		return &r.VPCID
	case colSubnetID:
		return &r.SubnetID
	case colInstanceID:
		return &r.InstanceID
	case colType:
		return &r.Type
	case colPktSrcAddr:
		return &r.PktSrcAddr
	case colPktDstAddr:
		return &r.PktDstAddr
	case colRegion:
		return &r.Region
	case colAZID:
		return &r.AZID
	case colSublocationType:
		return &r.SublocationType
	case colSublocationID:
		return &r.SublocationID
	case colPktSrcAWSService:
		return &r.PktSrcAWSService
	case colPktDstAWSService:
		return &r.PktDstAWSService
	case colFlowDirection:
		return &r.FlowDirection
	case colECSClusterARN:
		return &r.ECSClusterARN
	case colECSClusterName:
		return &r.ECSClusterName
	case colECSContainerInstanceARN:
		return &r.ECSContainerInstanceARN
	case colECSContainerInstanceID:
		return &r.ECSContainerInstanceID
	case colECSContainerID:
		return &r.ECSContainerID
	case colECSSecondContainerID:
		return &r.ECSSecondContainerID
	case colECSServiceName:
		return &r.ECSServiceName
	case colECSTaskDefinitionARN:
		return &r.ECSTaskDefinitionARN
	case colECSTaskARN:
		return &r.ECSTaskARN
	case colECSTaskID:
		return &r.ECSTaskID
	case colRejectReason:
		return &r.RejectReason
	case colResourceType:
		return &r.ResourceType
	case colTGWID:
		return &r.TGWID
	case colTGWAttachmentID:
		return &r.TGWAttachmentID
	case colTGWSrcVPCAccountID:
		return &r.TGWSrcVPCAccountID
	case colTGWDstVPCAccountID:
		return &r.TGWDstVPCAccountID
	case colTGWSrcVPCID:
		return &r.TGWSrcVPCID
	case colTGWDstVPCID:
		return &r.TGWDstVPCID
	case colTGWSrcSubnetID:
		return &r.TGWSrcSubnetID
	case colTGWDstSubnetID:
		return &r.TGWDstSubnetID
	case colTGWSrcENI:
		return &r.TGWSrcENI
	case colTGWDstENI:
		return &r.TGWDstENI
	case colTGWSrcAZID:
		return &r.TGWSrcAZID
	case colTGWDstAZID:
		return &r.TGWDstAZID
	case colTGWPairAttachmentID:
		return &r.TGWPairAttachmentID
	}
	return new(string) // unreachable: every string column is listed above
}

// Sniff reports whether head, the first bytes of a decompressed object, looks
// like a flow log: a header line, or a first record that fits a known layout.
func Sniff(head []byte) bool {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if lineio.IsBlank(line) {
			continue
		}
		text := lineio.String(line)
		if text[0] == '{' {
			if !strings.HasPrefix(text, `{"message":`) {
				return false
			}
			msg, err := jsonMessage(line)
			if err != nil {
				return false
			}
			text = msg
		}
		fields := splitFields(text, nil)
		if len(fields) == 0 {
			return false
		}
		if isHeader(fields) {
			return true
		}
		if len(fields) == len(v2Fields) {
			return misfit(defaultLayout, fields) < 0
		}
		lay, _ := guessLayout(fields)
		return lay != nil
	}
	return false
}
