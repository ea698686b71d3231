package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

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
