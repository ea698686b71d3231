package generate

import (
	"math/rand/v2"
	"strconv"
)

// mix is splitmix64: a cheap, well-distributed 64-bit hash step.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// h hashes a sequence of integers into one 64-bit value.
func h(vals ...uint64) uint64 {
	x := uint64(0x5eC1a4e)
	for _, v := range vals {
		x = mix(x ^ v)
	}
	return x
}

func hs(s string) uint64 {
	x := uint64(1469598103934665603)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return mix(x)
}

// Streams of randomness, so that adding a draw in one never shifts another.
const (
	streamOrg uint64 = iota + 1
	streamCloudTrail
	streamVPC
	streamS3
	streamScenario
	streamKey
	streamIP
	streamID
)

func newRand(seed int64, stream uint64, parts ...uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), h(append([]uint64{stream}, parts...)...)))
}

const hexdigits = "0123456789abcdef"

// appendUUID writes a version-4 shaped UUID derived from r.
func appendUUID(b []byte, r uint64) []byte {
	a, c := mix(r), mix(r^0xa5a5a5a5a5a5a5a5)
	a = a&^(0xf<<12) | 4<<12 // version nibble at hex position 12
	c = c&^(0x3<<62) | 0x2<<62
	var u [32]byte
	for i := 0; i < 16; i++ {
		u[15-i] = hexdigits[a&0xf]
		a >>= 4
		u[31-i] = hexdigits[c&0xf]
		c >>= 4
	}
	b = append(b, u[0:8]...)
	b = append(b, '-')
	b = append(b, u[8:12]...)
	b = append(b, '-')
	b = append(b, u[12:16]...)
	b = append(b, '-')
	b = append(b, u[16:20]...)
	b = append(b, '-')
	return append(b, u[20:32]...)
}

func uuidString(r uint64) string { return string(appendUUID(nil, r)) }

func appendHex(b []byte, r uint64, n int) []byte {
	for i := 0; i < n; i++ {
		if i > 0 && i%16 == 0 {
			r = mix(r)
		}
		b = append(b, hexdigits[(r>>(4*(i%16)))&0xf])
	}
	return b
}

func hexString(r uint64, n int) string { return string(appendHex(nil, r, n)) }

const upperHex = "0123456789ABCDEF"

func upperHexString(r uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		if i > 0 && i%16 == 0 {
			r = mix(r)
		}
		b[i] = upperHex[(r>>(4*(i%16)))&0xf]
	}
	return string(b)
}

// base32 alphabet used by IAM unique ids and access key ids.
const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func appendB32(b []byte, r uint64, n int) []byte {
	for i := 0; i < n; i++ {
		if i > 0 && i%12 == 0 {
			r = mix(r)
		}
		b = append(b, b32[(r>>(5*(i%12)))&31])
	}
	return b
}

// accessKeyID returns prefix (AKIA or ASIA) + 16 base32 characters.
func accessKeyID(prefix string, r uint64) string {
	return string(appendB32([]byte(prefix), r, 16))
}

// uniqueID returns an IAM unique id: prefix (AIDA, AROA, …) + 17 characters.
func uniqueID(prefix string, r uint64) string {
	return string(appendB32([]byte(prefix), r, 17))
}

func itoa(i int) string { return strconv.Itoa(i) }
