package schemamatch

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// Profile names what a field's sample values look like.
type Profile string

// The value profiles the matcher recognises, from the most to the least
// specific.
const (
	ProfileNone        Profile = ""            // no usable samples
	ProfileBoolean     Profile = "boolean"     // true/false, yes/no
	ProfileEmail       Profile = "email"       // addresses
	ProfileURL         Profile = "url"         // http(s) URLs or bare domains
	ProfilePhone       Profile = "phone"       // phone numbers
	ProfileCurrency    Profile = "currency"    // ISO 4217 codes
	ProfileCountry     Profile = "country"     // country names or ISO codes
	ProfileDate        Profile = "date"        // calendar dates
	ProfileDatetime    Profile = "datetime"    // timestamps as text
	ProfileUnixTime    Profile = "unix_time"   // Unix seconds or milliseconds
	ProfileUUID        Profile = "uuid"        // RFC 4122 UUIDs
	ProfileOpaqueID    Profile = "opaque_id"   // vendor ids: 001Kg..., cus_..., i-0abc...
	ProfileNumericID   Profile = "numeric_id"  // long digit strings
	ProfileProbability Profile = "probability" // numbers in 0..1 or 0..100
	ProfileMoney       Profile = "money"       // decimal amounts
	ProfileInteger     Profile = "integer"     // whole numbers, counts
	ProfileText        Profile = "text"        // free text with spaces
	ProfileLabel       Profile = "label"       // short words: enums, names
	ProfileCode        Profile = "code"        // short codes with digits or dashes
	ProfileMixed       Profile = "mixed"       // nothing dominant
	ProfileYear        Profile = "year"        // whole numbers 1900..2100
	ProfileIdentifier  Profile = "identifier"  // distinct values of one fixed pattern: C-100231, INV/2024/00001
	ProfileEnum        Profile = "enum"        // few distinct short labels: stages, statuses, types
	ProfileConstant    Profile = "constant"    // one value repeated: evidence of nothing
)

var (
	reUUID     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reSFID     = regexp.MustCompile(`^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$`)
	rePrefixID = regexp.MustCompile(`^[a-zA-Z]{1,8}[_-][a-zA-Z0-9_-]{8,}$`)
	reDomain   = regexp.MustCompile(`^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$`)
	rePhone    = regexp.MustCompile(`^\+?[0-9 ().\-/]{7,24}(\s*(x|ext\.?)\s*[0-9]+)?$`)
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}/\d{4}$|^\d{4}/\d{2}/\d{2}$|^\d{1,2}\.\d{1,2}\.\d{4}$`)
	reLooseDT  = regexp.MustCompile(`^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]\d{1,2}:\d{2}`)
	reDatetime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}`)
	reDigits   = regexp.MustCompile(`^\d+$`)
	reCode     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._/-]*$`)
	// reDigitsDots is a version or a dotted number ("1.2.3", "10.4.12"),
	// which the domain pattern would otherwise take for a host.
	reDigitsDots = regexp.MustCompile(`^[0-9.]+$`)
)

// valueProfile summarizes the samples of one source field.
type valueProfile struct {
	Kind     Profile
	Count    int     // non-empty samples
	Share    float64 // share of samples of Kind
	Min, Max float64 // numeric range when numeric
	Distinct int
	// Blank counts empty samples: nil, "", SAP's "00000000" date.
	Blank int
}

// sampleString renders a sample as text for pattern checks.
func sampleString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		s := strings.TrimSpace(x)
		return s, s != ""
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case int, int64, int32, uint, uint64, uint32:
		return fmt.Sprint(x), true
	}
	return "", false
}

// sampleNumber reads a JSON number (not a numeric string).
func sampleNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// classify returns the most specific profile of one value.
func classify(v any) Profile {
	if _, ok := v.(bool); ok {
		return ProfileBoolean
	}
	if f, ok := sampleNumber(v); ok {
		return classifyNumber(f)
	}
	switch v.(type) {
	case map[string]any:
		return ProfileOpaqueID // a reference object ({"id": ...})
	case []any:
		return ProfileMixed
	}
	s, ok := sampleString(v)
	if !ok {
		return ProfileNone
	}
	low := strings.ToLower(s)
	switch low {
	case "true", "false", "yes", "no", "y", "n", "t", "f", "ja", "nein", "oui", "non", "si", "sí", "sim", "nao", "não":
		return ProfileBoolean
	}
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " ") {
		if _, err := mail.ParseAddress(s); err == nil {
			return ProfileEmail
		}
	}
	if strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || reDomain.MatchString(low) && !reDigitsDots.MatchString(low) {
		return ProfileURL
	}
	if reUUID.MatchString(s) {
		return ProfileUUID
	}
	if ok, hasTime := parseDateText(s); ok {
		if hasTime {
			return ProfileDatetime
		}
		return ProfileDate
	}
	if reDatetime.MatchString(s) {
		if _, err := canonical.Coerce(canonical.Timestamp, s, nil); err == nil {
			return ProfileDatetime
		}
	}
	if reLooseDT.MatchString(s) {
		return ProfileDatetime
	}
	if len(s) == 3 && (strings.ToUpper(s) == s || strings.ToLower(s) == s) && canonical.IsCurrency(strings.ToUpper(s)) {
		return ProfileCurrency
	}
	if reDigits.MatchString(s) {
		if len(s) >= 9 && len(s) <= 13 {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && isUnixRange(float64(n)) {
				return ProfileUnixTime
			}
		}
		if len(s) >= 6 || len(s) >= 3 && s[0] == '0' {
			return ProfileNumericID // leading zeros: a key, not a count
		}
		return ProfileInteger
	}
	if f, pct, ok := parseLocaleNumber(s); ok {
		switch {
		case pct:
			return ProfileProbability
		case currencySymbols.Replace(s) != s || strings.ContainsAny(s, ".,") && !(f >= 0 && f <= 1):
			// "1 250,00 €", "12.500,00": an amount written for people,
			// whole or not.
			return ProfileMoney
		}
		return classifyNumber(f)
	}
	if looksLikePhone(s) {
		return ProfilePhone
	}
	if code, ok := countryCode(s); ok && code != "" && (len(s) > 3 || strings.ToUpper(s) == s) {
		return ProfileCountry
	}
	if isOpaqueID(s) {
		return ProfileOpaqueID
	}
	if strings.Contains(s, " ") {
		if countDigits(s) > 0 && len(s) <= 12 && countDigits(s)*2 >= len(strings.ReplaceAll(s, " ", "")) {
			return ProfileCode // postal codes "EC1A 1BB"
		}
		return ProfileText
	}
	if countDigits(s) > 0 && reCode.MatchString(s) {
		return ProfileCode
	}
	return ProfileLabel
}

// canonicalCountry is canonical.CountryCode.
func canonicalCountry(s string) (string, bool) { return canonical.CountryCode(s) }

func isUnixRange(f float64) bool {
	return (f >= 3e8 && f <= 5e9) || (f >= 3e11 && f <= 5e12)
}

func classifyNumber(f float64) Profile {
	if f == math.Trunc(f) {
		if isUnixRange(f) && f >= 9e8 {
			return ProfileUnixTime
		}
		return ProfileInteger
	}
	if f >= 0 && f <= 1 {
		return ProfileProbability
	}
	return ProfileMoney
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// isOpaqueID recognises machine identifiers: Salesforce ids, prefixed ids
// (cus_..., in_..., i-0abc...), paths and long mixed tokens.
func isOpaqueID(s string) bool {
	if strings.ContainsAny(s, " ") {
		return false
	}
	d := countDigits(s)
	switch {
	case reSFID.MatchString(s) && d >= 3 && d < len(s):
		return true
	case rePrefixID.MatchString(s) && (d >= 1 || strings.ToLower(s) != s && strings.ToUpper(s) != s):
		return true
	case strings.Count(s, "/") >= 2 || strings.HasPrefix(s, "arn:"):
		return true
	case len(s) >= 10 && d >= 3:
		return true
	}
	return false
}

// profileSamples summarizes samples; numbers are profiled as a whole so
// [10, 75, 100] reads as probabilities and [0.5, 24] as amounts. Blanks
// (nil, "", SAP's "00000000") are counted apart; a column whose values are
// all one value is constant, which says nothing about its meaning unless
// the value itself is specific (a currency, a country).
func profileSamples(samples []any) valueProfile {
	counts := map[Profile]int{}
	var p valueProfile
	p.Min, p.Max = math.Inf(1), math.Inf(-1)
	numeric, whole, years, compactDates := 0, 0, 0, 0
	distinct := map[string]bool{}
	shapes := map[string]bool{}
	for _, v := range samples {
		if str, ok := v.(string); ok && strings.TrimSpace(str) == sapBlankDate {
			p.Blank++
			continue
		}
		k := classify(v)
		if k == ProfileNone {
			p.Blank++
			continue
		}
		p.Count++
		counts[k]++
		if str, ok := sampleString(v); ok {
			distinct[str] = true
			shapes[shape(str)] = true
		}
		if f, ok := sampleNumber(v); ok {
			numeric++
			if f == math.Trunc(f) {
				whole++
				if f >= 1900 && f <= 2100 {
					years++
				}
				if n := int(f); f >= 19000101 && f <= 21001231 && validDate(n/10000, n/100%100, n%100) {
					compactDates++
				}
			}
			p.Min, p.Max = math.Min(p.Min, f), math.Max(p.Max, f)
		}
	}
	p.Distinct = len(distinct)
	if p.Count == 0 {
		return p
	}
	if numeric == p.Count {
		switch {
		case counts[ProfileUnixTime] == p.Count:
			p.Kind = ProfileUnixTime
		case compactDates == p.Count:
			p.Kind = ProfileDate
		case years == p.Count:
			p.Kind = ProfileYear
		case p.Min >= 0 && p.Max <= 1 && whole < numeric:
			p.Kind = ProfileProbability
		case whole == numeric:
			p.Kind = ProfileInteger
		default:
			p.Kind = ProfileMoney
		}
		p.Share = 1
		return p.refine(len(shapes))
	}
	best, bestN := ProfileMixed, 0
	for _, k := range profileOrder {
		if counts[k] > bestN {
			best, bestN = k, counts[k]
		}
	}
	// Ids and codes mix: "123456789012" and "0A1B2C-3D4E5F" are both ids.
	idLike := counts[ProfileOpaqueID] + counts[ProfileNumericID] + counts[ProfileUUID]
	if idLike == p.Count && idLike > bestN {
		best, bestN = ProfileOpaqueID, idLike
	}
	// Amounts written for people mix whole and decimal values.
	if amounts := counts[ProfileMoney] + counts[ProfileInteger]; counts[ProfileMoney] > 0 && amounts > bestN {
		best, bestN = ProfileMoney, amounts
	}
	// Dates and timestamps mix in one column.
	if times := counts[ProfileDate] + counts[ProfileDatetime]; times > bestN {
		best, bestN = ProfileDatetime, times
		if counts[ProfileDate] >= counts[ProfileDatetime] {
			best = ProfileDate
		}
	}
	if float64(bestN) < 0.6*float64(p.Count) {
		best = ProfileMixed
	}
	p.Kind, p.Share = best, float64(bestN)/float64(p.Count)
	return p.refine(len(shapes))
}

// refine reads column-level evidence into the kind: a constant column, an
// identifier (distinct values of one fixed pattern), an enumeration
// (repeated short labels).
func (p valueProfile) refine(shapes int) valueProfile {
	specific := map[Profile]bool{ProfileEmail: true, ProfileURL: true, ProfilePhone: true, ProfileCurrency: true,
		ProfileCountry: true, ProfileDate: true, ProfileDatetime: true, ProfileUnixTime: true, ProfileBoolean: true}
	switch {
	case p.Count >= 3 && p.Distinct == 1 && !specific[p.Kind]:
		p.Kind = ProfileConstant
	case p.Count >= 3 && p.Distinct == p.Count && shapes == 1 &&
		(p.Kind == ProfileCode || p.Kind == ProfileNumericID || p.Kind == ProfileOpaqueID):
		p.Kind = ProfileIdentifier
	case p.Count >= 3 && p.Distinct < p.Count && (p.Kind == ProfileLabel || p.Kind == ProfileText && p.Distinct <= 3):
		p.Kind = ProfileEnum
	}
	return p
}

var profileOrder = []Profile{
	ProfileBoolean, ProfileEmail, ProfileURL, ProfileUUID, ProfileDatetime, ProfileDate, ProfileUnixTime,
	ProfileCurrency, ProfilePhone, ProfileCountry, ProfileOpaqueID, ProfileNumericID, ProfileProbability,
	ProfileMoney, ProfileInteger, ProfileText, ProfileCode, ProfileLabel, ProfileMixed,
}

// specificity says how much a profile alone tells about a field, 0..1: an
// e-mail column is almost surely an e-mail field, a date column is one of
// several dates.
var specificity = map[Profile]float64{
	ProfileEmail: 1, ProfileURL: 0.9, ProfileCurrency: 0.95, ProfileCountry: 0.9, ProfilePhone: 0.85,
	ProfileProbability: 0.5, ProfileDate: 0.5, ProfileDatetime: 0.5, ProfileUnixTime: 0.5, ProfileMoney: 0.45,
	ProfileIdentifier: 0.4, ProfileUUID: 0.4, ProfileOpaqueID: 0.35, ProfileEnum: 0.25,
}

// isIDField reports whether a canonical field holds an identifier.
func isIDField(f canonical.Field, entityID bool) bool {
	return entityID || f.Type == canonical.Ref || strings.HasSuffix(f.Name, "_id") || strings.HasSuffix(f.Name, "_number")
}

// profileFit says how well a profile suits a canonical field, -1..1:
// strongly when the type is specific (an e-mail profile for an email field),
// weakly for generic text.
func profileFit(p valueProfile, f canonical.Field, entityID bool) float64 {
	if p.Kind == ProfileNone || p.Kind == ProfileMixed || p.Kind == ProfileConstant {
		return 0
	}
	id := isIDField(f, entityID)
	if id && !entityID && (p.Kind == ProfileLabel || p.Kind == ProfileText || p.Kind == ProfileEnum) {
		// Exports often write a reference as the referenced record's name
		// ("Firma": "Müller GmbH", "user_id": "Mitchell Admin").
		return -0.1
	}
	if id {
		switch p.Kind {
		case ProfileUUID, ProfileOpaqueID, ProfileNumericID, ProfileIdentifier:
			return 1
		case ProfileEnum:
			return -0.6
		case ProfileInteger, ProfileCode:
			return 0.3
		case ProfileLabel:
			return -0.6
		case ProfileText:
			return -0.8
		case ProfileEmail, ProfileURL:
			return -0.3
		default:
			return -1
		}
	}
	switch f.Type {
	case canonical.Email:
		return pick(p.Kind == ProfileEmail, 1, -1)
	case canonical.URL:
		return pick(p.Kind == ProfileURL, 1, -1)
	case canonical.Phone:
		switch p.Kind {
		case ProfilePhone:
			return 1
		case ProfileNumericID, ProfileInteger:
			return 0.2
		}
		return -1
	case canonical.Currency:
		return pick(p.Kind == ProfileCurrency, 1, -1)
	case canonical.Country:
		switch p.Kind {
		case ProfileCountry:
			return 1
		case ProfileLabel, ProfileText:
			return -0.2
		}
		return -1
	case canonical.Date, canonical.Timestamp:
		switch p.Kind {
		case ProfileDate, ProfileDatetime, ProfileUnixTime:
			return 1
		case ProfileYear:
			return -0.5
		}
		return -1
	case canonical.Boolean:
		return pick(p.Kind == ProfileBoolean, 1, -1)
	case canonical.Percent:
		switch p.Kind {
		case ProfileProbability:
			return 1
		case ProfileInteger, ProfileMoney:
			if p.Min >= 0 && p.Max <= 100 {
				return 0.6
			}
			return -1
		}
		return -1
	case canonical.Decimal:
		switch p.Kind {
		case ProfileMoney:
			return 0.6
		case ProfileInteger:
			return 0.3
		case ProfileProbability, ProfileNumericID:
			return 0
		}
		return -1 // a year column is not an amount
	case canonical.Integer:
		switch p.Kind {
		case ProfileInteger:
			return 0.6
		case ProfileYear:
			return -0.3
		case ProfileNumericID:
			return 0
		case ProfileMoney, ProfileProbability:
			return -0.5
		}
		return -1
	case canonical.String:
		if strings.Contains(f.Name, "postal") || strings.Contains(f.Name, "zip") {
			switch p.Kind {
			case ProfileInteger, ProfileCode, ProfileNumericID:
				return 0.3
			}
		}
		if p.Kind == ProfileEnum {
			if enumField(f.Name) {
				return 0.6
			}
			return 0
		}
		switch p.Kind {
		case ProfileText, ProfileLabel:
			return 0.3
		case ProfileCode:
			return 0.1
		case ProfileIdentifier:
			return -0.5
		case ProfileCountry, ProfileCurrency:
			return 0
		case ProfileInteger:
			return -0.4
		case ProfileOpaqueID, ProfileUUID, ProfileNumericID:
			return -0.5
		}
		return -1
	}
	return 0
}

// enumField reports whether a canonical string field holds one of a few
// values (a status, a stage, a type) rather than free text.
func enumField(name string) bool {
	for _, w := range []string{"type", "status", "stage", "category", "industry", "forecast", "source", "provider", "unit", "region", "department"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func pick(ok bool, a, b float64) float64 {
	if ok {
		return a
	}
	return b
}

// coercionRate is the share of non-empty samples that coerce to t, or -1
// without samples. For identifier fields a reference object ({"id": ...})
// counts by its id, as canonical.Ref reads it.
func coercionRate(samples []any, t canonical.Type, idField bool) float64 {
	n, ok := 0, 0
	for _, v := range samples {
		if obj, isObj := v.(map[string]any); isObj && idField {
			v = refID(obj)
		}
		if s, isStr := v.(string); isStr && (strings.TrimSpace(s) == "" || strings.TrimSpace(s) == sapBlankDate) || v == nil {
			continue
		}
		n++
		if t == canonical.Date || t == canonical.Timestamp {
			// Small integers are not times, though Coerce reads them as
			// Unix seconds.
			if f, isNum := sampleNumber(v); isNum && !isUnixRange(f) {
				continue
			}
		}
		if t == canonical.Boolean {
			if f, isNum := sampleNumber(v); isNum && f != 0 && f != 1 {
				continue
			}
		}
		if coercesUnderSomeReading(t, v) || transformable(t, v) {
			ok++
		}
	}
	if n == 0 {
		return -1
	}
	return float64(ok) / float64(n)
}

// readings are the column-level settings a mapping may declare (a unit, a
// decimal mark): a sample that coerces under one of them fits the type,
// since canonical.Coerce refuses to guess them per value.
var readings = []*canonical.CoerceOptions{
	nil,
	{Unit: canonical.UnitFraction},
	{Unit: canonical.UnitUnixMillis},
	{DecimalMark: "."},
	{DecimalMark: ","},
}

// coercesUnderSomeReading reports whether v coerces to t under one of the
// readings a mapping could declare for its column.
func coercesUnderSomeReading(t canonical.Type, v any) bool {
	for _, o := range readings {
		if _, err := canonical.Coerce(t, v, o); err == nil {
			return true
		}
	}
	return false
}

// transformable reports whether a text sample that canonical.Coerce does
// not read is a known layout away from t: a European or compact date, a
// locale-formatted amount or percentage, a country named in another
// language. The mapping's transform reads it; it is no contradiction.
func transformable(t canonical.Type, v any) bool {
	s, ok := v.(string)
	if !ok {
		if f, isNum := sampleNumber(v); isNum && (t == canonical.Date || t == canonical.Timestamp) {
			n := int(f)
			return f == math.Trunc(f) && validDate(n/10000, n/100%100, n%100)
		}
		return false
	}
	switch t {
	case canonical.Date, canonical.Timestamp:
		ok, _ := parseDateText(s)
		return ok
	case canonical.Decimal, canonical.Integer:
		_, pct, ok := parseLocaleNumber(s)
		return ok && !pct
	case canonical.Percent:
		_, _, ok := parseLocaleNumber(s)
		return ok
	case canonical.Country:
		_, ok := countryCode(s)
		return ok
	}
	return false
}

// refID returns the "id" or "value" of a reference object, or nil.
func refID(obj map[string]any) any {
	for _, k := range []string{"id", "Id", "ID", "value", "Value"} {
		if v, ok := obj[k]; ok {
			return v
		}
	}
	return nil
}

// typeCompat scores a declared source type against a canonical field:
// 0 fits, negative contradicts (a boolean can never be a name).
func typeCompat(st canonical.FieldType, f canonical.Field, entityID bool) float64 {
	id := isIDField(f, entityID)
	t := f.Type
	switch st {
	case canonical.TypeBoolean:
		return pick(t == canonical.Boolean, 0, -3)
	case canonical.TypeDate, canonical.TypeDatetime:
		if t == canonical.Date || t == canonical.Timestamp {
			return 0
		}
		return -3
	case canonical.TypeInteger:
		switch {
		case id:
			return 0
		case t == canonical.Integer || t == canonical.Decimal || t == canonical.Percent || t == canonical.Date || t == canonical.Timestamp:
			return 0
		case t == canonical.Boolean || t == canonical.Phone:
			return -1
		case t == canonical.String:
			return -1.5
		}
		return -3
	case canonical.TypeNumber:
		switch {
		case t == canonical.Decimal || t == canonical.Percent || t == canonical.Integer:
			return 0
		case t == canonical.Timestamp || t == canonical.Date || id:
			return -0.5
		}
		return -3
	case canonical.TypeObject:
		return pick(id, 0, -2)
	case canonical.TypeArray:
		return -2.5
	case canonical.TypeString:
		if t == canonical.Boolean {
			return -0.5
		}
	}
	return 0
}
