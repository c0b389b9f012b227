package tenancy

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Token limits and defaults.
const (
	// MaxTokenBytes is the largest token Verify parses; a larger one is
	// refused before any decoding.
	MaxTokenBytes = 8 << 10
	// DefaultIssuer is the iss claim of issued tokens and the one required.
	DefaultIssuer = "autonomos"
	// DefaultAudience is the aud claim of issued tokens and the one required.
	DefaultAudience = "autonomos-api"
	// DefaultTokenTTL is the lifetime of an access token.
	DefaultTokenTTL = 30 * time.Minute
	// MaxLeeway is the largest clock skew tolerated on exp, iat and nbf.
	MaxLeeway = 30 * time.Second
	// MinKeyBytes is the shortest signing secret accepted.
	MinKeyBytes = 32
)

// kidRE is the shape of a key id: it names an entry of the configured key
// set and is never used for a lookup anywhere else.
var kidRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Key is one HS256 signing key of the key set.
type Key struct {
	// ID is the key id, the token header's kid: 1 to 64 letters, digits,
	// '_', '.' or '-'.
	ID string
	// Secret is the HMAC key, at least 32 bytes.
	Secret []byte
}

// TokenOptions configures NewAuthenticator. Nil means defaults.
type TokenOptions struct {
	// Issuer is the iss claim. Default "autonomos".
	Issuer string
	// Audience is the aud claim. Default "autonomos-api".
	Audience string
	// TTL is the token lifetime. Default 30 minutes.
	TTL time.Duration
	// Leeway is the clock skew tolerated; 0 to 30 s. Default 5 s.
	Leeway time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// Claims are what an access token says about its bearer.
type Claims struct {
	// UserID is the sub claim.
	UserID uuid.UUID
	// TenantID is the tenant_id claim.
	TenantID uuid.UUID
	// Role is the role claim.
	Role Role
	// ExpiresAt is the exp claim.
	ExpiresAt time.Time
}

// tokenClaims is the JSON body of an access token.
type tokenClaims struct {
	TenantID string `json:"tenant_id"`
	Role     string `json:"role"`
	jwt.RegisteredClaims
}

// Authenticator issues and verifies HS256 access tokens. It signs with one
// key of its key set and verifies with any of them, chosen by the token's
// kid: rotate by adding the new key as the signing key and keeping the old
// one for verification until the last token it signed has expired. Safe for
// concurrent use.
type Authenticator struct {
	signing Key
	keys    map[string][]byte
	opts    TokenOptions
	parser  *jwt.Parser
}

// NewAuthenticator returns an Authenticator signing with signing and also
// verifying with verifyOnly. Keys must have valid, distinct ids and secrets
// of at least 32 bytes; errors wrap ErrInvalid and never contain a secret.
func NewAuthenticator(signing Key, verifyOnly []Key, opts *TokenOptions) (*Authenticator, error) {
	var o TokenOptions
	if opts != nil {
		o = *opts
	}
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	if o.Audience == "" {
		o.Audience = DefaultAudience
	}
	if o.TTL == 0 {
		o.TTL = DefaultTokenTTL
	}
	if o.Leeway == 0 {
		o.Leeway = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TTL < 0 || o.Leeway < 0 || o.Leeway > MaxLeeway {
		return nil, fmt.Errorf("tenancy: authenticator: %w", invalidf("TTL must be positive and Leeway within 0..%s", MaxLeeway))
	}
	keys := make(map[string][]byte, 1+len(verifyOnly))
	for _, k := range append([]Key{signing}, verifyOnly...) {
		if !kidRE.MatchString(k.ID) {
			return nil, fmt.Errorf("tenancy: authenticator: %w", invalidf("key id %q must be 1 to 64 letters, digits, '_', '.' or '-'", truncate(k.ID, 70)))
		}
		if len(k.Secret) < MinKeyBytes {
			return nil, fmt.Errorf("tenancy: authenticator: %w", invalidf("key %q is shorter than %d bytes", k.ID, MinKeyBytes))
		}
		if _, dup := keys[k.ID]; dup {
			return nil, fmt.Errorf("tenancy: authenticator: %w", invalidf("key id %q is used twice", k.ID))
		}
		keys[k.ID] = append([]byte(nil), k.Secret...)
	}
	a := &Authenticator{signing: Key{ID: signing.ID, Secret: keys[signing.ID]}, keys: keys, opts: o}
	a.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(o.Issuer),
		jwt.WithAudience(o.Audience),
		jwt.WithLeeway(o.Leeway),
		jwt.WithTimeFunc(o.Now),
		jwt.WithStrictDecoding(),
	)
	return a, nil
}

// TTL returns the lifetime of issued tokens.
func (a *Authenticator) TTL() time.Duration { return a.opts.TTL }

// Issue signs a token for c (ExpiresAt is ignored: the token expires TTL
// from now) and returns it with its expiry. A nil id or invalid role wraps
// ErrInvalid.
func (a *Authenticator) Issue(c Claims) (string, time.Time, error) {
	if c.UserID == uuid.Nil || c.TenantID == uuid.Nil {
		return "", time.Time{}, fmt.Errorf("tenancy: issue token: %w", invalidf("user and tenant ids must be set"))
	}
	if !c.Role.Valid() {
		return "", time.Time{}, fmt.Errorf("tenancy: issue token: %w", invalidf("role %q is not valid", c.Role))
	}
	now := a.opts.Now().Truncate(time.Second)
	exp := now.Add(a.opts.TTL)
	tc := tokenClaims{
		TenantID: c.TenantID.String(),
		Role:     string(c.Role),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    a.opts.Issuer,
			Subject:   c.UserID.String(),
			Audience:  jwt.ClaimStrings{a.opts.Audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.NewString(),
		},
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, tc)
	t.Header["kid"] = a.signing.ID
	s, err := t.SignedString(a.signing.Secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("tenancy: issue token: %w", err)
	}
	return s, exp, nil
}

// errToken is the one error every rejected token gets, so the response
// never tells an attacker which check failed.
var errToken = Errorf(ErrUnauthorized, "invalid or expired token")

// Verify checks token and returns its claims. A token larger than 8 KiB is
// refused before parsing; otherwise the algorithm must be HS256, the kid
// must name a key of the key set, the signature must match, exp, iat, iss,
// aud, sub, tenant_id and role must be present and valid. Every failure
// returns the same error wrapping ErrUnauthorized; the reason is available
// to logs through VerifyReason.
func (a *Authenticator) Verify(token string) (Claims, error) {
	c, _, err := a.verify(token)
	return c, err
}

// VerifyReason is Verify that also returns why a token was refused, for
// logs and tests; the reason holds no part of the token.
func (a *Authenticator) VerifyReason(token string) (Claims, string, error) {
	return a.verify(token)
}

func (a *Authenticator) verify(token string) (Claims, string, error) {
	if len(token) > MaxTokenBytes {
		return Claims{}, "token larger than 8 KiB", errToken
	}
	if token == "" {
		return Claims{}, "no token", errToken
	}
	var tc tokenClaims
	_, err := a.parser.ParseWithClaims(token, &tc, a.keyFor)
	if err != nil {
		return Claims{}, reason(err), errToken
	}
	if tc.IssuedAt == nil {
		return Claims{}, "iat missing", errToken
	}
	var c Claims
	if c.UserID, err = uuid.Parse(tc.Subject); err != nil || c.UserID == uuid.Nil {
		return Claims{}, "sub is not a user id", errToken
	}
	if c.TenantID, err = uuid.Parse(tc.TenantID); err != nil || c.TenantID == uuid.Nil {
		return Claims{}, "tenant_id is not a tenant id", errToken
	}
	c.Role = Role(tc.Role)
	if !c.Role.Valid() {
		return Claims{}, "role is not valid", errToken
	}
	c.ExpiresAt = tc.ExpiresAt.Time
	return c, "", nil
}

// errUnknownKid is the keyfunc's refusal of a kid outside the key set.
var errUnknownKid = errors.New("kid is not in the key set")

// keyFor picks the verification key by kid from the configured set only:
// an absent, non-string or unknown kid is refused without any other lookup.
func (a *Authenticator) keyFor(t *jwt.Token) (any, error) {
	kid, ok := t.Header["kid"].(string)
	if !ok {
		return nil, errUnknownKid
	}
	key, ok := a.keys[kid]
	if !ok {
		return nil, errUnknownKid
	}
	return key, nil
}

// reason names a parse failure for logs.
func reason(err error) string {
	switch {
	case errors.Is(err, errUnknownKid):
		return "unknown kid"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature or algorithm"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unverifiable (algorithm or key)"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "required claim missing"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return "not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	}
	return "invalid"
}
