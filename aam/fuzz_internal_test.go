package aam

import (
	"bytes"
	"testing"

	"github.com/google/uuid"
)

// FuzzParseSecretKey checks that any AOS_SECRET_KEY value either parses to
// a 32-byte key or is refused with an error that does not repeat it.
func FuzzParseSecretKey(f *testing.F) {
	f.Add("0707070707070707070707070707070707070707070707070707070707070707")
	f.Add("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=")
	f.Add("correct horse battery staple")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseSecretKey(s)
		if err != nil {
			if len(s) > 8 && bytes.Contains([]byte(err.Error()), []byte(s)) {
				t.Fatalf("error repeats the input: %v", err)
			}
			return
		}
		if len(key) != secretKeySize {
			t.Fatalf("key of %d bytes", len(key))
		}
	})
}

// FuzzOpenSealed checks that opening arbitrary stored bytes never panics
// and that whatever opens is a well-formed blob of the current version.
func FuzzOpenSealed(f *testing.F) {
	s, err := newSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	tenant, conn := uuid.MustParse("11111111-1111-4111-8111-111111111111"), uuid.MustParse("22222222-2222-4222-8222-222222222222")
	good, err := s.seal(tenant, conn, map[string]string{"password": "p"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		secrets, err := s.open(tenant, conn, b)
		if err == nil && len(b) > 0 && (b[0] != sealVersion || secrets == nil) {
			t.Fatalf("opened malformed bytes %x to %v", b, secrets)
		}
	})
}

// TestOpenRefusesEveryBitFlip checks the authentication of sealed blobs:
// no single flipped bit opens.
func TestOpenRefusesEveryBitFlip(t *testing.T) {
	t.Parallel()
	s, err := newSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	tenant, conn := uuid.New(), uuid.New()
	good, err := s.seal(tenant, conn, map[string]string{"password": "p"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(good) * 8 {
		b := bytes.Clone(good)
		b[i/8] ^= 1 << (i % 8)
		if _, err := s.open(tenant, conn, b); err == nil {
			t.Fatalf("bit %d flipped still opens", i)
		}
	}
}
