package aam

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

const (
	secretKeySize = 32
	// sealVersion is the first byte of every sealed blob: the format
	// (AES-256-GCM, 12-byte random nonce, JSON object of secret
	// parameters, tenant and connection id as additional data).
	sealVersion byte = 1
	sealAADTag       = "aam/connection-secrets/v1"
)

// errUnseal is what every failure to open sealed secrets wraps: a wrong key,
// a blob moved to another connection, or a damaged blob. Its message never
// carries secret material.
var errUnseal = errors.New("aam: cannot open connection secrets (wrong AOS_SECRET_KEY, or the sealed value belongs to another connection)")

// ParseSecretKey turns the AOS_SECRET_KEY setting into the 32-byte key of
// Options.SecretKey. It accepts 64 hexadecimal characters, or the standard
// or URL-safe base64 encoding (padded or not) of 32 bytes; surrounding white
// space is ignored. Passphrases are refused on purpose: a key derived from
// a guessable phrase would make the encryption only as strong as the
// phrase. Generate one with `openssl rand -hex 32`. The error wraps
// ErrInvalid and never repeats the input.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: secret key is empty", ErrInvalid)
	}
	if len(s) == 2*secretKeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == secretKeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: secret key must be 64 hex characters or base64 of 32 bytes (e.g. from `openssl rand -hex 32`)", ErrInvalid)
}

// sealer encrypts and decrypts the secret parameters of connections. It is
// immutable and safe for concurrent use.
type sealer struct {
	aead cipher.AEAD // nil without a key
}

func newSealer(key []byte) (*sealer, error) {
	if key == nil {
		return &sealer{}, nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: Options.SecretKey: %v", ErrInvalid, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: Options.SecretKey: %v", ErrInvalid, err)
	}
	return &sealer{aead: aead}, nil
}

// aad binds a sealed blob to its tenant and connection, so it cannot be
// copied to another connection's row and opened there.
func sealAAD(tenant, conn uuid.UUID) []byte {
	b := make([]byte, 0, len(sealAADTag)+32)
	b = append(b, sealAADTag...)
	b = append(b, tenant[:]...)
	return append(b, conn[:]...)
}

// seal encrypts secrets; no secrets seal to nil.
func (s *sealer) seal(tenant, conn uuid.UUID, secrets map[string]string) ([]byte, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	if s.aead == nil {
		return nil, fmt.Errorf("%w: the connection has secret parameters but Options.SecretKey (AOS_SECRET_KEY) is not set", ErrInvalid)
	}
	plain, err := json.Marshal(secrets)
	if err != nil {
		return nil, fmt.Errorf("aam: seal secrets: %w", err)
	}
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("aam: seal secrets: %w", err)
	}
	out = s.aead.Seal(out, out[1:], plain, sealAAD(tenant, conn))
	clear(plain)
	return out, nil
}

// open decrypts a sealed blob; nil opens to no secrets.
func (s *sealer) open(tenant, conn uuid.UUID, sealed []byte) (map[string]string, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	if s.aead == nil {
		return nil, fmt.Errorf("%w: the connection has sealed secrets but Options.SecretKey (AOS_SECRET_KEY) is not set", ErrInvalid)
	}
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errUnseal
	}
	plain, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], sealAAD(tenant, conn))
	if err != nil {
		return nil, errUnseal
	}
	var secrets map[string]string
	err = json.Unmarshal(plain, &secrets)
	clear(plain)
	if err != nil {
		return nil, errUnseal
	}
	return secrets, nil
}
