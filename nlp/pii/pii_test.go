package pii

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func kinds(fs []Finding, text string) map[Kind][]string {
	out := map[Kind][]string{}
	for _, f := range fs {
		out[f.Kind] = append(out[f.Kind], text[f.Start:f.End])
	}
	return out
}

func TestRecognizers(t *testing.T) {
	t.Parallel()
	r := New(&Options{Names: []string{"Maria Schneider", "John Whitfield"}})
	cases := []struct {
		text string
		kind Kind
		want string
	}{
		{"mail jane.doe+ops@example.co.uk today", Email, "jane.doe+ops@example.co.uk"},
		{"call me at +1 415-555-2671", Phone, "+1 415-555-2671"},
		{"phone: (415) 555-2671", Phone, "(415) 555-2671"},
		{"mobile +49 30 901820", Phone, "+49 30 901820"},
		{"card 4111 1111 1111 1111 exp 12/27", CreditCard, "4111 1111 1111 1111"},
		{"visa 4012888888881881", CreditCard, "4012888888881881"},
		{"pay to DE89 3704 0044 0532 0130 00 please", IBAN, "DE89 3704 0044 0532 0130 00"},
		{"iban GB82WEST12345698765432", IBAN, "GB82WEST12345698765432"},
		{"ssn 536-90-4399", SSN, "536-90-4399"},
		{"social security number 536904399", SSN, "536904399"},
		{"login from ip 192.168.10.25 failed", IP, "192.168.10.25"},
		{"host 2001:db8:85a3::8a2e:370:7334 is down", IP, "2001:db8:85a3::8a2e:370:7334"},
		{"Authorization: Bearer abcdEFGHijklMNOP1234.qrst", APIKey, "Bearer abcdEFGHijklMNOP1234.qrst"},
		{"key sk_live_4eC39HqLyjWDarjtT1zdp7dc in the log", APIKey, "sk_live_4eC39HqLyjWDarjtT1zdp7dc"},
		{"AKIAIOSFODNN7EXAMPLE leaked", APIKey, "AKIAIOSFODNN7EXAMPLE"},
		{"api_key=9f8e7d6c5b4a39281726", APIKey, "9f8e7d6c5b4a39281726"},
		{"ask maria schneider about it", Person, "maria schneider"},
		{"Whitfield signed the order", Person, "Whitfield"},
	}
	for _, c := range cases {
		got := kinds(r.Analyze(c.text), c.text)
		require.Equal(t, []string{c.want}, got[c.kind], "%q: %v", c.text, got)
		require.NotContains(t, r.Redact(c.text), c.want)
		require.Contains(t, r.Redact(c.text), "<"+string(c.kind)+">")
	}
}

// Near-misses must stay as written.
func TestNearMisses(t *testing.T) {
	t.Parallel()
	r := New(&Options{Names: []string{"Maria Schneider"}})
	for _, text := range []string{
		"order 4155552671 shipped",
		"Order #123456789 is late",
		"invoice INV-2024-00123 is overdue",
		"invoice 4111111111111112 has a typo",
		"due on 2025-02-20, paid 20.02.2025, sent 02/20/2025",
		"running version 10.1.2.3 of the agent",
		"release v2.6.3 fixed it",
		"build 1.2.3.4 passed",
		"ref 536-90-4399 in the ticket",
		"IBAN DE89 3704 0044 0532 0130 01 is mistyped",
		"revenue was 1,234,567.89 last quarter",
		"the maria building on Main street",
		"schedule a 12:30:00 call",
		"ratio 3:2:1 holds",
		"tracking 1Z999AA10123456784",
		"po 20250220 approved",
		"000-12-3456 is not a valid SSN",
		"cost per unit 0.000123",
	} {
		fs := r.Analyze(text)
		require.Empty(t, fs, "%q: %v", text, kinds(fs, text))
		require.Equal(t, text, r.Redact(text))
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	require.True(t, Luhn("4111111111111111"))
	require.False(t, Luhn("4111111111111112"))
	require.True(t, ValidIBAN("DE89 3704 0044 0532 0130 00"))
	require.False(t, ValidIBAN("DE89 3704 0044 0532 0130 01"))
	require.False(t, ValidIBAN("DE89"))
}

// gen builds a labelled corpus: sentences with one PII value each, and
// near-miss sentences with none.
type labelled struct {
	text  string
	kind  Kind // "" for a near-miss
	value string
}

func luhnComplete(prefix string, n int, rnd *rand.Rand) string {
	d := prefix
	for len(d) < n-1 {
		d += fmt.Sprint(rnd.IntN(10))
	}
	for c := 0; c < 10; c++ {
		if Luhn(d + fmt.Sprint(c)) {
			return d + fmt.Sprint(c)
		}
	}
	panic("unreachable")
}

func ibanFor(country, bban string) string {
	s := bban + country + "00"
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteString(fmt.Sprint(int(r-'A') + 10))
		} else {
			b.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(b.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%s%02d%s", country, check, bban)
}

// areaCodes are assigned US area codes (random ones mostly are not, and
// the phone library rightly refuses them).
var areaCodes = []string{"212", "415", "312", "617", "206", "303", "512", "646", "713", "305", "404", "602"}

func corpus(n int) []labelled {
	rnd := rand.New(rand.NewPCG(16, 7))
	first := []string{"Maria", "John", "Aiko", "Lars", "Priya", "Omar"}
	last := []string{"Schneider", "Whitfield", "Tanaka", "Eriksson", "Raman", "Haddad"}
	digits := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteString(fmt.Sprint(rnd.IntN(10)))
		}
		return b.String()
	}
	var out []labelled
	for i := 0; i < n; i++ {
		var l labelled
		switch i % 16 {
		case 0:
			v := strings.ToLower(first[rnd.IntN(6)]) + "." + strings.ToLower(last[rnd.IntN(6)]) + "@" + []string{"acme.com", "mail.example.org", "globex.io"}[rnd.IntN(3)]
			if rnd.IntN(2) == 0 {
				v = strings.ToUpper(v[:1]) + v[1:]
			}
			l = labelled{fmt.Sprintf([]string{"please forward the contract to %s by friday", "cc:%s", "<%s> wrote"}[rnd.IntN(3)], v), Email, v}
		case 1:
			v := fmt.Sprintf("+1 %s-%d%d%d-%04d", areaCodes[rnd.IntN(len(areaCodes))], 2+rnd.IntN(7), rnd.IntN(10), rnd.IntN(10), rnd.IntN(10000))
			if rnd.IntN(2) == 0 {
				v = strings.ReplaceAll(v, "-", " ")
			}
			l = labelled{fmt.Sprintf([]string{"you can reach the buyer on %s after 5pm", "%s is her number", "contact: %s"}[rnd.IntN(3)], v), Phone, v}
		case 2:
			v := luhnComplete([]string{"4", "51", "37", "6011"}[rnd.IntN(4)], 16, rnd)
			switch rnd.IntN(3) {
			case 0:
				v = v[:4] + " " + v[4:8] + " " + v[8:12] + " " + v[12:]
			case 1:
				v = v[:4] + "-" + v[4:8] + "-" + v[8:12] + "-" + v[12:]
			}
			l = labelled{fmt.Sprintf([]string{"the customer paid with card %s yesterday", "charged %s twice", "cc %s"}[rnd.IntN(3)], v), CreditCard, v}
		case 3:
			v := []string{ibanFor("DE", digits(18)), ibanFor("GB", "WEST"+digits(14)), ibanFor("FR", digits(23)), ibanFor("NL", "ABNA"+digits(10))}[rnd.IntN(4)]
			l = labelled{fmt.Sprintf([]string{"refund to account %s this week", "wire to %s", "IBAN: %s"}[rnd.IntN(3)], v), IBAN, v}
		case 4:
			v := fmt.Sprintf("%03d-%02d-%04d", 100+rnd.IntN(500), 10+rnd.IntN(89), 1000+rnd.IntN(8999))
			l = labelled{fmt.Sprintf([]string{"employee SSN %s on file", "%s (social security)", "her number is %s"}[rnd.IntN(3)], v), SSN, v}
		case 5:
			v := fmt.Sprintf("%d.%d.%d.%d", 10+rnd.IntN(200), rnd.IntN(256), rnd.IntN(256), 1+rnd.IntN(254))
			if rnd.IntN(4) == 0 {
				v = fmt.Sprintf("2001:db8:%x::%x", rnd.IntN(65535), 1+rnd.IntN(65534))
			}
			l = labelled{fmt.Sprintf([]string{"requests from %s were blocked", "server %s is down", "%s hit the API 500 times"}[rnd.IntN(3)], v), IP, v}
		case 6:
			v := []string{"sk_live_" + digits(6) + "abcDEF" + digits(12), "ghp_" + digits(10) + "AbCdEfGhIjKlMnOpQrStUvWxYz", "AKIA" + strings.ToUpper(fmt.Sprintf("%016x", rnd.Uint64()))[:16]}[rnd.IntN(3)]
			l = labelled{fmt.Sprintf([]string{"rotate %s now", "token=%s", "leaked key %s in the logs"}[rnd.IntN(3)], v), APIKey, v}
		case 7:
			v := first[rnd.IntN(2)] + " " + last[rnd.IntN(2)]
			if v != "Maria Schneider" && v != "John Whitfield" {
				v = "Maria Schneider"
			}
			switch rnd.IntN(3) {
			case 0:
				v = strings.ToLower(v)
			case 1:
				v = v[strings.Index(v, " ")+1:]
			}
			l = labelled{fmt.Sprintf([]string{"%s asked about the renewal", "meeting with %s tomorrow"}[rnd.IntN(2)], v), Person, v}
		case 8:
			l = labelled{text: fmt.Sprintf("order %s shipped on 2025-0%d-1%d", digits(10), 1+rnd.IntN(9), rnd.IntN(10))}
		case 9:
			l = labelled{text: fmt.Sprintf("invoice INV-%d-%05d is due on %02d/%02d/2025", 2020+rnd.IntN(6), rnd.IntN(99999), 1+rnd.IntN(12), 1+rnd.IntN(28))}
		case 10:
			l = labelled{text: fmt.Sprintf("upgrade to version %d.%d.%d.%d tonight", rnd.IntN(20), rnd.IntN(20), rnd.IntN(20), rnd.IntN(20))}
		case 11:
			c := luhnComplete("4", 16, rnd)
			bad := c[:15] + fmt.Sprint((int(c[15]-'0')+1)%10)
			l = labelled{text: fmt.Sprintf("reference number %s in the ledger", bad)}
		case 12:
			l = labelled{text: fmt.Sprintf("revenue grew %d.%d%% to %d,%03d,%03d", rnd.IntN(40), rnd.IntN(10), rnd.IntN(9)+1, rnd.IntN(1000), rnd.IntN(1000))}
		case 13:
			l = labelled{text: fmt.Sprintf("ticket %s was closed by the %s team", digits(9), []string{"data", "finance", "sales"}[rnd.IntN(3)])}
		case 14:
			v := fmt.Sprintf("(%s) %d%d%d-%04d", areaCodes[rnd.IntN(len(areaCodes))], 2+rnd.IntN(7), rnd.IntN(10), rnd.IntN(10), rnd.IntN(10000))
			l = labelled{fmt.Sprintf("office phone %s", v), Phone, v}
		default:
			l = labelled{text: fmt.Sprintf("sku %s-%s restocked, batch %s", digits(4), digits(4), digits(6))}
		}
		out = append(out, l)
	}
	return out
}

// TestF2PerKind reports F2 (recall weighted, as Presidio recommends) per
// kind on a generated corpus and holds each at 0.9 or more.
func TestF2PerKind(t *testing.T) {
	t.Parallel()
	r := New(&Options{Names: []string{"Maria Schneider", "John Whitfield"}})
	tp, fp, fn := map[Kind]int{}, map[Kind]int{}, map[Kind]int{}
	for _, l := range corpus(1600) {
		matched := false
		for _, f := range r.Analyze(l.text) {
			got := l.text[f.Start:f.End]
			if f.Kind == l.kind && got == l.value {
				tp[f.Kind]++
				matched = true
			} else {
				fp[f.Kind]++
				t.Logf("false %s %q in %q", f.Kind, got, l.text)
			}
		}
		if l.kind != "" && !matched {
			fn[l.kind]++
			t.Logf("missed %s %q in %q", l.kind, l.value, l.text)
		}
	}
	var rep strings.Builder
	for _, k := range Kinds {
		p := ratio(tp[k], tp[k]+fp[k])
		rc := ratio(tp[k], tp[k]+fn[k])
		f2 := 0.0
		if p+rc > 0 {
			f2 = 5 * p * rc / (4*p + rc)
		}
		fmt.Fprintf(&rep, "%-12s precision=%.3f recall=%.3f F2=%.3f (tp=%d fp=%d fn=%d)\n", k, p, rc, f2, tp[k], fp[k], fn[k])
		require.GreaterOrEqual(t, f2, 0.9, "F2 of %s", k)
	}
	t.Log("\n" + rep.String())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func ExampleRedactor_Redact() {
	r := New(&Options{Names: []string{"Maria Schneider"}})
	fmt.Println(r.Redact("Maria Schneider (maria@acme.example, card 4111 1111 1111 1111) asked about order 4155552671"))
	// Output: <PERSON> (<EMAIL>, card <CREDIT_CARD>) asked about order 4155552671
}
