package linkage

import (
	"sort"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// nameArticles are dropped anywhere in a name ("The Palm", "Palm, The").
var nameArticles = map[string]bool{"the": true, "a": true, "an": true, "and": true, "of": true, "at": true, "on": true, "in": true, "by": true}

// leadingArticles are dropped only at the start or end of a name and only
// when something else remains ("Le Dome" and "Dome" compare equal).
var leadingArticles = map[string]bool{"le": true, "la": true, "les": true, "el": true, "il": true, "los": true, "las": true, "der": true, "die": true, "das": true}

// nameAbbreviations maps a common abbreviation or spelling variant to one
// form, so "Art's Deli" and "Art's Delicatessen" share their tokens.
var nameAbbreviations = map[string]string{
	"deli": "delicatessen", "delicatessan": "delicatessen", "ctr": "center", "centre": "center",
	"bros": "brothers", "intl": "international", "st": "saint", "ste": "sainte", "mt": "mount",
	"ft": "fort", "assoc": "associates", "assn": "association", "svc": "services", "svcs": "services",
	"mfg": "manufacturing", "grille": "grill", "ristorante": "restaurant", "restaurante": "restaurant",
	"rest": "restaurant", "caffe": "cafe", "bbq": "barbecue", "barbeque": "barbecue", "n": "and",
	"dept": "department", "univ": "university", "natl": "national",
	"hosp": "hospital", "tech": "technology", "techs": "technologies", "sys": "systems", "labs": "laboratories",
	"lab": "laboratories", "mgmt": "management", "assocs": "associates", "co": "company",
}

// genericNameWords say what kind of business a name is, not which one; they
// are left out of the name's core tokens unless nothing else remains
// ("Bone's Restaurant" and "Bone's" share the core "bones"). Legal forms
// (Inc, LLC, GmbH ...) are among them.
var genericNameWords = map[string]bool{
	"restaurant": true, "restaurants": true, "cafe": true, "bar": true, "grill": true, "bistro": true,
	"brasserie": true, "diner": true, "eatery": true, "kitchen": true, "tavern": true, "pub": true,
	"trattoria": true, "osteria": true, "hotel": true, "lounge": true, "delicatessen": true,
	"pizzeria": true, "bakery": true, "steakhouse": true, "coffee": true, "shop": true, "cafeteria": true,
	"inc": true, "incorporated": true, "llc": true, "llp": true, "lp": true, "ltd": true, "limited": true,
	"gmbh": true, "mbh": true, "corp": true, "corporation": true, "company": true, "sa": true,
	"sas": true, "sarl": true, "ag": true, "kg": true, "plc": true, "bv": true, "nv": true, "srl": true,
	"spa": true, "pty": true, "oy": true, "ab": true, "aps": true, "kk": true, "pte": true, "pvt": true,
	"group": true, "holdings": true,
}

// Name is a business name prepared for comparison.
type Name struct {
	// Core is the name's distinguishing tokens in their original order:
	// qualifiers in parentheses, articles, generic words and legal forms
	// removed, abbreviations expanded. Sorted is Core sorted and
	// de-duplicated; Key joins Sorted with spaces and Joined concatenates
	// Core without spaces ("steak house" = "steakhouse").
	Core   []string
	Sorted []string
	Key    string
	Joined string
	// All is every cleaned token, generic words included, sorted;
	// Generic is set when the name is made only of generic words.
	All     []string
	Generic bool
}

// nameCompounds are word pairs written as one word as often as two.
var nameCompounds = map[[2]string]string{
	{"steak", "house"}: "steakhouse", {"coffee", "house"}: "coffeehouse", {"coffee", "shop"}: "coffeeshop",
	{"bar", "b"}: "barbecue", {"sea", "food"}: "seafood", {"pizza", "house"}: "pizzeria",
}

// CleanName prepares a business name: case and accents folded, text in
// parentheses ("Spago (Los Angeles)") dropped, articles dropped anywhere
// ("Palm, The"), common abbreviations expanded ("deli"), and generic words
// and legal forms ("restaurant", "cafe", "inc") left out of the core
// unless nothing else remains. Word order does not matter for Key.
func CleanName(s string) Name {
	raw := tokenize(s, true)
	if len(raw) == 0 {
		raw = tokenize(s, false)
	}
	ws := make([]string, 0, len(raw))
	for _, w := range raw {
		if a, ok := nameAbbreviations[w]; ok {
			w = a
		}
		if nameArticles[w] {
			continue
		}
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		ws = raw
	}
	for i := 0; i+1 < len(ws); i++ {
		if c, ok := nameCompounds[[2]string{ws[i], ws[i+1]}]; ok {
			ws = append(ws[:i:i], append([]string{c}, ws[i+2:]...)...)
		}
	}
	for len(ws) > 1 && leadingArticles[ws[0]] {
		ws = ws[1:]
	}
	for len(ws) > 1 && leadingArticles[ws[len(ws)-1]] {
		ws = ws[:len(ws)-1]
	}
	core := make([]string, 0, len(ws))
	for _, w := range ws {
		if !genericNameWords[w] {
			core = append(core, w)
		}
	}
	n := Name{All: sortedUnique(ws)}
	if len(core) == 0 {
		core = ws
		n.Generic = true
	}
	n.Core = core
	n.Sorted = sortedUnique(core)
	n.Key = strings.Join(n.Sorted, " ")
	n.Joined = strings.Join(core, "")
	return n
}

func sortedUnique(ws []string) []string {
	out := append([]string(nil), ws...)
	sort.Strings(out)
	j := 0
	for i, w := range out {
		if i == 0 || w != out[j-1] {
			out[j] = w
			j++
		}
	}
	return out[:j]
}

// Phone is a phone number prepared for comparison: the country calling
// code when known (0 when not) and the national significant number.
type Phone struct {
	CountryCode int32
	National    string
}

// IsZero reports whether p holds no number.
func (p Phone) IsZero() bool { return p.National == "" }

// ParsePhone normalizes a phone number the same way whatever its form:
// "+1 415-555-0100", "(415) 555-0100" with country "US", and "(415)
// 555-0100" without a country all give the national number 4155550100,
// the first two with country code 1. A number with a leading "+" is read
// as international; otherwise country (an ISO 3166 alpha-2 code or a
// common country name) gives the numbering plan; without either, the
// digits are kept, a trunk "0" dropped, and 11 digits starting with "1"
// read as a North American number. An extension ("x23", "ext. 23") is
// ignored. Fewer than 6 digits give the zero Phone.
func ParsePhone(raw, country string) Phone {
	s := strings.TrimSpace(raw)
	if i := strings.IndexAny(strings.ToLower(s), "x#e;,"); i > 0 {
		s = s[:i]
	}
	var digits strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	if len(d) < 6 || len(d) > 17 {
		return Phone{}
	}
	region := Country(country)
	if strings.HasPrefix(s, "+") || strings.HasPrefix(d, "00") && len(d) > 10 {
		in := s
		if !strings.HasPrefix(s, "+") {
			in = "+" + d[2:]
		}
		if n, err := phonenumbers.Parse(in, "ZZ"); err == nil && n.GetCountryCode() != 0 {
			return Phone{CountryCode: n.GetCountryCode(), National: phonenumbers.GetNationalSignificantNumber(n)}
		}
	}
	if len(region) == 2 && phonenumbers.GetCountryCodeForRegion(region) != 0 {
		if n, err := phonenumbers.Parse(s, region); err == nil && n.GetCountryCode() != 0 {
			return Phone{CountryCode: n.GetCountryCode(), National: phonenumbers.GetNationalSignificantNumber(n)}
		}
	}
	d = strings.TrimLeft(d, "0")
	if len(d) == 11 && d[0] == '1' {
		return Phone{CountryCode: 1, National: d[1:]}
	}
	if len(d) < 6 {
		return Phone{}
	}
	return Phone{National: d}
}

// SameNumber reports whether two phones are the same number: equal
// national numbers, with equal country codes or one of them unknown.
func (p Phone) SameNumber(q Phone) bool {
	if p.National == "" || p.National != q.National {
		return false
	}
	return p.CountryCode == q.CountryCode || p.CountryCode == 0 || q.CountryCode == 0
}

// last returns the last n digits of the national number.
func (p Phone) last(n int) string {
	if len(p.National) <= n {
		return p.National
	}
	return p.National[len(p.National)-n:]
}

var countryNames = map[string]string{
	"usa": "US", "us": "US", "united states": "US", "united states of america": "US", "america": "US",
	"uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
	"deutschland": "DE", "germany": "DE", "france": "FR", "canada": "CA", "espana": "ES", "spain": "ES",
	"italia": "IT", "italy": "IT", "nederland": "NL", "netherlands": "NL", "the netherlands": "NL",
	"schweiz": "CH", "switzerland": "CH", "osterreich": "AT", "austria": "AT", "australia": "AU",
	"japan": "JP", "india": "IN", "mexico": "MX", "brazil": "BR", "brasil": "BR", "ireland": "IE",
}

// Country returns an ISO 3166 alpha-2 code for a code or a common country
// name, upper case; other text comes back trimmed and upper case.
func Country(s string) string {
	t := strings.Join(tokenize(s, false), " ")
	if c, ok := countryNames[t]; ok {
		return c
	}
	return strings.ToUpper(t)
}

var streetWords = map[string]string{
	"street": "st", "str": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "blv": "blvd",
	"road": "rd", "drive": "dr", "place": "pl", "lane": "ln", "court": "ct", "parkway": "pkwy",
	"highway": "hwy", "square": "sq", "terrace": "ter", "circle": "cir", "north": "n", "south": "s",
	"east": "e", "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
	"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
	"seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "mount": "mt", "saint": "st",
	"plaza": "plz", "center": "ctr", "centre": "ctr", "expressway": "expy", "way": "wy",
}

var unitWords = map[string]bool{"suite": true, "ste": true, "apt": true, "unit": true, "fl": true, "floor": true, "room": true, "rm": true, "bldg": true}

// Address is a street address prepared for comparison: the house number
// and the street words with common abbreviations unified ("Blvd." and
// "Boulevard"); unit designators (suite, floor ...) are dropped.
type Address struct {
	Number string
	Street string
}

// ParseAddress prepares a street address.
func ParseAddress(s string) Address {
	ws := tokenize(s, true)
	var a Address
	street := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if unitWords[w] {
			i++ // and its number
			continue
		}
		if a.Number == "" && len(street) == 0 && w[0] >= '0' && w[0] <= '9' && !isOrdinal(w) {
			a.Number = w
			continue
		}
		if r, ok := streetWords[w]; ok {
			w = r
		}
		street = append(street, w)
	}
	a.Street = strings.Join(street, " ")
	return a
}

func isOrdinal(w string) bool {
	return strings.HasSuffix(w, "st") || strings.HasSuffix(w, "nd") || strings.HasSuffix(w, "rd") || strings.HasSuffix(w, "th")
}

var cityWords = map[string]string{"w": "west", "e": "east", "n": "north", "s": "south", "st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point", "nyc": "new york"}

// City prepares a city name: folded, abbreviations expanded ("W.
// Hollywood" = "West Hollywood"), a trailing "city" dropped ("New York
// City" = "New York").
func City(s string) string {
	ws := tokenize(s, true)
	for i, w := range ws {
		if r, ok := cityWords[w]; ok {
			ws[i] = r
		}
	}
	if len(ws) > 1 && ws[len(ws)-1] == "city" {
		ws = ws[:len(ws)-1]
	}
	return strings.Join(ws, " ")
}

// Domain returns the host of a website or bare domain, lower case,
// without scheme, "www.", port, path, query or trailing dot; empty when
// the text holds no dotted host.
func Domain(website string) string {
	s := strings.ToLower(strings.TrimSpace(website))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.Trim(s, ".")
	for strings.HasPrefix(s, "www.") {
		s = s[len("www."):]
	}
	if !strings.Contains(s, ".") || strings.Contains(s, "..") {
		return ""
	}
	for _, r := range s {
		if r != '.' && r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return ""
		}
	}
	return s
}

// Email returns an e-mail address trimmed and lower case; empty when it
// is not one local part, "@" and a domain.
func Email(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Count(s, "@") != 1 || strings.HasPrefix(s, "@") || strings.HasSuffix(s, "@") {
		return ""
	}
	return s
}
