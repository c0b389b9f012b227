package httpapi

import (
	"errors"
	"strings"
	"testing"
)

// FuzzDecodeJSON: decoding any request body either fills the request or
// fails with a client error (400 or 413), never a panic or an internal
// error, and the error never echoes the body.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"tenant_name":"acme","email":"a@acme.example","password":"correct horse"}`,
		`{"email":"a@b.c","password":"x"}`, `{}`, `[]`, `null`, ``, `{"a":1}`, `{"email":1}`,
		`{"email":"a"} {}`, `{"email":"\u0000"}`, `{"email":"` + strings.Repeat("x", 300) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req registerRequest
		err := decodeJSON(strings.NewReader(string(body)), &req)
		if err == nil {
			return
		}
		var ae *Error
		if !errors.As(err, &ae) {
			t.Fatalf("not an API error: %v", err)
		}
		if ae.Code != CodeInvalid && ae.Code != CodeTooLarge {
			t.Fatalf("code %q for a bad body", ae.Code)
		}
		if len(body) > 8 && strings.Contains(ae.Message, string(body)) {
			t.Fatalf("message echoes the body: %q", ae.Message)
		}
	})
}
