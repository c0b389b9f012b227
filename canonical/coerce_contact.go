package canonical

import (
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

func coerceEmail(v any) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, "not text"
	}
	if !utf8.ValidString(s) {
		return nil, reasonBadUTF8
	}
	s = strings.TrimSpace(s)
	if len(s) > 320 {
		return nil, reasonTooLong
	}
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimSpace(s[7:])
	}
	if strings.ContainsAny(s, "<>") {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, "not an e-mail address"
		}
		s = a.Address
	}
	s = strings.ToLower(s)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.IndexByte(domain, '@') >= 0 {
		return nil, "want exactly one @"
	}
	if reason := checkEmailLocal(local); reason != "" {
		return nil, reason
	}
	if reason := checkDomain(domain, true); reason != "" {
		return nil, reason
	}
	return s, ""
}

// checkEmailLocal applies RFC 5322 dot-atom rules (non-ASCII letters are
// allowed, as RFC 6531 does).
func checkEmailLocal(local string) string {
	if local == "" || len(local) > 64 {
		return "local part must have 1 to 64 characters"
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "misplaced dot in local part"
	}
	for _, r := range local {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r >= utf8.RuneSelf && r != utf8.RuneError:
		case strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r):
		default:
			return "character " + strconv.QuoteRune(r) + " not allowed in local part"
		}
	}
	return ""
}

// checkDomain validates a lower-case DNS name: labels of letters, digits
// and hyphens (non-ASCII letters allowed), no label starting or ending with
// a hyphen. needDot requires at least two labels.
func checkDomain(domain string, needDot bool) string {
	if domain == "" || len(domain) > 253 {
		return "domain must have 1 to 253 characters"
	}
	labels := strings.Split(domain, ".")
	if needDot && len(labels) < 2 {
		return "domain has no top-level domain"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "domain label must have 1 to 63 characters"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "domain label starts or ends with a hyphen"
		}
		for _, r := range l {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r >= utf8.RuneSelf && r != utf8.RuneError:
			default:
				return "character " + strconv.QuoteRune(r) + " not allowed in domain"
			}
		}
	}
	return ""
}

func coerceURL(v any) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, "not text"
	}
	if !utf8.ValidString(s) {
		return nil, reasonBadUTF8
	}
	s = strings.TrimSpace(s)
	if len(s) > 2048 {
		return nil, reasonTooLong
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return nil, "contains white space or control characters"
		}
	}
	switch {
	case strings.HasPrefix(s, "//"):
		s = "https:" + s
	case !hasScheme(s):
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, "not a URL"
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, "scheme " + strconv.Quote(u.Scheme) + " is not http or https"
	}
	if u.Opaque != "" {
		return nil, "not a URL"
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return nil, "no host"
	}
	if ip := net.ParseIP(host); ip == nil && host != "localhost" {
		if reason := checkDomain(host, true); reason != "" {
			return nil, reason
		}
	} else if ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, "invalid port"
		}
		host += ":" + p
	}
	u.Host = host
	if u.Path == "/" && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery {
		u.Path, u.RawPath = "", ""
	}
	return u.String(), ""
}

// hasScheme reports whether s starts with "scheme:" where the scheme has no
// dot and what follows is not a port number ("localhost:8080" has none).
func hasScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !isLetter && (j == 0 || !isDigit(c) && c != '+' && c != '-') {
			return false
		}
	}
	rest := s[i+1:]
	port := rest
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		port = rest[:k]
	}
	if port != "" && strings.Trim(port, "0123456789") == "" {
		return false // host:port
	}
	return true
}

// maxPhoneDigits is E.164's limit.
const maxPhoneDigits = 15

func coercePhone(v any, region string) (any, string) {
	s, reason := text(v)
	if reason != "" {
		return nil, reason
	}
	if _, isBool := v.(bool); isBool {
		return nil, "a boolean is not a phone number"
	}
	if len(s) > 64 {
		return nil, reasonTooLong
	}
	s = stripExtension(s)
	digits := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			digits++
		}
	}
	if digits == 0 {
		return nil, "no digits"
	}
	international := strings.HasPrefix(s, "+")
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		region = "" // no numbering plan known for it
	}
	if international || region != "" {
		parseRegion := region
		if parseRegion == "" {
			parseRegion = "ZZ"
		}
		n, err := phonenumbers.Parse(s, parseRegion)
		if err != nil || !phonenumbers.IsPossibleNumber(n) {
			if region != "" {
				return nil, "not a possible phone number for region " + region
			}
			return nil, "not a possible international phone number"
		}
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		// Odd input (stray zeros, letters) can give an E.164 string that
		// reads back as another number; such a value is not trustworthy.
		if back, err := phonenumbers.Parse(e164, "ZZ"); err != nil || phonenumbers.Format(back, phonenumbers.E164) != e164 {
			return nil, "not an unambiguous phone number"
		}
		return e164, ""
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return nil, "character " + strconv.QuoteRune(rune(c)) + " not allowed in a phone number"
		}
	}
	if digits < 4 || digits > maxPhoneDigits {
		return nil, "has " + strconv.Itoa(digits) + " digits, want 4 to 15"
	}
	return b.String(), ""
}

// stripExtension cuts an extension: "x23", "ext. 23", "#23".
func stripExtension(s string) string {
	lower := strings.ToLower(s)
	for _, mark := range [...]string{"ext", "x", "#"} {
		if i := strings.LastIndex(lower, mark); i > 0 {
			rest := strings.TrimLeft(lower[i+len(mark):], ".: ")
			if rest != "" && strings.Trim(rest, "0123456789") == "" {
				return strings.TrimSpace(s[:i])
			}
		}
	}
	return s
}
