package linkage

import "strings"

// Kind selects the comparisons of a Linker: accounts (businesses) or
// contacts (people).
type Kind string

// The kinds of records a Linker links.
const (
	Accounts Kind = "account"
	Contacts Kind = "contact"
)

// Key identifies a source record: its source (connection) and id.
type Key struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// String returns "source/id".
func (k Key) String() string { return k.Source + "/" + k.ID }

func (k Key) less(o Key) bool {
	if k.Source != o.Source {
		return k.Source < o.Source
	}
	return k.ID < o.ID
}

// Record is one source record to link. Accounts use Name, Street, City,
// Country, Phone and Website; contacts use Email, FirstName, LastName,
// Phone and Account (the unified id of the contact's account, when known).
type Record struct {
	Key       Key
	Name      string
	Street    string
	City      string
	Country   string
	Phone     string
	Website   string
	Email     string
	FirstName string
	LastName  string
	Account   string
}

// features are a record's prepared comparison values.
type features struct {
	name    Name
	phone   Phone
	domain  string
	addr    Address
	city    string
	country string
	email   string
	person  string
	first   string
	last    string
	account string
}

func prepare(kind Kind, r *Record) features {
	var f features
	country := Country(r.Country)
	f.phone = ParsePhone(r.Phone, country)
	if kind == Contacts {
		f.email = Email(r.Email)
		f.first = strings.Join(tokenize(r.FirstName, true), " ")
		f.last = strings.Join(tokenize(r.LastName, true), " ")
		f.person = strings.TrimSpace(f.first + " " + f.last)
		f.account = r.Account
		return f
	}
	f.name = CleanName(r.Name)
	f.domain = Domain(r.Website)
	f.addr = ParseAddress(r.Street)
	f.city = City(r.City)
	f.country = country
	return f
}

// nullLevel marks a comparison that cannot be made (a value is missing).
const nullLevel = -1

// comparison is one field comparison with its ordered levels, best first;
// the last level is always "different".
type comparison struct {
	name   string
	levels []string
	// defaults: m- and u-probabilities per level before estimation
	m, u []float64
	// tf: the first level's u-value is the frequency of the value (term
	// frequency adjustment), so common values weigh less
	tf      func(f *features) string
	compare func(a, b *features) int
	// alone: agreement on the first level is enough to link without a
	// second agreeing comparison (a shared e-mail address)
	alone bool
	// fixedM: the m-values are not estimated (the field is weak and
	// correlated with blocking: estimation would mistake "same city" for
	// "same business")
	fixedM bool
	// required > 0: a pair whose values are both present but compare at
	// level required or worse never links automatically, however strong
	// the rest (two businesses behind one hotel switchboard and street
	// address); it is listed for review instead
	required int
}

func comparisons(kind Kind) []comparison {
	if kind == Contacts {
		return contactComparisons
	}
	return accountComparisons
}

var accountComparisons = []comparison{
	{name: "name", levels: []string{"exact", "similar", "weak", "different"},
		m: []float64{0.75, 0.17, 0.05, 0.03}, u: []float64{1e-4, 1e-3, 0.01, 0.989},
		tf: func(f *features) string { return f.name.Key }, compare: compareNames, required: 2},
	{name: "domain", levels: []string{"same", "different"},
		m: []float64{0.85, 0.15}, u: []float64{1e-4, 0.9999},
		tf: func(f *features) string { return f.domain }, compare: compareEqual(func(f *features) string { return f.domain })},
	{name: "phone", levels: []string{"same", "same last 7 digits", "different"},
		m: []float64{0.88, 0.03, 0.09}, u: []float64{1e-4, 1e-5, 0.9999},
		tf: func(f *features) string { return f.phone.National }, compare: comparePhones},
	{name: "address", levels: []string{"same", "same number, similar street", "same street, other number", "different"},
		m: []float64{0.8, 0.1, 0.04, 0.06}, u: []float64{1e-4, 5e-4, 0.01, 0.99},
		tf: func(f *features) string { return f.addr.Number + " " + f.addr.Street }, compare: compareAddresses},
	{name: "city", levels: []string{"same", "similar", "different"},
		m: []float64{0.85, 0.07, 0.08}, u: []float64{0.05, 0.005, 0.945},
		tf: func(f *features) string { return f.city }, compare: compareCities, fixedM: true},
	{name: "country", levels: []string{"same", "different"},
		m: []float64{0.97, 0.03}, u: []float64{0.6, 0.4},
		compare: compareEqual(func(f *features) string { return f.country }), fixedM: true},
}

var contactComparisons = []comparison{
	{name: "email", levels: []string{"same", "different"},
		m: []float64{0.9, 0.1}, u: []float64{1e-4, 0.9999},
		tf: func(f *features) string { return f.email }, compare: compareEqual(func(f *features) string { return f.email }), alone: true},
	{name: "name", levels: []string{"exact", "similar", "different"},
		m: []float64{0.85, 0.1, 0.05}, u: []float64{1e-3, 5e-3, 0.994},
		tf: func(f *features) string { return f.person }, compare: comparePersons, required: 2},
	{name: "account", levels: []string{"same", "different"},
		m: []float64{0.9, 0.1}, u: []float64{0.01, 0.99},
		tf: func(f *features) string { return f.account }, compare: compareEqual(func(f *features) string { return f.account })},
	{name: "phone", levels: []string{"same", "same last 7 digits", "different"},
		m: []float64{0.8, 0.03, 0.17}, u: []float64{1e-4, 1e-5, 0.9999},
		tf: func(f *features) string { return f.phone.National }, compare: comparePhones},
}

func compareEqual(get func(f *features) string) func(a, b *features) int {
	return func(a, b *features) int {
		x, y := get(a), get(b)
		switch {
		case x == "" || y == "":
			return nullLevel
		case x == y:
			return 0
		}
		return 1
	}
}

// tokenMatch reports whether two name tokens are the same word, allowing
// a typo in words of five or more letters.
func tokenMatch(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) < 5 || len(b) < 5 {
		return false
	}
	return JaroWinkler(a, b) >= 0.92
}

// containment is the share of the smaller token set found in the larger.
func containment(a, b []string) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return 0
	}
	n := 0
	for _, x := range a {
		for _, y := range b {
			if tokenMatch(x, y) {
				n++
				break
			}
		}
	}
	return float64(n) / float64(len(a))
}

func compareNames(a, b *features) int {
	x, y := &a.name, &b.name
	if x.Key == "" || y.Key == "" {
		return nullLevel
	}
	if x.Key == y.Key || x.Joined == y.Joined {
		return 0
	}
	jw := JaroWinkler(x.Key, y.Key)
	if j := JaroWinkler(x.Joined, y.Joined); j > jw {
		jw = j
	}
	c := containment(x.Sorted, y.Sorted)
	if (x.Generic || y.Generic) && containment(x.All, y.All) == 1 {
		// "The Grill" within "Grill on the Alley"
		c = 1
	}
	switch {
	case c == 1 || jw >= 0.94:
		return 1
	case c >= 0.5 || jw >= 0.85:
		return 2
	}
	return 3
}

func comparePhones(a, b *features) int {
	if a.phone.IsZero() || b.phone.IsZero() {
		return nullLevel
	}
	if a.phone.SameNumber(b.phone) {
		return 0
	}
	if len(a.phone.National) >= 7 && a.phone.last(7) == b.phone.last(7) {
		return 1
	}
	return 2
}

func compareAddresses(a, b *features) int {
	x, y := &a.addr, &b.addr
	if x.Street == "" || y.Street == "" {
		return nullLevel
	}
	similar := x.Street == y.Street || JaroWinkler(x.Street, y.Street) >= 0.9 || containment(strings.Fields(x.Street), strings.Fields(y.Street)) == 1
	if x.Number != "" && x.Number == y.Number {
		if similar {
			return 0
		}
		if containment(strings.Fields(x.Street), strings.Fields(y.Street)) >= 0.5 {
			return 1
		}
		return 3
	}
	if similar {
		return 2
	}
	return 3
}

func compareCities(a, b *features) int {
	if a.city == "" || b.city == "" {
		return nullLevel
	}
	if a.city == b.city {
		return 0
	}
	if JaroWinkler(a.city, b.city) >= 0.9 || containment(strings.Fields(a.city), strings.Fields(b.city)) == 1 {
		return 1
	}
	return 2
}

func comparePersons(a, b *features) int {
	if a.last == "" || b.last == "" {
		return nullLevel
	}
	if a.person == b.person {
		return 0
	}
	if a.last == b.last && (a.first == "" || b.first == "" || a.first[0] == b.first[0]) {
		return 1
	}
	if JaroWinkler(a.person, b.person) >= 0.95 {
		return 1
	}
	return 2
}

// blockingKeys are the keys of the blocks a record falls in; only records
// sharing a block are compared.
func blockingKeys(kind Kind, f *features) []string {
	var ks []string
	if f.phone.National != "" && len(f.phone.National) >= 7 {
		ks = append(ks, "p:"+f.phone.last(7))
	}
	if kind == Contacts {
		if f.email != "" {
			ks = append(ks, "e:"+f.email)
		}
		if f.last != "" {
			ks = append(ks, "l:"+f.last+"|"+f.account)
			if f.first != "" {
				ks = append(ks, "n:"+f.person)
			}
		}
		return ks
	}
	if f.domain != "" {
		ks = append(ks, "d:"+f.domain)
	}
	if f.name.Key != "" {
		ks = append(ks, "n:"+f.name.Key)
		for _, t := range f.name.Sorted {
			if f.city != "" {
				ks = append(ks, "nc:"+t+"|"+f.city)
			}
			if f.addr.Number != "" {
				ks = append(ks, "na:"+t+"|"+f.addr.Number)
			}
		}
	}
	if f.addr.Number != "" && f.addr.Street != "" {
		longest := ""
		for _, w := range strings.Fields(f.addr.Street) {
			if len(w) > len(longest) {
				longest = w
			}
		}
		ks = append(ks, "a:"+f.addr.Number+"|"+longest)
	}
	return ks
}

// nameSimilarity is a fine-grained name score (Jaro–Winkler of all
// cleaned tokens, generic words included, sorted) that orders links of
// equal weight.
func nameSimilarity(a, b *features) float64 {
	if len(a.name.All) == 0 || len(b.name.All) == 0 {
		return 0
	}
	return JaroWinkler(strings.Join(a.name.All, " "), strings.Join(b.name.All, " "))
}
