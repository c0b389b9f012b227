package tenancy

import (
	"bytes"
	"errors"
	"time"
)

// ErrReclaim is returned by JudgeIdempotencyKey when the stored key is
// expired or abandoned: the store must overwrite it with the new claim,
// which the caller then owns.
var ErrReclaim = errors.New("tenancy: idempotency key may be claimed again")

// StoredKey is an idempotency key as a store found it.
type StoredKey struct {
	Hash      []byte
	Completed bool
	// Code and Body are the stored response when Completed.
	Code      *int
	Body      []byte
	CreatedAt time.Time
}

// JudgeIdempotencyKey decides a claim on a key that exists already, the
// same way for every adapter: an expired key, or one left in flight past
// the lease, returns ErrReclaim; another request's hash ErrMismatch; a
// completed key its response; a key in flight ErrConflict.
func JudgeIdempotencyKey(c IdempotencyClaim, k StoredKey) (*IdempotentResponse, error) {
	switch {
	case k.CreatedAt.Before(c.ExpiredBefore):
		return nil, ErrReclaim
	case !bytes.Equal(k.Hash, c.Hash):
		return nil, Errorf(ErrMismatch, "Idempotency-Key was used with a different request")
	case k.Completed && k.Code != nil:
		return &IdempotentResponse{Status: *k.Code, Body: bytes.Clone(k.Body)}, nil
	case !k.Completed && k.CreatedAt.Before(c.StaleBefore):
		return nil, ErrReclaim
	}
	return nil, Errorf(ErrConflict, "a request with this Idempotency-Key is in progress")
}
