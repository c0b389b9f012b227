package rag

import (
	"strings"
	"unicode"
)

// vendorPrefixes are namespace prefixes that vendors put in front of field
// names; they say who made the field, not what it holds.
var vendorPrefixes = []string{
	"properties.", "attributes.", "fields.", "data.", "record.", "custom_fields.", "customfields.",
	"lineitem/", "line_item/", "product/", "bill/", "pricing/", "identity/", "reservation/", "savingsplan/", "resourcetags/", "discount/", "split_line_item/",
	"metadata.", "meta_data.", "meta.", "hs_", "msdyn_", "x_", "c_", "cf_", "zc_", "udf_", "custom_", "new_", "ns_",
}

// vendorSuffixes are the suffixes CRMs append to custom or lookup fields.
var vendorSuffixes = []string{"__c", "__r", "__pc", "__x", "__s", "__e", "_value", "_c"}

// abbreviations expands the short forms business schemas use.
var abbreviations = map[string][]string{
	"amt": {"amount"}, "amnt": {"amount"}, "qty": {"quantity"}, "qnty": {"quantity"},
	"num": {"number"}, "no": {"number"}, "nbr": {"number"}, "nr": {"number"}, "nmbr": {"number"},
	"addr": {"address"}, "adr": {"address"}, "desc": {"description"}, "descr": {"description"},
	"dt": {"date"}, "ts": {"timestamp"}, "tstamp": {"timestamp"}, "acct": {"account"}, "acc": {"account"},
	"opp": {"opportunity"}, "oppty": {"opportunity"}, "opty": {"opportunity"}, "cust": {"customer"},
	"org": {"organization"}, "organisation": {"organization"}, "emp": {"employee"}, "empl": {"employee"},
	"rev": {"revenue"}, "curr": {"currency"}, "ccy": {"currency"}, "cur": {"currency"}, "cncy": {"currency"},
	"tel": {"phone"}, "ph": {"phone"}, "phn": {"phone"}, "telephone": {"phone"}, "tele": {"phone"},
	"cty": {"city"}, "pct": {"percent"}, "perc": {"percent"}, "prob": {"probability"},
	"uid": {"id"}, "uuid": {"id"}, "guid": {"id"}, "ident": {"id"}, "identifier": {"id"},
	"fname": {"first", "name"}, "lname": {"last", "name"}, "firstname": {"first", "name"}, "lastname": {"last", "name"},
	"inv": {"invoice"}, "co": {"company"}, "dept": {"department"}, "mob": {"mobile"}, "cell": {"mobile"}, "cellphone": {"mobile", "phone"},
	"mgr": {"manager"}, "cnt": {"count"}, "bal": {"balance"}, "pmt": {"payment"}, "yr": {"year"},
	"upd": {"update"}, "mod": {"modify"}, "modstamp": {"modify", "timestamp"}, "crt": {"create"},
	"e-mail": {"email"}, "mail": {"email"}, "www": {"website"}, "web": {"website"}, "homepage": {"website"},
	"zip": {"zip"}, "zipcode": {"zip"}, "postcode": {"postal", "code"}, "postalcode": {"postal", "code"},
	"sub": {"sub"}, "subacct": {"sub", "account"}, "payer": {"payer"},
	"svc": {"service"}, "srv": {"service"}, "loc": {"location"}, "rgn": {"region"},
	"cat": {"category"}, "stat": {"status"}, "sts": {"status"}, "lang": {"language"},
	"cd": {"code"}, "nm": {"name"}, "typ": {"type"}, "tp": {"type"}, "prc": {"price"}, "ttl": {"total"},
}

// currencyWords are currency codes that name units, not meaning, in field
// names ("Turnover (GBP)", "cost_usd").
var currencyWords = map[string]bool{"usd": true, "eur": true, "gbp": true, "jpy": true, "cad": true, "aud": true, "chf": true, "inr": true, "cny": true}

// antonyms are word pairs that make two names mean different things even
// when the rest agrees: a "name" is not an "id", an "end" not a "start".
var antonyms = [][2]string{
	{"name", "id"}, {"start", "end"}, {"create", "update"}, {"create", "modify"}, {"first", "last"},
	{"bill", "ship"}, {"billing", "shipping"}, {"min", "max"}, {"from", "to"}, {"due", "pay"},
	{"mobile", "fax"}, {"home", "work"}, {"sub", "total"},
}

// stems folds inflections and spelling variants to one token so "Created",
// "creation" and "create" compare equal.
var stems = map[string]string{
	"created": "create", "creation": "create", "creating": "create", "createdon": "create",
	"modified": "modify", "modification": "modify", "modifying": "modify",
	"updated": "update", "updating": "update",
	"closed": "close", "closing": "close", "billed": "bill", "billing": "bill",
	"consumed": "consume", "consumption": "consume", "paid": "pay", "payment": "pay", "payments": "pay",
	"employees": "employee", "organisation": "organization", "organizations": "organization",
	"companies": "company", "categories": "category", "opportunities": "opportunity", "properties": "property",
	"emails": "email", "phones": "phone", "addresses": "address", "status": "status", "statuses": "status",
	"business": "business", "address": "address", "class": "class", "series": "series", "process": "process",
	"usage": "usage", "used": "usage", "use": "usage", "charged": "charge", "charges": "charge",
	"issued": "issue", "won": "won", "is": "is", "has": "has", "was": "was", "gross": "gross",
	"telephone": "phone", "mobilephone": "mobile", "postal": "postal", "names": "name",
}

// tokenWeight says how much a token tells about a field; generic words
// weigh less in name similarity.
var tokenWeight = map[string]float64{
	"id": 0.6, "name": 0.45, "date": 0.45, "time": 0.4, "timestamp": 0.45, "at": 0.2, "on": 0.2,
	"code": 0.45, "type": 0.7, "number": 0.6, "value": 0.4, "of": 0.1, "is": 0.3, "has": 0.3,
	"the": 0.1, "a": 0.1, "in": 0.1, "to": 0.2, "by": 0.2, "for": 0.1, "and": 0.1, "field": 0.2,
	"amount": 0.8, "text": 0.3, "key": 0.6, "iso": 0.3, "c": 0.1, "r": 0.1, "v": 0.1, "info": 0.3,
	"record": 0.5, "object": 0.4, "system": 0.6, "total": 0.9,
	"string": 0.1, "str": 0.1, "utc": 0.1, "gmt": 0.1, "txt": 0.1, "raw": 0.1, "formatted": 0.1,
	"fmt": 0.1, "val": 0.2, "local": 0.3, "iso8601": 0.1, "or": 0.1,
	"line": 0.3, "item": 0.3, "product": 0.5, "pricing": 0.5, "metadata": 0.1, "meta": 0.1, "data": 0.2,
	"property": 0.1, "attribute": 0.1, "custom": 0.2, "global": 0.3,
}

func weight(tok string) float64 {
	if w, ok := tokenWeight[tok]; ok {
		return w
	}
	return 1
}

// stripVendor removes namespace prefixes and custom-field suffixes that
// carry no meaning, as long as something remains.
func stripVendor(name string) string {
	s := strings.TrimSpace(name)
	for changed := true; changed; {
		changed = false
		low := strings.ReplaceAll(strings.ToLower(s), "-", "_")
		for _, p := range vendorPrefixes {
			if strings.HasPrefix(low, p) && len(s) > len(p) {
				s, changed = s[len(p):], true
				break
			}
		}
	}
	low := strings.ToLower(s)
	for _, suf := range vendorSuffixes {
		if strings.HasSuffix(low, suf) && len(s) > len(suf)+1 {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	// Dynamics lookup columns are written "_parentaccountid_value".
	return strings.Trim(s, "_")
}

// splitWords splits a field name on punctuation, camelCase, acronyms and
// letter-digit boundaries, and lower-cases the words. Digit-only words are
// dropped: "address1_city" is about an address and a city.
func splitWords(s string) []string {
	rs := []rune(s)
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			switch r {
			case '#':
				words = append(words, "number")
			case '%':
				words = append(words, "percent")
			}
			continue
		}
		if len(cur) > 0 {
			prev := rs[i-1]
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(r):
				flush()
			case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush()
			case unicode.IsDigit(prev) != unicode.IsDigit(r):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	out := words[:0]
	for _, w := range words {
		if strings.Trim(w, "0123456789") == "" {
			continue
		}
		out = append(out, w)
	}
	return out
}

// stem normalizes one lower-case word.
func stem(w string) string {
	if s, ok := stems[w]; ok {
		return s
	}
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// normalizeWords expands abbreviations, segments run-together words and
// stems each word; currency codes are dropped unless nothing else is left.
func (v *vocabulary) normalizeWords(words []string) []string {
	out := v.expandWords(words)
	kept := out[:0:0]
	for _, w := range out {
		if !currencyWords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) > 0 {
		return kept
	}
	return out
}

func (v *vocabulary) expandWords(words []string) []string {
	var out []string
	for _, w := range words {
		if exp, ok := abbreviations[w]; ok {
			for _, e := range exp {
				out = append(out, stem(e))
			}
			continue
		}
		st := stem(w)
		if v.has(st) || len(w) < 5 {
			out = append(out, st)
			continue
		}
		if parts := v.segment(w); parts != nil {
			for _, p := range parts {
				if exp, ok := abbreviations[p]; ok {
					for _, e := range exp {
						out = append(out, stem(e))
					}
					continue
				}
				out = append(out, stem(p))
			}
			continue
		}
		out = append(out, st)
	}
	return out
}

// vocabulary is the set of words the segmenter may split run-together
// names into ("numberofemployees" -> number of employees).
type vocabulary struct {
	words map[string]bool
}

func (v *vocabulary) add(words ...string) {
	for _, w := range words {
		if len(w) >= 2 {
			v.words[w] = true
		}
	}
}

func (v *vocabulary) has(w string) bool { return v.words[w] }

// segment splits w into the fewest vocabulary words covering it exactly,
// or returns nil. Single letters are never words; two-letter words only
// when they are common connectors.
func (v *vocabulary) segment(w string) []string {
	n := len(w)
	if n > 64 {
		return nil
	}
	const inf = 1 << 30
	best := make([]int, n+1)
	prev := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = inf
	}
	for i := 1; i <= n; i++ {
		for j := 0; j < i; j++ {
			if best[j] == inf || i-j < 2 {
				continue
			}
			if !v.words[w[j:i]] {
				continue
			}
			if c := best[j] + 1; c < best[i] {
				best[i], prev[i] = c, j
			}
		}
	}
	if best[n] == inf || best[n] < 2 {
		return nil
	}
	var parts []string
	for i := n; i > 0; i = prev[i] {
		parts = append(parts, w[prev[i]:i])
	}
	for l, r := 0, len(parts)-1; l < r; l, r = l+1, r-1 {
		parts[l], parts[r] = parts[r], parts[l]
	}
	return parts
}

// tokenize turns a source field name into normalized tokens.
func (v *vocabulary) tokenize(name string) []string {
	return v.normalizeWords(splitWords(stripVendor(name)))
}

// commonWords seed the segmenter beyond the lexicon's own words.
var commonWords = []string{
	"of", "on", "at", "by", "to", "in", "is", "has", "last", "first", "middle", "full", "number", "employees",
	"employee", "annual", "revenue", "website", "url", "phone", "telephone", "mobile", "fax", "email", "address",
	"street", "city", "state", "province", "postal", "code", "zip", "country", "region", "owner", "parent", "account",
	"contact", "deal", "opportunity", "company", "customer", "invoice", "amount", "currency", "stage", "close", "closed",
	"date", "time", "create", "created", "modified", "modify", "updated", "update", "name", "type", "id", "status",
	"total", "due", "paid", "balance", "issue", "issued", "description", "industry", "title", "job", "department",
	"lead", "source", "forecast", "category", "probability", "won", "pipeline", "service", "resource", "usage",
	"quantity", "unit", "cost", "billing", "billed", "provider", "subscription", "project", "charge", "period",
	"start", "end", "line", "item", "product", "payer", "linked", "location", "meter", "sku", "hubspot", "record",
	"or", "primary", "one", "home", "work", "office", "birth",
	"day", "modstamp", "system", "deleted", "rating", "next", "step", "expected", "fiscal", "quarter", "year",
	"value", "net", "tax", "subtotal", "discount", "term", "terms", "method", "collection", "hosted", "live",
	"mode", "sales", "rep", "assigned", "user", "lifecycle", "domain", "associated",
	"nextstep", "doc", "reference", "memo", "note", "notes", "class", "unblended", "blended", "effective", "list",
	"consumed", "pricing", "group", "tags", "tag", "zone", "availability", "operation", "usd", "local", "pretax",
	"string", "utc", "gmt", "global", "metadata", "meta", "data", "amount", "no", "dt", "ts", "cd", "id", "co",
	"gbp", "eur", "jpy", "cad", "aud", "chf", "inr", "cny", "turnover", "time", "stamp", "timestamp", "opt", "out",
}

func newVocabulary(lex *lexicon) *vocabulary {
	v := &vocabulary{words: make(map[string]bool)}
	v.add(commonWords...)
	for w := range abbreviations {
		if len(w) >= 3 {
			v.add(w)
		}
	}
	for _, w := range lex.words() {
		v.add(w)
	}
	return v
}
