// Command gen writes the unification evaluation data: for each split (dev
// and held-out, from different seeds) two CSV sources of businesses, a.csv
// and b.csv, and the true pairs, pairs.csv. The second source writes the
// same businesses differently, the ways directories and CRMs do: city
// qualifiers in parentheses, articles in front or behind, word order,
// abbreviations, generic words, phone formats with and without a country
// code, street abbreviations. It also holds the hard non-matches: hotel
// restaurants sharing a switchboard phone and street address, same-name
// branches in other cities, and similar names in the same city.
//
//	go run ./internal/unifybench/gen -out internal/unifybench/testdata
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type city struct {
	name, alt, area string
}

var cities = []city{
	{"San Francisco", "SF", "415"}, {"Los Angeles", "Los Angeles", "213"}, {"West Hollywood", "W. Hollywood", "310"},
	{"New York", "New York City", "212"}, {"Brooklyn", "Brooklyn", "718"}, {"Chicago", "Chicago", "312"},
	{"Seattle", "Seattle", "206"}, {"Portland", "Portland", "503"}, {"Boston", "Boston", "617"},
	{"Austin", "Austin", "512"}, {"Denver", "Denver", "303"}, {"Atlanta", "Atlanta", "404"},
	{"Miami", "Miami", "305"}, {"Las Vegas", "Las Vegas", "702"}, {"New Orleans", "New Orleans", "504"},
	{"Philadelphia", "Philadelphia", "215"}, {"Saint Louis", "St. Louis", "314"}, {"San Diego", "San Diego", "619"},
	{"Santa Monica", "Santa Monica", "310"}, {"Oakland", "Oakland", "510"}, {"Nashville", "Nashville", "615"},
	{"Minneapolis", "Minneapolis", "612"}, {"Houston", "Houston", "713"}, {"Dallas", "Dallas", "214"},
}

var surnames = strings.Fields(`abbott alvarez baker barbieri becker bellini brennan calloway carver castillo
chen costa daley delgado donovan duarte ellison farrell fischer fontana gallo garrity goldman greco hale
hartley hoffman ibarra jansen kaplan keller kowalski lambert larkin lombardi maddox marino mercer morales
nakamura novak oconnor okafor pappas patel pereira quinn ramos reyes rinaldi romano rossi salazar santoro
schultz serrano sullivan tanaka torres valente vargas weber whitman yamada zamora zeller brody corbin
finch gentry hollis ingram jarvis kirby lowell monroe nolan osborne pruitt ransom sterling thorne vance`)

var nouns = strings.Fields(`olive harbor lantern willow saffron copper juniper maple granite orchard meadow
pearl ember cedar thistle anchor bramble cobalt falcon garnet hazel indigo jasmine kestrel laurel magnolia
nutmeg oak pepper quartz raven sage tamarind umber violet walnut yarrow zephyr almond basil clover dahlia
fennel ginger heron iris juniper kale lotus mango nectar onyx poppy quince rosemary sorrel tulip vanilla
wren acorn birch canyon delta fig grove hollow ivy jade kiln lagoon marigold nova opal pine ridge summit`)

var adjectives = strings.Fields(`golden blue silver little old grand red green happy lucky royal hidden
wild rustic urban humble quiet bright crimson iron velvet salty smoky sweet`)

var foreign = strings.Fields(`chez casa maison trattoria bodega osteria taverna cantina le la il el`)

var streets = strings.Fields(`main oak pine maple cedar elm washington lincoln jefferson market mission
valencia sunset melrose wilshire broadway lexington madison hudson bleecker grand lake park river spring
union front church highland fairfax vermont western larchmont ventura magnolia colorado pearl commerce`)

var suffixes = [][2]string{{"Street", "St."}, {"Avenue", "Ave."}, {"Boulevard", "Blvd."}, {"Road", "Rd."}, {"Drive", "Dr."}, {"Place", "Pl."}, {"Lane", "Ln."}}

var cuisines = []string{"Restaurant", "Cafe", "Grill", "Bistro", "Bar & Grill", "Kitchen", "Tavern", "Diner", "Delicatessen"}

type business struct {
	id      int
	name    string
	kind    string // "", "deli", "hotel", "article"
	city    city
	number  int
	street  string
	suffix  [2]string
	phone   string // ten digits
	website string
}

type gen struct {
	r     *rand.Rand
	used  map[string]bool
	phone map[string]bool
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }
func title(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		ws[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(ws, " ")
}

func (g *gen) newPhone(c city) string {
	for {
		p := fmt.Sprintf("%s%03d%04d", c.area, 200+g.r.IntN(790), g.r.IntN(10000))
		if !g.phone[p] {
			g.phone[p] = true
			return p
		}
	}
}

// baseName makes a distinctive business name.
func (g *gen) baseName() (string, string) {
	for {
		var n, kind string
		switch g.r.IntN(9) {
		case 0:
			n = title(g.pick(surnames)) + "'s"
		case 1:
			n = title(g.pick(adjectives) + " " + g.pick(nouns))
		case 2:
			n = title(g.pick(nouns)) + " & " + title(g.pick(nouns))
		case 3:
			n = title(g.pick(foreign) + " " + g.pick(nouns))
		case 4:
			n = title(g.pick(surnames)) + "'s Delicatessen"
			kind = "deli"
		case 5:
			n = "The " + title(g.pick(nouns)+" "+g.pick([]string{"room", "house", "table", "garden", "club", "yard"}))
			kind = "article"
		case 6:
			n = title(g.pick(nouns)) + " " + g.pick(cuisines)
		case 7:
			n = title(g.pick(surnames) + " " + g.pick(nouns))
		default:
			n = title(g.pick(nouns) + " " + g.pick(nouns))
		}
		if !g.used[strings.ToLower(n)] {
			g.used[strings.ToLower(n)] = true
			return n, kind
		}
	}
}

func (g *gen) address(b *business) {
	b.number = 1 + g.r.IntN(9899)
	b.street = title(g.pick(streets))
	b.suffix = suffixes[g.r.IntN(len(suffixes))]
}

// formatA writes a phone the first source's way.
func formatA(p string) string { return p[:3] + "/" + p[3:6] + "-" + p[6:] }

// formatB writes a phone one of the second source's ways; the country
// column is set for some.
func (g *gen) formatB(p string) (string, string) {
	switch g.r.IntN(6) {
	case 0:
		return "+1 " + p[:3] + "-" + p[3:6] + "-" + p[6:], ""
	case 1:
		return "(" + p[:3] + ") " + p[3:6] + "-" + p[6:], "US"
	case 2:
		return p[:3] + "." + p[3:6] + "." + p[6:], ""
	case 3:
		return "+1" + p, "USA"
	case 4:
		return "1-" + p[:3] + "-" + p[3:6] + "-" + p[6:], ""
	}
	return "(" + p[:3] + ") " + p[3:6] + "-" + p[6:], ""
}

// variant writes a name the second source's way.
func (g *gen) variant(b *business) string {
	n := b.name
	switch {
	case b.kind == "deli" && g.chance(0.6):
		n = strings.Replace(n, "Delicatessen", "Deli", 1)
	case b.kind == "article" && g.chance(0.6):
		n = strings.TrimPrefix(n, "The ") + ", The"
	case b.kind == "hotel" && g.chance(0.6):
		n = strings.TrimPrefix(n, "Hotel ") + " Hotel"
	}
	switch x := g.r.Float64(); {
	case x < 0.12:
		n += " (" + b.city.name + ")"
	case x < 0.22:
		n += " " + g.pick([]string{"Restaurant", "Cafe", "Bar", "Inc.", "Grill"})
	case x < 0.27:
		n = "The " + n
	case x < 0.33:
		n = strings.ToUpper(n)
	case x < 0.38:
		// a typo
		rs := []rune(n)
		if len(rs) > 6 {
			i := 2 + g.r.IntN(len(rs)-4)
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
		n = string(rs)
	case x < 0.42:
		n = strings.Replace(n, " & ", " and ", 1)
	case x < 0.47:
		ws := strings.Fields(n)
		if len(ws) == 2 && !strings.HasSuffix(ws[0], "'s") {
			n = ws[1] + " " + ws[0]
		}
	}
	for _, c := range cuisines {
		if strings.HasSuffix(n, " "+c) && g.chance(0.3) {
			n = strings.TrimSuffix(n, " "+c)
			break
		}
	}
	return strings.ToLower(n)
}

func (g *gen) streetA(b *business) string {
	return fmt.Sprintf("%d %s %s", b.number, strings.ToLower(b.street), strings.ToLower(b.suffix[1]))
}

func (g *gen) streetB(b *business) string {
	num := b.number
	if g.chance(0.02) {
		num += 1 + g.r.IntN(9)
	}
	suf := b.suffix[0]
	if g.chance(0.5) {
		suf = b.suffix[1]
	}
	s := fmt.Sprintf("%d %s %s", num, b.street, suf)
	if g.chance(0.08) {
		s += fmt.Sprintf(", Suite %d", 100+g.r.IntN(400))
	}
	return strings.ToLower(s)
}

type row struct{ id, name, addr, city, phone, country string }

func main() {
	out := flag.String("out", "internal/unifybench/testdata", "output directory")
	flag.Parse()
	for _, split := range []struct {
		name string
		seed uint64
	}{{"dev", 19}, {"heldout", 1919}} {
		if err := write(filepath.Join(*out, split.name), split.seed); err != nil {
			log.Fatal(err)
		}
	}
}

func write(dir string, seed uint64) error {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), used: map[string]bool{}, phone: map[string]bool{}}
	var bs []*business
	add := func(b *business) { b.id = len(bs); bs = append(bs, b) }
	// ordinary businesses
	for i := 0; i < 640; i++ {
		b := &business{city: cities[g.r.IntN(len(cities))]}
		b.name, b.kind = g.baseName()
		g.address(b)
		b.phone = g.newPhone(b.city)
		add(b)
	}
	// hotels: the hotel and its restaurants share the switchboard and the
	// street address
	for i := 0; i < 25; i++ {
		c := cities[g.r.IntN(len(cities))]
		h := &business{city: c, kind: "hotel"}
		base, _ := g.baseName()
		h.name = "Hotel " + strings.TrimSuffix(base, "'s")
		g.used[strings.ToLower(h.name)] = true
		g.address(h)
		h.phone = g.newPhone(c)
		add(h)
		for k := 0; k < 2+g.r.IntN(3); k++ {
			r := &business{city: c, number: h.number, street: h.street, suffix: h.suffix, phone: h.phone}
			r.name, r.kind = g.baseName()
			add(r)
		}
	}
	// chains: same name in other cities, own phones and addresses
	for i := 0; i < 30; i++ {
		name, kind := g.baseName()
		perm := g.r.Perm(len(cities))
		for k := 0; k < 2+g.r.IntN(3); k++ {
			b := &business{name: name, kind: kind, city: cities[perm[k]]}
			g.address(b)
			b.phone = g.newPhone(b.city)
			add(b)
		}
	}
	// look-alikes: similar names in the same city
	for i := 0; i < 30; i++ {
		src := bs[g.r.IntN(640)]
		b := &business{city: src.city}
		b.name = src.name + " " + g.pick([]string{"Express", "Two", "Annex", "Market", "Bakery"})
		g.used[strings.ToLower(b.name)] = true
		g.address(b)
		b.phone = g.newPhone(b.city)
		add(b)
	}
	var a, b []row
	var pairs [][2]string
	ia, ib := g.r.Perm(len(bs)), g.r.Perm(len(bs))
	idA := make([]string, len(bs))
	idB := make([]string, len(bs))
	for i, k := range ia {
		idA[k] = fmt.Sprintf("a%04d", i+1)
	}
	for i, k := range ib {
		idB[k] = fmt.Sprintf("b%04d", i+1)
	}
	for _, x := range bs {
		inA, inB := g.chance(0.78), g.chance(0.72)
		if !inA && !inB {
			inA = true
		}
		if inA {
			name := strings.ToLower(x.name)
			if g.chance(0.05) {
				name += " (" + strings.ToLower(x.city.name) + ")"
			}
			a = append(a, row{idA[x.id], name, g.streetA(x), strings.ToLower(x.city.name), formatA(x.phone), ""})
		}
		if inB {
			phone, country := g.formatB(x.phone)
			switch y := g.r.Float64(); {
			case y < 0.04 && x.kind != "hotel":
				phone = "" // unknown
			case y < 0.08:
				alt, _ := g.formatB(g.newPhone(x.city)) // a new number
				phone = alt
			}
			cty := x.city.name
			if g.chance(0.3) {
				cty = x.city.alt
			}
			street := g.streetB(x)
			if g.chance(0.04) {
				street = ""
			}
			b = append(b, row{idB[x.id], g.variant(x), street, cty, phone, country})
		}
		if inA && inB {
			pairs = append(pairs, [2]string{idA[x.id], idB[x.id]})
		}
	}
	sort.Slice(a, func(i, j int) bool { return a[i].id < a[j].id })
	sort.Slice(b, func(i, j int) bool { return b[i].id < b[j].id })
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "a.csv"), []string{"id", "name", "address", "city", "phone"}, a, false); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "b.csv"), []string{"id", "name", "address", "city", "phone", "country"}, b, true); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "pairs.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"a_id", "b_id"})
	for _, p := range pairs {
		_ = w.Write(p[:])
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("%s: a %d, b %d, true pairs %d\n", dir, len(a), len(b), len(pairs))
	return f.Close()
}

func writeCSV(path string, header []string, rows []row, country bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(header)
	for _, r := range rows {
		rec := []string{r.id, r.name, r.addr, r.city, r.phone}
		if country {
			rec = append(rec, r.country)
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
