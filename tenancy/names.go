package tenancy

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Limits on names and secrets accepted from outside.
const (
	// MaxTenantNameLen is the longest tenant name, in bytes (all of its
	// characters are ASCII).
	MaxTenantNameLen = 63
	// MinPasswordLen is the fewest characters a password may have.
	MinPasswordLen = 12
	// MaxPasswordBytes is the most bytes a password may have; it bounds the
	// work of hashing one.
	MaxPasswordBytes = 256
	// MaxEmailLen is the longest e-mail address, in bytes (RFC 5321).
	MaxEmailLen = 254
)

// ValidateTenantName reports why name cannot name a tenant: it must have
// 1 to 63 characters, each an ASCII letter, a digit, '-' or '_'. The error
// wraps ErrInvalid. Uniqueness is the store's to check.
func ValidateTenantName(name string) error {
	if name == "" {
		return invalidf("tenant name is empty")
	}
	if len(name) > MaxTenantNameLen {
		return invalidf("tenant name has %d characters, at most %d are allowed", len(name), MaxTenantNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalidf("tenant name %q may hold only letters, digits, '-' and '_'", truncate(name, 80))
		}
	}
	return nil
}

// NormalizeEmail checks an e-mail address and returns its stored form:
// trimmed and lower-cased, so that logins ignore case. It accepts a bare
// address (no display name) of at most 254 bytes; the error wraps
// ErrInvalid.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", invalidf("email is empty")
	}
	if len(e) > MaxEmailLen {
		return "", invalidf("email is longer than %d bytes", MaxEmailLen)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", invalidf("email %q is not a plain address like name@example.com", truncate(e, 80))
	}
	return e, nil
}

// ValidatePassword reports why password cannot be set: fewer than 12
// characters, more than 256 bytes, or not UTF-8. The error wraps
// ErrInvalid and never contains the password.
func ValidatePassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return invalidf("password is not valid UTF-8")
	case len(password) > MaxPasswordBytes:
		return invalidf("password is longer than %d bytes", MaxPasswordBytes)
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return invalidf("password has fewer than %d characters", MinPasswordLen)
	}
	return nil
}

// truncate shortens s to at most n bytes on a rune boundary, for error
// messages that quote outside input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
