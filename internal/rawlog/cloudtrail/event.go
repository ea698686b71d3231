package cloudtrail

import (
	"time"
	"unicode/utf8"

	"github.com/seclake/seclake/schemas"
)

// slot numbers the string columns of a row; the builder collects every
// string of a row in one byte buffer and converts it with one allocation.
type slot uint8

const (
	sEventVersion slot = iota
	sEventID
	sEventType
	sEventCategory
	sEventSource
	sEventName
	sAWSRegion
	sSourceIPAddress
	sUserAgent
	sErrorCode
	sErrorMessage
	sRequestID
	sSharedEventID
	sRecipientAccountID
	sAPIVersion
	sVPCEndpointID
	sVPCEndpointAccountID
	sSessionCredentialFromConsole
	sTLSVersion
	sTLSCipherSuite
	sTLSClientProvidedHostHeader
	sUIType
	sUIPrincipalID
	sUIARN
	sUIAccountID
	sUIAccessKeyID
	sUIUserName
	sUIInvokedBy
	sUIIdentityProvider
	sUICredentialID
	sSIType
	sSIPrincipalID
	sSIARN
	sSIAccountID
	sSIUserName
	sSessionSourceIdentity
	sWebIDFederationProvider
	sUserIdentity
	sRequestParameters
	sResponseElements
	sAdditionalEventData
	sServiceEventDetails
	sResources
	sEdgeDeviceDetails
	sAddendum
	sUnmapped
	nSlots
)

type span struct{ a, b int }

// walk contexts: which object the walker is in.
const (
	cEvent = iota
	cUserIdentity
	cSessionContext
	cAttributes
	cSessionIssuer
	cWebID
	cTLS
)

// kind is what a top-level JSON object turned out to be.
type kind uint8

const (
	kEvent kind = iota
	kWrapper
	kDigest
	kNotification
	kS3Notification
	kEnvelopeNoDetail
)

// tri is an optional boolean: 0 unset, 1 false, 2 true.
type tri uint8

// builder walks one event object and accumulates its row.
type builder struct {
	sc   scanner
	buf  []byte // decoded strings and raw JSON of the row
	un   []byte // unmapped object being built
	kbuf []byte // unescaped key
	tbuf []byte // unescaped time
	sp   [nSlots]span

	time      time.Time
	timeState uint8 // 0 missing, 1 ok, 2 bad
	readOnly  tri
	mgmt      tri
	mfa       tri
	created   time.Time
	hasCreate bool

	kind      kind
	envelope  bool
	detail    span // span of "detail" in the walked slice
	wrapperAt int  // index of '[' of "Records" for kWrapper
	tlsExtra  bool
	s3key     bool
	digest    bool
	notif     bool

	bools []bool
	times []time.Time
}

func (w *builder) reset() {
	w.buf = w.buf[:0]
	w.un = w.un[:0]
	w.sp = [nSlots]span{}
	w.timeState = 0
	w.readOnly, w.mgmt, w.mfa = 0, 0, 0
	w.hasCreate = false
	w.kind = kEvent
	w.envelope = false
	w.detail = span{}
	w.s3key, w.digest, w.notif = false, false, false
}

// record walks the object at b[i] == '{'. With top set, a "Records" array
// key stops the walk and reports kWrapper, and EventBridge envelopes are
// unwrapped. It returns the index past the object.
func (w *builder) record(b []byte, i int, top bool) (int, error) {
	w.reset()
	end, err := w.object(b, i, cEvent, top)
	if err != nil || w.kind == kWrapper {
		return end, err
	}
	switch {
	case w.envelope:
		if w.detail.b == 0 {
			w.kind = kEnvelopeNoDetail
			return end, nil
		}
		d := w.detail
		w.reset()
		if _, err := w.object(b[:d.b], d.a, cEvent, false); err != nil {
			return end, err
		}
	case w.digest && w.timeState == 0:
		w.kind = kDigest
	case w.notif && w.timeState == 0:
		w.kind = kNotification
	case w.s3key && string(w.str(sEventSource)) == "aws:s3":
		w.kind = kS3Notification
	}
	return end, nil
}

func (w *builder) str(s slot) []byte { return w.buf[w.sp[s].a:w.sp[s].b] }

// object walks the object at b[i] == '{' in context ctx.
func (w *builder) object(b []byte, i int, ctx int, top bool) (int, error) {
	i = skipWS(b, i+1)
	if i >= len(b) {
		return i, errNeedMore
	}
	if b[i] == '}' {
		return i + 1, nil
	}
	for {
		if b[i] != '"' {
			return i, synErr(i, "expected object key")
		}
		ks := i
		ke, esc, err := scanString(b, i)
		if err != nil {
			return ke, err
		}
		key := b[ks+1 : ke-1]
		if esc {
			w.kbuf = appendUnescaped(w.kbuf[:0], key)
			key = w.kbuf
		}
		i = skipWS(b, ke)
		if i >= len(b) {
			return i, errNeedMore
		}
		if b[i] != ':' {
			return i, synErr(i, "expected ':' after object key")
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return i, errNeedMore
		}
		if top && ctx == cEvent && b[i] == '[' && string(key) == "Records" {
			w.kind = kWrapper
			w.wrapperAt = i
			return i, nil
		}
		if i, err = w.field(b, i, ctx, key, ks, ke); err != nil {
			return i, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, errNeedMore
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
			if i >= len(b) {
				return i, errNeedMore
			}
		case '}':
			return i + 1, nil
		default:
			return i, synErr(i, "expected ',' or '}' after object member")
		}
	}
}

// field handles one member whose value starts at b[i]; ks:ke is the raw key.
func (w *builder) field(b []byte, i int, ctx int, key []byte, ks, ke int) (int, error) {
	switch ctx {
	case cEvent:
		switch string(key) {
		case "eventVersion":
			return w.strField(b, i, sEventVersion)
		case "eventID":
			return w.strField(b, i, sEventID)
		case "eventType":
			return w.strField(b, i, sEventType)
		case "eventCategory":
			return w.strField(b, i, sEventCategory)
		case "eventSource":
			return w.strField(b, i, sEventSource)
		case "eventName":
			return w.strField(b, i, sEventName)
		case "awsRegion":
			return w.strField(b, i, sAWSRegion)
		case "sourceIPAddress":
			return w.strField(b, i, sSourceIPAddress)
		case "userAgent":
			return w.strField(b, i, sUserAgent)
		case "errorCode":
			return w.strField(b, i, sErrorCode)
		case "errorMessage":
			return w.strField(b, i, sErrorMessage)
		case "requestID":
			return w.strField(b, i, sRequestID)
		case "sharedEventID":
			return w.strField(b, i, sSharedEventID)
		case "recipientAccountId":
			return w.strField(b, i, sRecipientAccountID)
		case "apiVersion":
			return w.strField(b, i, sAPIVersion)
		case "vpcEndpointId":
			return w.strField(b, i, sVPCEndpointID)
		case "vpcEndpointAccountId":
			return w.strField(b, i, sVPCEndpointAccountID)
		case "sessionCredentialFromConsole":
			return w.strField(b, i, sSessionCredentialFromConsole)
		case "requestParameters":
			return w.rawField(b, i, sRequestParameters)
		case "responseElements":
			return w.rawField(b, i, sResponseElements)
		case "additionalEventData":
			return w.rawField(b, i, sAdditionalEventData)
		case "serviceEventDetails":
			return w.rawField(b, i, sServiceEventDetails)
		case "resources":
			return w.rawField(b, i, sResources)
		case "edgeDeviceDetails":
			return w.rawField(b, i, sEdgeDeviceDetails)
		case "addendum":
			return w.rawField(b, i, sAddendum)
		case "eventTime":
			return w.timeField(b, i)
		case "readOnly":
			return w.boolField(b, i, &w.readOnly, ks, ke)
		case "managementEvent":
			return w.boolField(b, i, &w.mgmt, ks, ke)
		case "userIdentity":
			if b[i] != '{' {
				return w.rawField(b, i, sUserIdentity)
			}
			end, err := w.object(b, i, cUserIdentity, false)
			if err != nil {
				return end, err
			}
			w.setRaw(sUserIdentity, b[i:end])
			return end, nil
		case "tlsDetails":
			if b[i] == '{' {
				w.tlsExtra = false
				end, err := w.object(b, i, cTLS, false)
				if err != nil || !w.tlsExtra {
					return end, err
				}
				w.addUnmapped(b[ks:ke], b[i:end])
				return end, nil
			}
			if b[i] == 'n' {
				return lit(b, i, "null")
			}
		case "digestStartTime", "digestEndTime", "digestS3Object", "digestS3Bucket", "logFiles",
			"digestPublicKeyFingerprint", "digestSignatureAlgorithm":
			w.digest = true
		case "TopicArn", "s3ObjectKey", "MessageId":
			w.notif = true
		case "s3":
			w.s3key = true
		case "detail-type":
			w.envelope = true
		case "detail":
			if b[i] == '{' {
				end, err := w.sc.skipValue(b, i)
				if err != nil {
					return end, err
				}
				w.detail = span{i, end}
				w.addUnmapped(b[ks:ke], b[i:end])
				return end, nil
			}
		}
		end, err := w.sc.skipValue(b, i)
		if err != nil {
			return end, err
		}
		w.addUnmapped(b[ks:ke], b[i:end])
		return end, nil
	case cUserIdentity:
		switch string(key) {
		case "type":
			return w.strField(b, i, sUIType)
		case "principalId":
			return w.strField(b, i, sUIPrincipalID)
		case "arn":
			return w.strField(b, i, sUIARN)
		case "accountId":
			return w.strField(b, i, sUIAccountID)
		case "accessKeyId":
			return w.strField(b, i, sUIAccessKeyID)
		case "userName":
			return w.strField(b, i, sUIUserName)
		case "invokedBy":
			return w.strField(b, i, sUIInvokedBy)
		case "identityProvider":
			return w.strField(b, i, sUIIdentityProvider)
		case "credentialId":
			return w.strField(b, i, sUICredentialID)
		case "sessionContext":
			if b[i] == '{' {
				return w.object(b, i, cSessionContext, false)
			}
		}
	case cSessionContext:
		switch string(key) {
		case "attributes":
			if b[i] == '{' {
				return w.object(b, i, cAttributes, false)
			}
		case "sessionIssuer":
			if b[i] == '{' {
				return w.object(b, i, cSessionIssuer, false)
			}
		case "webIdFederationData":
			if b[i] == '{' {
				return w.object(b, i, cWebID, false)
			}
		case "sourceIdentity":
			return w.strField(b, i, sSessionSourceIdentity)
		}
	case cAttributes:
		switch string(key) {
		case "mfaAuthenticated":
			end, v, err := w.boolValue(b, i)
			if v != 0 {
				w.mfa = v
			}
			return end, err
		case "creationDate":
			if b[i] == '"' {
				end, esc, err := scanString(b, i)
				if err != nil {
					return end, err
				}
				s := b[i+1 : end-1]
				if esc {
					w.tbuf = appendUnescaped(w.tbuf[:0], s)
					s = w.tbuf
				}
				if t, ok := parseTime(s); ok {
					w.created, w.hasCreate = t, true
				}
				return end, nil
			}
		}
	case cSessionIssuer:
		switch string(key) {
		case "type":
			return w.strField(b, i, sSIType)
		case "principalId":
			return w.strField(b, i, sSIPrincipalID)
		case "arn":
			return w.strField(b, i, sSIARN)
		case "accountId":
			return w.strField(b, i, sSIAccountID)
		case "userName":
			return w.strField(b, i, sSIUserName)
		}
	case cWebID:
		if string(key) == "federatedProvider" {
			return w.strField(b, i, sWebIDFederationProvider)
		}
	case cTLS:
		switch string(key) {
		case "tlsVersion":
			return w.strField(b, i, sTLSVersion)
		case "cipherSuite":
			return w.strField(b, i, sTLSCipherSuite)
		case "clientProvidedHostHeader":
			return w.strField(b, i, sTLSClientProvidedHostHeader)
		}
		w.tlsExtra = true
	}
	return w.sc.skipValue(b, i)
}

// strField stores a string value decoded; null stores nothing; any other
// value is stored as its raw JSON text.
func (w *builder) strField(b []byte, i int, s slot) (int, error) {
	switch b[i] {
	case '"':
		end, esc, err := scanString(b, i)
		if err != nil {
			return end, err
		}
		a := len(w.buf)
		if esc {
			w.buf = appendUnescaped(w.buf, b[i+1:end-1])
		} else {
			w.buf = append(w.buf, b[i+1:end-1]...)
		}
		w.sp[s] = span{a, len(w.buf)}
		return end, nil
	case 'n':
		end, err := lit(b, i, "null")
		w.sp[s] = span{}
		return end, err
	}
	return w.rawField(b, i, s)
}

// rawField stores the raw JSON text of the value; null stores nothing.
func (w *builder) rawField(b []byte, i int, s slot) (int, error) {
	end, err := w.sc.skipValue(b, i)
	if err != nil {
		return end, err
	}
	if end-i == 4 && string(b[i:end]) == "null" {
		w.sp[s] = span{}
		return end, nil
	}
	w.setRaw(s, b[i:end])
	return end, nil
}

func (w *builder) setRaw(s slot, raw []byte) {
	a := len(w.buf)
	w.buf = append(w.buf, raw...)
	w.sp[s] = span{a, len(w.buf)}
}

func (w *builder) timeField(b []byte, i int) (int, error) {
	if b[i] != '"' {
		end, err := w.sc.skipValue(b, i)
		w.timeState = 2
		if end-i == 4 && string(b[i:end]) == "null" {
			w.timeState = 0
		}
		return end, err
	}
	end, esc, err := scanString(b, i)
	if err != nil {
		return end, err
	}
	s := b[i+1 : end-1]
	if esc {
		w.tbuf = appendUnescaped(w.tbuf[:0], s)
		s = w.tbuf
	}
	t, ok := parseTime(s)
	if ok && !t.IsZero() {
		w.time, w.timeState = t, 1
	} else {
		w.timeState = 2
	}
	return end, nil
}

// boolValue parses true/false or "true"/"false" (any case); null → unset;
// anything else → unset with ok=false reported as v==0 and a non-nil
// "odd" signal through the returned end.
func (w *builder) boolValue(b []byte, i int) (int, tri, error) {
	switch b[i] {
	case 't':
		end, err := lit(b, i, "true")
		return end, 2, err
	case 'f':
		end, err := lit(b, i, "false")
		return end, 1, err
	case '"':
		end, esc, err := scanString(b, i)
		if err != nil || esc {
			return end, 0, err
		}
		switch s := b[i+1 : end-1]; {
		case len(s) == 4 && (s[0]|0x20) == 't' && (s[1]|0x20) == 'r' && (s[2]|0x20) == 'u' && (s[3]|0x20) == 'e':
			return end, 2, nil
		case len(s) == 5 && (s[0]|0x20) == 'f' && (s[1]|0x20) == 'a' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 's' && (s[4]|0x20) == 'e':
			return end, 1, nil
		}
		return end, 0, nil
	}
	end, err := w.sc.skipValue(b, i)
	return end, 0, err
}

// boolField sets *dst; values that are neither booleans, boolean strings nor
// null go to Unmapped so nothing is lost.
func (w *builder) boolField(b []byte, i int, dst *tri, ks, ke int) (int, error) {
	end, v, err := w.boolValue(b, i)
	if err != nil {
		return end, err
	}
	*dst = v
	if v == 0 && !(end-i == 4 && string(b[i:end]) == "null") {
		w.addUnmapped(b[ks:ke], b[i:end])
	}
	return end, nil
}

func (w *builder) addUnmapped(key, val []byte) {
	if len(w.un) == 0 {
		w.un = append(w.un, '{')
	} else {
		w.un = append(w.un, ',')
	}
	w.un = append(w.un, key...)
	w.un = append(w.un, ':')
	w.un = append(w.un, val...)
}

func (w *builder) boolPtr(v tri) *bool {
	if v == 0 {
		return nil
	}
	if len(w.bools) == cap(w.bools) {
		w.bools = make([]bool, 0, 1024)
	}
	w.bools = append(w.bools, v == 2)
	return &w.bools[len(w.bools)-1]
}

func (w *builder) timePtr(t time.Time) *time.Time {
	if len(w.times) == cap(w.times) {
		w.times = make([]time.Time, 0, 256)
	}
	w.times = append(w.times, t)
	return &w.times[len(w.times)-1]
}

// fill writes the accumulated event into row (which must be zero except for
// source fields) using a single string allocation.
func (w *builder) fill(row *schemas.CloudTrail) {
	if len(w.un) > 0 {
		w.un = append(w.un, '}')
		w.setRaw(sUnmapped, w.un)
	}
	if !utf8.Valid(w.buf) {
		w.repairUTF8()
	}
	s := string(w.buf)
	g := func(k slot) string { return s[w.sp[k].a:w.sp[k].b] }
	row.EventTime = w.time
	row.EventVersion = g(sEventVersion)
	row.EventID = g(sEventID)
	row.EventType = g(sEventType)
	row.EventCategory = g(sEventCategory)
	row.EventSource = g(sEventSource)
	row.EventName = g(sEventName)
	row.AWSRegion = g(sAWSRegion)
	row.SourceIPAddress = g(sSourceIPAddress)
	row.UserAgent = g(sUserAgent)
	row.ErrorCode = g(sErrorCode)
	row.ErrorMessage = g(sErrorMessage)
	row.RequestID = g(sRequestID)
	row.SharedEventID = g(sSharedEventID)
	row.RecipientAccountID = g(sRecipientAccountID)
	row.ReadOnly = w.boolPtr(w.readOnly)
	row.ManagementEvent = w.boolPtr(w.mgmt)
	row.APIVersion = g(sAPIVersion)
	row.VPCEndpointID = g(sVPCEndpointID)
	row.VPCEndpointAccountID = g(sVPCEndpointAccountID)
	row.SessionCredentialFromConsole = g(sSessionCredentialFromConsole)
	row.TLSVersion = g(sTLSVersion)
	row.TLSCipherSuite = g(sTLSCipherSuite)
	row.TLSClientProvidedHostHeader = g(sTLSClientProvidedHostHeader)
	row.UserIdentityType = g(sUIType)
	row.UserIdentityPrincipalID = g(sUIPrincipalID)
	row.UserIdentityARN = g(sUIARN)
	row.UserIdentityAccountID = g(sUIAccountID)
	row.UserIdentityAccessKeyID = g(sUIAccessKeyID)
	row.UserIdentityUserName = g(sUIUserName)
	row.UserIdentityInvokedBy = g(sUIInvokedBy)
	row.UserIdentityIdentityProvider = g(sUIIdentityProvider)
	row.UserIdentityCredentialID = g(sUICredentialID)
	row.SessionIssuerType = g(sSIType)
	row.SessionIssuerPrincipalID = g(sSIPrincipalID)
	row.SessionIssuerARN = g(sSIARN)
	row.SessionIssuerAccountID = g(sSIAccountID)
	row.SessionIssuerUserName = g(sSIUserName)
	row.SessionMFAAuthenticated = w.boolPtr(w.mfa)
	if w.hasCreate {
		row.SessionCreationDate = w.timePtr(w.created)
	}
	row.SessionSourceIdentity = g(sSessionSourceIdentity)
	row.WebIDFederationProvider = g(sWebIDFederationProvider)
	row.UserIdentity = g(sUserIdentity)
	row.RequestParameters = g(sRequestParameters)
	row.ResponseElements = g(sResponseElements)
	row.AdditionalEventData = g(sAdditionalEventData)
	row.ServiceEventDetails = g(sServiceEventDetails)
	row.Resources = g(sResources)
	row.EdgeDeviceDetails = g(sEdgeDeviceDetails)
	row.Addendum = g(sAddendum)
	row.Unmapped = g(sUnmapped)
}

// repairUTF8 rebuilds buf with invalid sequences replaced by U+FFFD in every
// slot (slots never overlap: each was appended separately).
func (w *builder) repairUTF8() {
	nb := make([]byte, 0, len(w.buf)+64)
	for k := range w.sp {
		sp := w.sp[k]
		a := len(nb)
		nb = appendValidUTF8(nb, w.buf[sp.a:sp.b])
		w.sp[k] = span{a, len(nb)}
	}
	w.buf = nb
}
