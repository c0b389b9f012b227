package tenancy_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/tenancy"
)

func TestHasherRoundTripAndPHC(t *testing.T) {
	t.Parallel()
	h, err := tenancy.NewHasher(nil)
	require.NoError(t, err)
	enc, err := h.Hash(t.Context(), "correct horse battery")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$"), enc)
	parts := strings.Split(enc, "$")
	require.Len(t, parts, 6)
	require.Len(t, parts[4], 22, "16-byte salt, unpadded base64")

	ok, rehash, err := h.Verify(t.Context(), enc, "correct horse battery")
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, rehash)
	ok, _, err = h.Verify(t.Context(), enc, "correct horse batterY")
	require.NoError(t, err)
	require.False(t, ok)

	enc2, err := h.Hash(t.Context(), "correct horse battery")
	require.NoError(t, err)
	require.NotEqual(t, enc, enc2, "a new salt every time")
}

func TestHasherRehashWhenParamsChange(t *testing.T) {
	t.Parallel()
	old, err := tenancy.NewHasher(nil)
	require.NoError(t, err)
	enc, err := old.Hash(t.Context(), "correct horse battery")
	require.NoError(t, err)
	stronger := tenancy.DefaultHashParams
	stronger.Time = 3
	h, err := tenancy.NewHasher(&tenancy.HasherOptions{Params: stronger})
	require.NoError(t, err)
	ok, rehash, err := h.Verify(t.Context(), enc, "correct horse battery")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, rehash)
}

func TestHasherRefusesWeakOrHostileParams(t *testing.T) {
	t.Parallel()
	weak := tenancy.DefaultHashParams
	weak.Memory = 8 * 1024
	_, err := tenancy.NewHasher(&tenancy.HasherOptions{Params: weak})
	require.ErrorIs(t, err, tenancy.ErrInvalid)
	weak = tenancy.DefaultHashParams
	weak.Time = 1
	_, err = tenancy.NewHasher(&tenancy.HasherOptions{Params: weak})
	require.ErrorIs(t, err, tenancy.ErrInvalid)

	h, err := tenancy.NewHasher(nil)
	require.NoError(t, err)
	for _, enc := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", // 4 GiB
		"$argon2id$v=19$m=19456,t=1000,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		_, _, err := h.Verify(t.Context(), enc, "whatever password")
		require.ErrorIs(t, err, tenancy.ErrInvalid, enc)
	}
}

// TestHasherQueueBound: with one slot and a queue of two, a burst of
// callers gets ErrBusy beyond the bound instead of piling up hashes.
func TestHasherQueueBound(t *testing.T) {
	t.Parallel()
	h, err := tenancy.NewHasher(&tenancy.HasherOptions{MaxConcurrent: 1, MaxQueue: 2})
	require.NoError(t, err)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.Hash(context.Background(), "correct horse battery")
		}()
	}
	wg.Wait()
	busy, ok := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			require.ErrorIs(t, err, tenancy.ErrBusy)
			busy++
		}
	}
	require.Positive(t, busy, "some callers are turned away")
	require.GreaterOrEqual(t, ok, 1)
	require.LessOrEqual(t, ok, n)
}

func TestValidatePasswordAndNames(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, tenancy.ValidatePassword("short"), tenancy.ErrInvalid)
	require.ErrorIs(t, tenancy.ValidatePassword(strings.Repeat("x", 257)), tenancy.ErrInvalid)
	require.ErrorIs(t, tenancy.ValidatePassword("\xff\xfe invalid utf8 pw"), tenancy.ErrInvalid)
	require.NoError(t, tenancy.ValidatePassword("twelve chars"))
	require.NoError(t, tenancy.ValidatePassword("ééééééééééé!"), "characters, not bytes")

	for _, bad := range []string{"", "../evil", "/abs", strings.Repeat("a", 64), "a b", "naïve", "a\x00b"} {
		require.ErrorIs(t, tenancy.ValidateTenantName(bad), tenancy.ErrInvalid, "%.20q", bad)
	}
	for _, good := range []string{"a", "Acme_Corp-2", strings.Repeat("a", 63)} {
		require.NoError(t, tenancy.ValidateTenantName(good))
	}
	e, err := tenancy.NormalizeEmail("  Ann@Example.COM ")
	require.NoError(t, err)
	require.Equal(t, "ann@example.com", e)
	for _, bad := range []string{"", "ann", "Ann <ann@example.com>", "a@b@c", strings.Repeat("a", 250) + "@example.com"} {
		_, err := tenancy.NormalizeEmail(bad)
		require.ErrorIs(t, err, tenancy.ErrInvalid, bad)
	}
}
