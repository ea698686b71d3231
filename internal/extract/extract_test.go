package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/seclake/seclake/internal/entity"
)

func TestRedactUserNameKeys(t *testing.T) {
	r := &entity.Redactor{Mode: "hmac", Key: []byte("0123456789abcdef")}
	alice := r.Apply(entity.IAMUserName, "alice")
	cases := map[string]string{
		`{"userName":"alice"}`:                                `{"userName":"` + alice + `"}`,
		`{"userName" : "alice", "x": 1}`:                      `{"userName" : "` + alice + `", "x": 1}`,
		`{"accessKey":{"userName":"alice","status":"A"}}`:     `{"accessKey":{"userName":"` + alice + `","status":"A"}}`,
		`{"userName":null}`:                                   `{"userName":null}`,
		`{"user":"arn:aws:iam::111122223333:user/ops/alice"}`: `{"user":"arn:aws:iam::111122223333:user/ops/` + alice + `"}`,
		`{"bucket":"arn:aws:s3:::b", "p": "x:user/y"}`:        `{"bucket":"arn:aws:s3:::b", "p": "x:user/y"}`,
		`no json at all`:                                      `no json at all`,
		`{"userName":"unterminated`:                           `{"userName":"unterminated`,
	}
	for in, want := range cases {
		if got := redactUserNameKeys(r, in); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func FuzzRedactUserNameKeys(f *testing.F) {
	for _, s := range []string{`{"userName":"a"}`, `arn:aws:iam::1:user/x`, `"userName":`, `:user/`} {
		f.Add(s)
	}
	r := &entity.Redactor{Mode: "redact"}
	f.Fuzz(func(t *testing.T, s string) {
		out := redactUserNameKeys(r, s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from valid input")
		}
		if !strings.Contains(s, "userName") && !strings.Contains(s, ":user/") && out != s {
			t.Fatalf("changed text without user names")
		}
	})
}

// TestViewColumn: the view array references each string (no copy) and reads back every value, inline (≤12 bytes) or not, with ""
// as null; reused scratch gives the same.
func TestViewColumn(t *testing.T) {
	vals := []string{"", "short", "exactly12byt", "thirteen byte", "", strings.Repeat("x", 5000), "nul\x00inside a long one", "{}"}
	get := func(i int) string { return vals[i] }
	sc := new(viewScratch)
	for round := 0; round < 2; round++ {
		a := viewColumn(sc, len(vals), get)
		if a.Len() != len(vals) || a.NullN() != 2 {
			t.Fatalf("len %d nulls %d", a.Len(), a.NullN())
		}
		for i, v := range vals {
			if a.IsNull(i) != (v == "") || a.Value(i) != v {
				t.Errorf("row %d: null %v value %q, want %q", i, a.IsNull(i), a.Value(i), v)
			}
			if len(v) > 12 && unsafe.StringData(a.Value(i)) != unsafe.StringData(v) {
				t.Errorf("row %d: value copied", i)
			}
		}
		a.Release()
	}
	if viewColumn(sc, 2, func(int) string { return "" }) != nil {
		t.Error("an all-empty column is not left out")
	}
}
