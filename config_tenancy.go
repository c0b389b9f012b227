package autonomos

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/autonomos/autonomos/tenancy"
)

// readTenancyEnv reads AOS_RATE_LIMIT, AOS_RATE_LIMIT_FAIL and
// AOS_OPEN_REGISTRATION; a malformed value is kept for validate.
func (c *Config) readTenancyEnv() {
	if v := os.Getenv("AOS_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			c.envErr = fmt.Errorf("%w: AOS_RATE_LIMIT %q must be a positive number of requests per minute", ErrInvalidConfig, v)
		}
		c.RateLimit = n
	}
	if v := os.Getenv("AOS_RATE_LIMIT_FAIL"); v != "" {
		closed, err := ParseFailMode(v)
		if err != nil {
			c.envErr = err
		}
		c.RateLimitFailClosed = closed
	}
	if v := os.Getenv("AOS_OPEN_REGISTRATION"); v != "" {
		open, err := strconv.ParseBool(v)
		if err != nil {
			c.envErr = fmt.Errorf("%w: AOS_OPEN_REGISTRATION %q must be true or false", ErrInvalidConfig, v)
		}
		c.RegistrationClosed = !open
	}
}

// ParseFailMode reads a rate-limit failure mode: "open" (false) or
// "closed" (true).
func ParseFailMode(v string) (closed bool, err error) {
	switch strings.ToLower(v) {
	case "open":
		return false, nil
	case "closed":
		return true, nil
	}
	return false, fmt.Errorf("%w: AOS_RATE_LIMIT_FAIL %q must be open or closed", ErrInvalidConfig, v)
}

// validateTenancy reports the first invalid tenancy setting.
func (c Config) validateTenancy() error {
	if c.envErr != nil {
		return c.envErr
	}
	if c.RateLimit < 0 {
		return fmt.Errorf("%w: AOS_RATE_LIMIT must be positive", ErrInvalidConfig)
	}
	_, _, err := c.jwtKeys(nil)
	return err
}

// jwtKeys returns the signing key and the verify-only keys. localSecret
// is the secret to sign with when JWTSecret is empty (local mode).
func (c Config) jwtKeys(localSecret []byte) (tenancy.Key, []tenancy.Key, error) {
	kid := c.JWTKeyID
	if kid == "" {
		kid = "primary"
	}
	secret := []byte(c.JWTSecret)
	if len(secret) == 0 {
		secret = localSecret
	}
	signing := tenancy.Key{ID: kid, Secret: secret}
	var old []tenancy.Key
	for _, pair := range strings.Split(c.JWTVerifyKeys, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, sec, ok := strings.Cut(pair, ":")
		if !ok {
			return signing, nil, fmt.Errorf("%w: AOS_JWT_VERIFY_KEYS: each entry must be kid:secret", ErrInvalidConfig)
		}
		old = append(old, tenancy.Key{ID: id, Secret: []byte(sec)})
	}
	if localSecret == nil && len(secret) == 0 {
		// Checked again with the local key when the platform opens.
		return signing, old, nil
	}
	if _, err := tenancy.NewAuthenticator(signing, old, nil); err != nil {
		return signing, nil, fmt.Errorf("%w: AOS_JWT_SECRET / AOS_JWT_KID / AOS_JWT_VERIFY_KEYS: %s", ErrInvalidConfig, tenancy.PublicMessage(err))
	}
	return signing, old, nil
}

// Authenticator returns the token authenticator of the configured key set
// (AOS_JWT_SECRET, AOS_JWT_KID, AOS_JWT_VERIFY_KEYS), for tools that mint
// or check tokens without opening a platform. It fails with
// ErrInvalidConfig when AOS_JWT_SECRET is not set or the keys are invalid;
// a local data directory's generated key is reached through Open instead.
func (c Config) Authenticator() (*tenancy.Authenticator, error) {
	if c.JWTSecret == "" {
		return nil, fmt.Errorf("%w: AOS_JWT_SECRET is not set", ErrInvalidConfig)
	}
	signing, old, err := c.jwtKeys(nil)
	if err != nil {
		return nil, err
	}
	a, err := tenancy.NewAuthenticator(signing, old, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, tenancy.PublicMessage(err))
	}
	return a, nil
}
