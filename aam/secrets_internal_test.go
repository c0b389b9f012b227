package aam

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func testKey() []byte { return bytes.Repeat([]byte{7}, 32) }

func TestParseSecretKey(t *testing.T) {
	t.Parallel()
	key := testKey()
	for _, s := range []string{
		hex.EncodeToString(key),
		" " + hex.EncodeToString(key) + "\n",
		base64.StdEncoding.EncodeToString(key),
		base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key),
	} {
		got, err := ParseSecretKey(s)
		require.NoError(t, err, s)
		require.Equal(t, key, got)
	}
	for _, bad := range []string{"", "correct horse battery staple", hex.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(key[:31])} {
		_, err := ParseSecretKey(bad)
		require.ErrorIs(t, err, ErrInvalid)
		if bad != "" {
			require.NotContains(t, err.Error(), bad, "the error never repeats the key")
		}
	}
}

func TestSealRoundTripAndBinding(t *testing.T) {
	t.Parallel()
	s, err := newSealer(testKey())
	require.NoError(t, err)
	tenant, conn := uuid.New(), uuid.New()
	secrets := map[string]string{"password": "hunter2", "token": "t0k"}

	sealed, err := s.seal(tenant, conn, secrets)
	require.NoError(t, err)
	require.Equal(t, sealVersion, sealed[0])
	require.NotContains(t, string(sealed), "hunter2")
	again, err := s.seal(tenant, conn, secrets)
	require.NoError(t, err)
	require.NotEqual(t, sealed, again, "a random nonce makes every seal different")

	got, err := s.open(tenant, conn, sealed)
	require.NoError(t, err)
	require.Equal(t, secrets, got)

	// Bound to its tenant and connection.
	_, err = s.open(tenant, uuid.New(), sealed)
	require.ErrorIs(t, err, errUnseal)
	_, err = s.open(uuid.New(), conn, sealed)
	require.ErrorIs(t, err, errUnseal)
	// Tampering and a wrong key are detected.
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	_, err = s.open(tenant, conn, bad)
	require.ErrorIs(t, err, errUnseal)
	other, err := newSealer(bytes.Repeat([]byte{8}, 32))
	require.NoError(t, err)
	_, err = other.open(tenant, conn, sealed)
	require.ErrorIs(t, err, errUnseal)
	_, err = s.open(tenant, conn, sealed[:5])
	require.ErrorIs(t, err, errUnseal)

	// No secrets seal to nothing; no key refuses secrets but not their absence.
	none, err := s.seal(tenant, conn, nil)
	require.NoError(t, err)
	require.Nil(t, none)
	nokey, err := newSealer(nil)
	require.NoError(t, err)
	_, err = nokey.seal(tenant, conn, secrets)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = nokey.open(tenant, conn, sealed)
	require.ErrorIs(t, err, ErrInvalid)
	empty, err := nokey.open(tenant, conn, nil)
	require.NoError(t, err)
	require.Empty(t, empty)
}

func TestRedactMasksSecretsButKeepsChain(t *testing.T) {
	t.Parallel()
	s := &session{secrets: []string{"hunter2"}}
	err := s.redact(&internalError{err: ErrConflict})
	require.Equal(t, "aam: conflict", err.Error(), "errors without secrets are kept as they are")
	wrapped := errFmt("dial user:hunter2@db: %w", ErrNotFound)
	red := s.redact(wrapped)
	require.NotContains(t, red.Error(), "hunter2")
	require.Contains(t, red.Error(), "[secret]")
	require.ErrorIs(t, red, ErrNotFound)
	var ie *internalError
	require.False(t, errorsAs(red, &ie))
}
