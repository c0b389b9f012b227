package autonomos

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/pgstore"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/memlimit"
	"github.com/autonomos/autonomos/tenancy/redislimit"
)

// localJWTKeyFile holds the generated token-signing key of a local data
// directory when AOS_JWT_SECRET is not set.
const localJWTKeyFile = "jwt.key"

// openTenancy builds the tenancy store of the mode's backend, the token
// authenticator, the Service and the rate limiter.
func (p *Platform) openTenancy() error {
	var (
		store  tenancy.Store
		driver tenancy.LimitDriver
	)
	switch p.mode {
	case ModeLocal:
		s, err := duckstore.NewTenancy(p.control)
		if err != nil {
			return err
		}
		store, driver = s, memlimit.New()
	case ModeProduction:
		s, err := pgstore.NewTenancy(p.pg)
		if err != nil {
			return err
		}
		d, err := redislimit.New(p.redis, nil)
		if err != nil {
			return err
		}
		store, driver = s, d
	}
	var local []byte
	if p.cfg.JWTSecret == "" && p.mode == ModeLocal {
		k, err := p.localJWTKey()
		if err != nil {
			return err
		}
		local = k
	}
	signing, old, err := p.cfg.jwtKeys(local)
	if err != nil {
		return err
	}
	auth, err := tenancy.NewAuthenticator(signing, old, nil)
	if err != nil {
		return fmt.Errorf("%w: tokens: %s", ErrInvalidConfig, tenancy.PublicMessage(err))
	}
	svc, err := tenancy.NewService(store, auth, &tenancy.Options{Logger: p.log})
	if err != nil {
		return err
	}
	lim, err := tenancy.NewRateLimiter(driver, &tenancy.LimiterOptions{
		PerMinute: p.cfg.RateLimit, Tenants: store, FailClosed: p.cfg.RateLimitFailClosed,
		Registerer: p.metrics, Logger: p.log,
	})
	if err != nil {
		return err
	}
	p.tenancy, p.limiter = svc, lim
	return nil
}

// localJWTKey reads the data directory's signing key, generating it once.
func (p *Platform) localJWTKey() ([]byte, error) {
	return readOrCreateKeyFile(filepath.Join(p.cfg.DataDir, localJWTKeyFile), "token key")
}

// readOrCreateKeyFile returns the hex key kept in path (trimmed),
// generating a random 32-byte key into it (mode 0600) the first time.
func readOrCreateKeyFile(path, what string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		var k [32]byte
		if _, err := rand.Read(k[:]); err != nil {
			return nil, err
		}
		b = []byte(hex.EncodeToString(k[:]))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("autonomos: write local %s: %w", what, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("autonomos: read local %s: %w", what, err)
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

// Tenancy returns the platform's tenancy service: tenants, users, tokens,
// idempotency keys and the audit log, on the mode's backend.
func (p *Platform) Tenancy() *tenancy.Service { return p.tenancy }

// RateLimiter returns the per-tenant rate limiter: Redis in production
// mode, in process in local mode.
func (p *Platform) RateLimiter() *tenancy.RateLimiter { return p.limiter }
