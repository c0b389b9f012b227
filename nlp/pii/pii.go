// Package pii finds and redacts personal data in text with deterministic
// recognizers, after Microsoft Presidio's design without its NER: each
// recognizer proposes spans by pattern, validates them (Luhn for card
// numbers, mod-97 for IBANs, the phone-number library for phones), and
// scores them; words around a span (context words) raise the score, and
// words that mark a near-miss (order, invoice, version) lower it. Spans
// scoring at least the threshold are redacted as <KIND>.
//
// Kinds: EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN, IP_ADDRESS, API_KEY and
// PERSON (a deny-list of the tenant's contact names).
//
// # Concurrency
//
// A Redactor is immutable and safe for concurrent use.
package pii

import (
	"math/big"
	"net"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Kind is a kind of personal data.
type Kind string

// The kinds recognized.
const (
	Email      Kind = "EMAIL"
	Phone      Kind = "PHONE"
	CreditCard Kind = "CREDIT_CARD"
	IBAN       Kind = "IBAN"
	SSN        Kind = "US_SSN"
	IP         Kind = "IP_ADDRESS"
	APIKey     Kind = "API_KEY"
	Person     Kind = "PERSON"
)

// Kinds lists every kind.
var Kinds = []Kind{Email, Phone, CreditCard, IBAN, SSN, IP, APIKey, Person}

// Finding is a recognized span of text: text[Start:End] (byte offsets).
type Finding struct {
	Kind  Kind    `json:"kind"`
	Start int     `json:"start"`
	End   int     `json:"end"`
	Score float64 `json:"score"`
}

// Options configures a Redactor; nil means the defaults.
type Options struct {
	// Threshold is the score a span needs to be redacted: default 0.5.
	Threshold float64
	// PhoneRegion is the region numbers without a country code are read
	// in: default "US".
	PhoneRegion string
	// Names is the deny-list of people's names (the tenant's contacts),
	// "First Last" or single names.
	Names []string
}

// Redactor finds and redacts personal data.
type Redactor struct {
	threshold float64
	region    string
	names     *regexp.Regexp // full names, case-insensitive
	lastNames *regexp.Regexp // last names, capitalized in the text
}

// MaxTextBytes bounds the text Analyze reads; beyond it the text is cut
// and the rest redacted whole, so nothing unexamined leaks.
const MaxTextBytes = 1 << 20

// New returns a Redactor.
func New(opts *Options) *Redactor {
	r := &Redactor{threshold: 0.5, region: "US"}
	if opts == nil {
		return r
	}
	if opts.Threshold > 0 {
		r.threshold = opts.Threshold
	}
	if opts.PhoneRegion != "" {
		r.region = strings.ToUpper(opts.PhoneRegion)
	}
	var full, last []string
	seen := map[string]bool{}
	for _, n := range opts.Names {
		n = strings.Join(strings.Fields(n), " ")
		if len(n) < 3 || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		parts := strings.Fields(n)
		if len(parts) >= 2 {
			full = append(full, regexp.QuoteMeta(n))
			if l := parts[len(parts)-1]; len([]rune(l)) >= 4 && !seen["last:"+l] {
				seen["last:"+l] = true
				last = append(last, regexp.QuoteMeta(capitalize(l)))
			}
		} else if len([]rune(n)) >= 4 {
			last = append(last, regexp.QuoteMeta(capitalize(n)))
		}
	}
	// Longest first, so "Ann Lee-Smith" wins over "Ann Lee".
	byLen := func(xs []string) { sort.Slice(xs, func(i, j int) bool { return len(xs[i]) > len(xs[j]) }) }
	byLen(full)
	byLen(last)
	if len(full) > 0 {
		r.names = regexp.MustCompile(`(?i)\b(?:` + strings.Join(full, "|") + `)\b`)
	}
	if len(last) > 0 {
		r.lastNames = regexp.MustCompile(`\b(?:` + strings.Join(last, "|") + `)\b`)
	}
	return r
}

func capitalize(s string) string {
	rs := []rune(strings.ToLower(s))
	if len(rs) > 0 {
		rs[0] = unicode.ToUpper(rs[0])
	}
	return string(rs)
}

var (
	emailRE  = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b`)
	phoneRE  = regexp.MustCompile(`(?:\+\d|\(\d|\b\d)[\d ().-]{5,18}\d\b`)
	ibanHead = regexp.MustCompile(`\b[A-Z]{2}\d{2} ?$`)
	cardRE   = regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`)
	ibanRE   = regexp.MustCompile(`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b`)
	ssnRE    = regexp.MustCompile(`\b\d{3}[- ]\d{2}[- ]\d{4}\b|\b\d{9}\b`)
	ipv4RE   = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	ipv6RE   = regexp.MustCompile(`(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}`)
	bearerRE = regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{16,}=*`)
	keyRE    = regexp.MustCompile(`\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b|\bsk-[A-Za-z0-9_-]{20,}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{30,}\b|\bxox[abprs]-[A-Za-z0-9-]{10,}\b|\bAKIA[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{35}\b|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b`)
	secretRE = regexp.MustCompile(`(?i)\b(?:api[_-]?key|apikey|secret|token|access[_-]?key|password|passwd|pwd)\b\s*[:=]\s*["']?([A-Za-z0-9\-._~+/]{12,})`)
)

// context and near-miss words, looked for in the 40 bytes before a span.
var (
	phoneContext = []string{"phone", "call", "tel", "mobile", "cell", "fax", "contact", "reach", "whatsapp", "text me"}
	cardContext  = []string{"card", "visa", "mastercard", "amex", "credit", "debit", "cc", "pan"}
	ssnContext   = []string{"ssn", "social security", "social sec", "tax id", "tin"}
	ipContext    = []string{"ip", "address", "host", "server", "from", "client"}
	nearMiss     = []string{"order", "invoice", "inv", "po", "ref", "reference", "ticket", "id", "#", "no.", "version",
		"ver", "build", "release", "sku", "tracking", "case", "account no", "acct"}
)

// before returns the lower-cased 40 bytes before i.
func before(text string, i int) string {
	j := i - 40
	if j < 0 {
		j = 0
	}
	return strings.ToLower(text[j:i])
}

func hasWord(s string, words []string) bool {
	for _, w := range words {
		k := strings.LastIndex(s, w)
		if k < 0 {
			continue
		}
		// A whole word: not inside another word.
		okL := k == 0 || !isWordByte(s[k-1])
		okR := k+len(w) == len(s) || !isWordByte(s[k+len(w)]) || !isWordByte(w[len(w)-1])
		if okL && okR {
			return true
		}
	}
	return false
}

// nearMissBefore reports a near-miss word right before a span (within 15
// bytes), as in "order 4155552671" or "version 10.1.2.3".
func nearMissBefore(text string, i int) bool {
	b := before(text, i)
	if len(b) > 15 {
		b = b[len(b)-15:]
	}
	return hasWord(b, nearMiss) || strings.HasSuffix(strings.TrimSpace(b), "v") || strings.HasSuffix(b, "-")
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Luhn reports whether a digit string passes the Luhn check.
func Luhn(d string) bool {
	if len(d) < 2 {
		return false
	}
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// ValidIBAN reports whether s (spaces allowed) passes the IBAN mod-97 check.
func ValidIBAN(s string) bool {
	s = strings.ReplaceAll(strings.ToUpper(s), " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	var b strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteString(big.NewInt(int64(r - 'A' + 10)).String())
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

func validSSN(d string) bool {
	if len(d) != 9 {
		return false
	}
	area, group, serial := d[:3], d[3:5], d[5:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000" && d != "123456789"
}

// Analyze returns the findings scoring at least the threshold, without
// overlaps (the higher score, then the longer span, wins), in text order.
func (r *Redactor) Analyze(text string) []Finding {
	if len(text) > MaxTextBytes {
		text = text[:MaxTextBytes]
	}
	var fs []Finding
	add := func(k Kind, s, e int, score float64) {
		if score > 1 {
			score = 1
		}
		if score >= r.threshold {
			fs = append(fs, Finding{Kind: k, Start: s, End: e, Score: score})
		}
	}
	for _, m := range emailRE.FindAllStringIndex(text, -1) {
		add(Email, m[0], m[1], 0.9)
	}
	for _, m := range bearerRE.FindAllStringIndex(text, -1) {
		add(APIKey, m[0], m[1], 0.95)
	}
	for _, m := range keyRE.FindAllStringIndex(text, -1) {
		add(APIKey, m[0], m[1], 0.9)
	}
	for _, m := range secretRE.FindAllStringSubmatchIndex(text, -1) {
		add(APIKey, m[2], m[3], 0.75)
	}
	for _, m := range cardRE.FindAllStringIndex(text, -1) {
		d := digits(text[m[0]:m[1]])
		if len(d) < 13 || len(d) > 19 || !Luhn(d) || strings.Count(d, string(d[0])) == len(d) {
			continue
		}
		// The tail of an IBAN ("DE89 3704 ..."), however it checks out,
		// is not a card.
		if ibanHead.MatchString(text[max(0, m[0]-5):m[0]]) {
			continue
		}
		score := 0.7
		if hasWord(before(text, m[0]), cardContext) {
			score += 0.3
		}
		if nearMissBefore(text, m[0]) {
			score -= 0.4
		}
		add(CreditCard, m[0], m[1], score)
	}
	for _, m := range ibanRE.FindAllStringIndex(text, -1) {
		if ValidIBAN(text[m[0]:m[1]]) {
			add(IBAN, m[0], m[1], 0.9)
		}
	}
	for _, m := range ssnRE.FindAllStringIndex(text, -1) {
		s := text[m[0]:m[1]]
		d := digits(s)
		if !validSSN(d) {
			continue
		}
		ctx := hasWord(before(text, m[0]), ssnContext)
		score := 0.3
		switch {
		case strings.Contains(s, "-") && ctx:
			score = 1
		case strings.Contains(s, "-"):
			score = 0.6
		case ctx:
			score = 0.75
		}
		if nearMissBefore(text, m[0]) && !ctx {
			score -= 0.4
		}
		add(SSN, m[0], m[1], score)
	}
	for _, m := range ipv4RE.FindAllStringIndex(text, -1) {
		if net.ParseIP(text[m[0]:m[1]]) == nil {
			continue
		}
		score := 0.6
		if hasWord(before(text, m[0]), ipContext) {
			score += 0.3
		}
		if nearMissBefore(text, m[0]) {
			score -= 0.5
		}
		add(IP, m[0], m[1], score)
	}
	for _, m := range ipv6RE.FindAllStringIndex(text, -1) {
		if m[0] > 0 && isWordByte(text[m[0]-1]) || m[1] < len(text) && isWordByte(text[m[1]]) {
			continue
		}
		if ip := net.ParseIP(text[m[0]:m[1]]); ip != nil && ip.To4() == nil {
			add(IP, m[0], m[1], 0.7)
		}
	}
	for _, m := range phoneRE.FindAllStringIndex(text, -1) {
		s := text[m[0]:m[1]]
		d := digits(s)
		if len(d) < 7 || len(d) > 15 || isDateLike(s) {
			continue
		}
		n, err := phonenumbers.Parse(s, r.region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			continue
		}
		score := 0.5
		if strings.HasPrefix(s, "+") || strings.ContainsAny(s, "()") {
			score = 0.65
		}
		if hasWord(before(text, m[0]), phoneContext) {
			score += 0.35
		}
		if nearMissBefore(text, m[0]) {
			score -= 0.4
		}
		add(Phone, m[0], m[1], score)
	}
	if r.names != nil {
		for _, m := range r.names.FindAllStringIndex(text, -1) {
			add(Person, m[0], m[1], 0.85)
		}
	}
	if r.lastNames != nil {
		for _, m := range r.lastNames.FindAllStringIndex(text, -1) {
			add(Person, m[0], m[1], 0.6)
		}
	}
	return resolve(fs)
}

// isDateLike reports 2025-02-20, 20.02.2025, 02/20/2025 shapes.
func isDateLike(s string) bool {
	return dateRE.MatchString(strings.TrimSpace(s))
}

var dateRE = regexp.MustCompile(`^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$`)

// resolve drops overlapping findings: the higher score, then the longer.
func resolve(fs []Finding) []Finding {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Score != fs[j].Score {
			return fs[i].Score > fs[j].Score
		}
		return fs[i].End-fs[i].Start > fs[j].End-fs[j].Start
	})
	var out []Finding
	for _, f := range fs {
		ok := true
		for _, o := range out {
			if f.Start < o.End && o.Start < f.End {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// Redact replaces every finding with <KIND>. Text beyond MaxTextBytes is
// replaced by <TRUNCATED>.
func (r *Redactor) Redact(text string) string {
	tail := ""
	if len(text) > MaxTextBytes {
		text, tail = text[:MaxTextBytes], "<TRUNCATED>"
	}
	fs := r.Analyze(text)
	var b strings.Builder
	last := 0
	for _, f := range fs {
		b.WriteString(text[last:f.Start])
		b.WriteString("<" + string(f.Kind) + ">")
		last = f.End
	}
	b.WriteString(text[last:])
	b.WriteString(tail)
	return b.String()
}
