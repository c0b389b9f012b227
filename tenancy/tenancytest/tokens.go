package tenancytest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

// BadToken is a token an Authenticator must refuse, with what is wrong
// with it.
type BadToken struct {
	Name  string
	Token string
}

// BadTokens returns one token of every kind an Authenticator configured
// with key (issuer and audience at their defaults) must refuse, each
// otherwise valid for the given user, tenant and role: alg none, HS512,
// RS256-labelled (signed with an RSA key, and HMAC-signed under an RS256
// header), expired, without exp, without iat, wrong iss, wrong aud, a
// tampered payload, a wrong key, an unknown kid, a kid that is a path, no
// kid, and a 1 MB token.
func BadTokens(key tenancy.Key, user, tenant uuid.UUID, role tenancy.Role) []BadToken {
	now := time.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{
			"iss": tenancy.DefaultIssuer, "aud": []string{tenancy.DefaultAudience},
			"sub": user.String(), "tenant_id": tenant.String(), "role": string(role),
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		}
	}
	sign := func(m jwt.SigningMethod, claims jwt.MapClaims, kid string, secret any) string {
		t := jwt.NewWithClaims(m, claims)
		if kid != "" {
			t.Header["kid"] = kid
		}
		s, err := t.SignedString(secret)
		if err != nil {
			panic(err)
		}
		return s
	}
	with := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := base()
		edit(c)
		return c
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	valid := sign(jwt.SigningMethodHS256, base(), key.ID, key.Secret)
	parts := strings.Split(valid, ".")
	otherRole := "admin"
	if role == tenancy.RoleAdmin {
		otherRole = "viewer"
	}
	tamperedClaims := base()
	tamperedClaims["role"] = otherRole
	tamperedPayload := jwt.NewWithClaims(jwt.SigningMethodHS256, tamperedClaims)
	tp, _ := tamperedPayload.SigningString()
	tampered := parts[0] + "." + strings.Split(tp, ".")[1] + "." + parts[2]

	// An RS256 header over an HMAC signature made with the HS key: the
	// classic algorithm-confusion attack.
	confused := jwt.NewWithClaims(jwt.SigningMethodHS256, base())
	confused.Header["alg"] = "RS256"
	confused.Header["kid"] = key.ID
	cs, _ := confused.SigningString()
	mac, _ := jwt.SigningMethodHS256.Sign(cs, key.Secret)
	confusedToken := cs + "." + base64.RawURLEncoding.EncodeToString(mac)

	wrongKey := make([]byte, 32)
	_, _ = rand.Read(wrongKey)
	huge := with(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("A", 1<<20) })

	return []BadToken{
		{"alg none", sign(jwt.SigningMethodNone, base(), key.ID, jwt.UnsafeAllowNoneSignatureType)},
		{"HS512", sign(jwt.SigningMethodHS512, base(), key.ID, key.Secret)},
		{"RS256 signed with RSA", sign(jwt.SigningMethodRS256, base(), key.ID, rsaKey)},
		{"RS256 label over HMAC", confusedToken},
		{"expired", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) {
			c["exp"] = now.Add(-2 * time.Minute).Unix()
			c["iat"] = now.Add(-40 * time.Minute).Unix()
		}), key.ID, key.Secret)},
		{"no exp", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "exp") }), key.ID, key.Secret)},
		{"no iat", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "iat") }), key.ID, key.Secret)},
		{"wrong iss", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["iss"] = "evil" }), key.ID, key.Secret)},
		{"wrong aud", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["aud"] = "other-api" }), key.ID, key.Secret)},
		{"tampered payload", tampered},
		{"wrong key", sign(jwt.SigningMethodHS256, base(), key.ID, wrongKey)},
		{"unknown kid", sign(jwt.SigningMethodHS256, base(), "retired-2019", key.Secret)},
		{"kid path", sign(jwt.SigningMethodHS256, base(), "../../etc/passwd", key.Secret)},
		{"no kid", sign(jwt.SigningMethodHS256, base(), "", key.Secret)},
		{"bad tenant_id", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["tenant_id"] = "acme" }), key.ID, key.Secret)},
		{"bad role", sign(jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["role"] = "root" }), key.ID, key.Secret)},
		{"1 MB", sign(jwt.SigningMethodHS256, huge, key.ID, key.Secret)},
		{"garbage", "not.a.token"},
	}
}
