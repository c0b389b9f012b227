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
)

// valueProfile summarizes the samples of one source field.
type valueProfile struct {
	Kind     Profile
	Count    int     // non-empty samples
	Share    float64 // share of samples of Kind
	Min, Max float64 // numeric range when numeric
	Distinct int
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
	case "true", "false", "yes", "no", "y", "n", "t", "f":
		return ProfileBoolean
	}
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " ") {
		if _, err := mail.ParseAddress(s); err == nil {
			return ProfileEmail
		}
	}
	if strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || reDomain.MatchString(low) {
		return ProfileURL
	}
	if reUUID.MatchString(s) {
		return ProfileUUID
	}
	if reDatetime.MatchString(s) {
		if _, err := canonical.Coerce(canonical.Timestamp, s, nil); err == nil {
			return ProfileDatetime
		}
	}
	if reDate.MatchString(s) {
		return ProfileDate
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
		if len(s) >= 6 {
			return ProfileNumericID
		}
		return ProfileInteger
	}
	if f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimLeft(s, "$€£"), ",", ""), 64); err == nil {
		return classifyNumber(f)
	}
	if rePhone.MatchString(s) && countDigits(s) >= 7 && (strings.ContainsAny(s, " ()-+.")) {
		return ProfilePhone
	}
	if code, ok := canonical.CountryCode(s); ok && code != "" && (len(s) > 3 || strings.ToUpper(s) == s) {
		return ProfileCountry
	}
	if isOpaqueID(s) {
		return ProfileOpaqueID
	}
	if strings.Contains(s, " ") {
		if countDigits(s) > 0 && len(s) <= 12 {
			return ProfileCode // postal codes "EC1A 1BB"
		}
		return ProfileText
	}
	if countDigits(s) > 0 && reCode.MatchString(s) {
		return ProfileCode
	}
	return ProfileLabel
}

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
// [10, 75, 100] reads as probabilities and [0.5, 24] as amounts.
func profileSamples(samples []any) valueProfile {
	counts := map[Profile]int{}
	var p valueProfile
	p.Min, p.Max = math.Inf(1), math.Inf(-1)
	numeric, whole := 0, 0
	distinct := map[string]bool{}
	for _, v := range samples {
		k := classify(v)
		if k == ProfileNone {
			continue
		}
		p.Count++
		counts[k]++
		if s, ok := sampleString(v); ok {
			distinct[s] = true
		}
		if f, ok := sampleNumber(v); ok {
			numeric++
			if f == math.Trunc(f) {
				whole++
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
		case p.Min >= 0 && p.Max <= 1 && whole < numeric:
			p.Kind = ProfileProbability
		case whole == numeric:
			p.Kind = ProfileInteger
		default:
			p.Kind = ProfileMoney
		}
		p.Share = 1
		return p
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
	if float64(bestN) < 0.6*float64(p.Count) {
		best = ProfileMixed
	}
	p.Kind, p.Share = best, float64(bestN)/float64(p.Count)
	return p
}

var profileOrder = []Profile{
	ProfileBoolean, ProfileEmail, ProfileURL, ProfileUUID, ProfileDatetime, ProfileDate, ProfileUnixTime,
	ProfileCurrency, ProfilePhone, ProfileCountry, ProfileOpaqueID, ProfileNumericID, ProfileProbability,
	ProfileMoney, ProfileInteger, ProfileText, ProfileCode, ProfileLabel, ProfileMixed,
}

// isIDField reports whether a canonical field holds an identifier.
func isIDField(f canonical.Field, entityID bool) bool {
	return entityID || f.Type == canonical.Ref || strings.HasSuffix(f.Name, "_id") || strings.HasSuffix(f.Name, "_number")
}

// profileFit says how well a profile suits a canonical field, -1..1:
// strongly when the type is specific (an e-mail profile for an email field),
// weakly for generic text.
func profileFit(p valueProfile, f canonical.Field, entityID bool) float64 {
	if p.Kind == ProfileNone || p.Kind == ProfileMixed {
		return 0
	}
	id := isIDField(f, entityID)
	if id {
		switch p.Kind {
		case ProfileUUID, ProfileOpaqueID, ProfileNumericID:
			return 1
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
		return -1
	case canonical.Integer:
		switch p.Kind {
		case ProfileInteger:
			return 0.6
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
		switch p.Kind {
		case ProfileText, ProfileLabel:
			return 0.3
		case ProfileCode:
			return 0.1
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
		if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" || v == nil {
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
		if _, err := canonical.Coerce(t, v, nil); err == nil {
			ok++
		}
	}
	if n == 0 {
		return -1
	}
	return float64(ok) / float64(n)
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
