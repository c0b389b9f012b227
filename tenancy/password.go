package tenancy

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// HashParams are Argon2id parameters. The zero value is not usable; start
// from DefaultHashParams.
type HashParams struct {
	// Memory is the memory cost in KiB; at least 19 MiB (19456).
	Memory uint32
	// Time is the number of passes; at least 2.
	Time uint32
	// Threads is the parallelism; at least 1.
	Threads uint8
	// KeyLen is the hash length in bytes; 16 to 64.
	KeyLen uint32
}

// DefaultHashParams are the OWASP-recommended minimum for Argon2id:
// m = 19 MiB, t = 2, p = 1, with a 32-byte hash. Each hash in progress
// holds m of memory.
var DefaultHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32}

// SaltLen is the length of the random salt of every new hash.
const SaltLen = 16

// Bounds on the parameters of a stored hash, so that a corrupted or hostile
// row cannot make one verification take gigabytes or minutes.
const (
	minMemoryKiB = 19 * 1024
	maxMemoryKiB = 256 * 1024
	minTime      = 2
	maxTime      = 16
	maxThreads   = 16
)

func (p HashParams) validate() error {
	switch {
	case p.Memory < minMemoryKiB || p.Memory > maxMemoryKiB:
		return invalidf("argon2id memory %d KiB is outside %d..%d", p.Memory, minMemoryKiB, maxMemoryKiB)
	case p.Time < minTime || p.Time > maxTime:
		return invalidf("argon2id time %d is outside %d..%d", p.Time, minTime, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return invalidf("argon2id threads %d is outside 1..%d", p.Threads, maxThreads)
	case p.KeyLen < 16 || p.KeyLen > 64:
		return invalidf("argon2id key length %d is outside 16..64", p.KeyLen)
	}
	return nil
}

// HasherOptions configures NewHasher. Nil means defaults.
type HasherOptions struct {
	// Params are the parameters of new hashes. Default DefaultHashParams.
	Params HashParams
	// MaxConcurrent caps the hashes computed at once, which bounds the
	// memory they hold to MaxConcurrent × Params.Memory. Default: the
	// number of CPUs (GOMAXPROCS), at most 4.
	MaxConcurrent int
	// MaxQueue caps the callers waiting for a hashing slot; one more fails
	// at once with ErrBusy (HTTP 503). Default 128.
	MaxQueue int
}

// Hasher hashes and verifies passwords with Argon2id, encoded as PHC
// strings ($argon2id$v=19$m=...,t=...,p=...$salt$hash). It caps the hashes
// running at once and the callers queued for them. Safe for concurrent use.
type Hasher struct {
	params  HashParams
	slots   chan struct{}
	queue   int64
	waiting atomic.Int64

	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

// NewHasher returns a Hasher; invalid options wrap ErrInvalid.
func NewHasher(opts *HasherOptions) (*Hasher, error) {
	var o HasherOptions
	if opts != nil {
		o = *opts
	}
	if o.Params == (HashParams{}) {
		o.Params = DefaultHashParams
	}
	if err := o.Params.validate(); err != nil {
		return nil, fmt.Errorf("tenancy: hasher: %w", err)
	}
	if o.MaxConcurrent == 0 {
		o.MaxConcurrent = min(runtime.GOMAXPROCS(0), 4)
	}
	if o.MaxQueue == 0 {
		o.MaxQueue = 128
	}
	if o.MaxConcurrent < 0 || o.MaxQueue < 0 {
		return nil, fmt.Errorf("tenancy: hasher: %w", invalidf("MaxConcurrent and MaxQueue must not be negative"))
	}
	return &Hasher{params: o.Params, slots: make(chan struct{}, o.MaxConcurrent), queue: int64(o.MaxQueue)}, nil
}

// Params returns the parameters of new hashes.
func (h *Hasher) Params() HashParams { return h.params }

// acquire takes a hashing slot, waiting in a bounded queue. A full queue
// fails with ErrBusy at once; an ended ctx with its error.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	if h.waiting.Add(1) > h.queue {
		h.waiting.Add(-1)
		return Errorf(ErrBusy, "too many password checks at once; retry shortly")
	}
	defer h.waiting.Add(-1)
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("tenancy: password hashing: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of password with a new 16-byte random salt
// and the Hasher's parameters. It does not judge the password; see
// ValidatePassword. Errors: ErrBusy when the queue is full, ctx's error.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("tenancy: password salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded, comparing
// in constant time, and whether the hash should be replaced because its
// parameters differ from the Hasher's. A malformed or out-of-bounds string
// wraps ErrInvalid; ErrBusy and ctx's error as for Hash.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, false, fmt.Errorf("tenancy: verify password: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, p != h.params || len(salt) != SaltLen, nil
}

// VerifyDummy does the work of a Verify that fails, against a hash made
// once with the Hasher's parameters, so that a login for an unknown e-mail
// takes as long as one with a wrong password. It returns only ErrBusy or
// ctx's error.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	h.dummyOnce.Do(func() {
		var b [24]byte
		_, _ = rand.Read(b[:])
		h.dummy, h.dummyErr = h.Hash(context.Background(), base64.RawStdEncoding.EncodeToString(b[:]))
	})
	if h.dummyErr != nil {
		return h.dummyErr
	}
	_, _, err := h.Verify(ctx, h.dummy, password)
	return err
}

var b64 = base64.RawStdEncoding

func encodePHC(p HashParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodePHC parses an Argon2id PHC string and checks its parameters
// against the bounds.
func decodePHC(s string) (HashParams, []byte, []byte, error) {
	var p HashParams
	if len(s) > 512 {
		return p, nil, nil, invalidf("password hash is too long")
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, invalidf("password hash is not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, invalidf("password hash has an unsupported argon2 version")
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 || threads > maxThreads {
		return p, nil, nil, invalidf("password hash has malformed parameters")
	}
	p.Threads = uint8(threads)
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, invalidf("password hash has a malformed salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, invalidf("password hash has a malformed hash")
	}
	p.KeyLen = uint32(len(key))
	if err := p.validate(); err != nil {
		return p, nil, nil, err
	}
	return p, salt, key, nil
}
