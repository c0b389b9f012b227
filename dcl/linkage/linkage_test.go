package linkage_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/dcl/linkage"
)

func TestJaroWinkler(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961}, {"dwayne", "duane", 0.840}, {"dixon", "dicksonx", 0.813},
		{"", "", 1}, {"abc", "", 0}, {"abc", "xyz", 0}, {"same", "same", 1},
	}
	for _, c := range cases {
		require.InDelta(t, c.want, linkage.JaroWinkler(c.a, c.b), 0.001, "%s/%s", c.a, c.b)
		require.InDelta(t, linkage.JaroWinkler(c.a, c.b), linkage.JaroWinkler(c.b, c.a), 1e-12)
	}
}

// TestCleanName: the name normalizations the issue lists, each one.
func TestCleanName(t *testing.T) {
	t.Parallel()
	same := [][2]string{
		{"Spago (Los Angeles)", "spago"},                        // city qualifier
		{"palm  the", "The Palm"},                               // trailing article
		{"Hotel Bel-Air", "bel-air hotel"},                      // word order
		{"Bone's Restaurant", "bone's"},                         // generic word
		{"Art's Deli", "Art's Delicatessen"},                    // abbreviation
		{"Acme, Inc.", "ACME Inc"},                              // legal form, case
		{"Café Bizou", "cafe bizou"},                            // accents
		{"Ruth's Chris Steak House", "ruth's chris steakhouse"}, // compound
	}
	for _, p := range same {
		a, b := linkage.CleanName(p[0]), linkage.CleanName(p[1])
		require.True(t, a.Key == b.Key || a.Joined == b.Joined, "%q (%v) vs %q (%v)", p[0], a, p[1], b)
	}
	require.NotEqual(t, linkage.CleanName("Acme").Key, linkage.CleanName("Acme Analytics").Key)
	require.Equal(t, "grill", linkage.CleanName("The Grill").Key) // only generic words: kept
}

func TestParsePhone(t *testing.T) {
	t.Parallel()
	a := linkage.ParsePhone("+1 415-555-0100", "")
	b := linkage.ParsePhone("(415) 555-0100", "")
	c := linkage.ParsePhone("(415) 555-0100", "US")
	d := linkage.ParsePhone("415/555-0100 ext. 12", "")
	for _, p := range []linkage.Phone{a, b, c, d} {
		require.Equal(t, "4155550100", p.National)
	}
	require.EqualValues(t, 1, a.CountryCode)
	require.EqualValues(t, 0, b.CountryCode)
	require.True(t, a.SameNumber(b) && b.SameNumber(c) && a.SameNumber(c))
	uk := linkage.ParsePhone("+44 20 7946 0018", "")
	ukBare := linkage.ParsePhone("020 7946 0018", "")
	ukCountry := linkage.ParsePhone("020 7946 0018", "United Kingdom")
	require.True(t, uk.SameNumber(ukBare) && uk.SameNumber(ukCountry))
	// the same national digits in two countries are different numbers
	require.False(t, linkage.ParsePhone("+44 415 555 0100", "").SameNumber(a))
	require.True(t, linkage.ParsePhone("12345", "").IsZero())
}

func acct(src, id, name, street, city, phone string) linkage.Record {
	return linkage.Record{Key: linkage.Key{Source: src, ID: id}, Name: name, Street: street, City: city, Phone: phone}
}

func newLinker(t *testing.T) *linkage.Linker {
	t.Helper()
	l, err := linkage.New(linkage.Accounts, nil)
	require.NoError(t, err)
	return l
}

func linked(l *linkage.Linker, a, b linkage.Record) bool {
	return l.ClusterOf(a.Key) == l.ClusterOf(b.Key)
}

// TestPhoneFormatsLink: "+1 415-555-0100" and "(415) 555-0100" are one
// phone; with the same business name the records link. The old unifier
// compared digits ("14155550100" vs "4155550100") and forbade the match.
func TestPhoneFormatsLink(t *testing.T) {
	t.Parallel()
	l := newLinker(t)
	a := acct("a", "1", "Acme Widgets", "", "", "+1 415-555-0100")
	b := acct("b", "1", "ACME Widgets, Inc.", "", "", "(415) 555-0100")
	l.Upsert(a, 1)
	l.Upsert(b, 2)
	require.True(t, linked(l, a, b))
	ls := l.Links(l.ClusterOf(a.Key))
	require.Len(t, ls, 1)
	require.Equal(t, []string{"name", "phone"}, ls[0].Agreeing(l.Model()))
	require.Greater(t, ls[0].Probability, 0.99)
}

// TestSharedSwitchboard: restaurants inside one hotel share its phone
// and street address; different names never link on them, and the pair
// is listed for review. The hotel's own records still link.
func TestSharedSwitchboard(t *testing.T) {
	t.Parallel()
	l := newLinker(t)
	recs := []linkage.Record{
		acct("a", "1", "Picasso", "3600 Las Vegas Blvd. S.", "Las Vegas", "702/693-7111"),
		acct("a", "2", "Le Cirque", "3600 Las Vegas Blvd. S.", "Las Vegas", "702/693-7111"),
		acct("b", "1", "Prime Steakhouse", "3600 Las Vegas Blvd South", "Las Vegas", "(702) 693-7111"),
		acct("b", "2", "Le Cirque (Las Vegas)", "3600 Las Vegas Blvd South", "Las Vegas", "+1 702 693 7111"),
	}
	for i, r := range recs {
		l.Upsert(r, int64(i+1))
	}
	require.True(t, linked(l, recs[1], recs[3]))
	require.False(t, linked(l, recs[0], recs[2]))
	require.False(t, linked(l, recs[0], recs[3]))
	require.False(t, linked(l, recs[2], recs[1]))
	require.Len(t, l.Clusters(), 3)
	review := l.Review()
	require.NotEmpty(t, review)
	for _, lk := range review {
		require.NotEqual(t, l.ClusterOf(lk.A), l.ClusterOf(lk.B))
	}
}

// TestChainBranches: one name in several cities is several businesses.
func TestChainBranches(t *testing.T) {
	t.Parallel()
	l := newLinker(t)
	recs := []linkage.Record{
		acct("a", "1", "The Palm", "9001 Santa Monica Blvd.", "West Hollywood", "310/550-8811"),
		acct("a", "2", "The Palm", "837 Second Ave.", "New York", "212/687-2953"),
		acct("b", "1", "palm the (new york)", "837 2nd Avenue", "New York City", "212-687-2953"),
		acct("b", "2", "Palm, The", "1730 Pennsylvania Ave", "Washington", "202-293-9091"),
		acct("b", "3", "Palm", "", "Chicago", ""),
	}
	for i, r := range recs {
		l.Upsert(r, int64(i+1))
	}
	require.True(t, linked(l, recs[1], recs[2]))
	for _, x := range []int{0, 1, 3, 4} {
		for _, y := range []int{0, 1, 3, 4} {
			if x != y {
				require.False(t, linked(l, recs[x], recs[y]), "%d %d", x, y)
			}
		}
	}
}

// TestGuideExamples: restaurant-guide style pairs that differ the ways
// such guides do link; near misses do not.
func TestGuideExamples(t *testing.T) {
	t.Parallel()
	l := newLinker(t)
	pairs := [][2]linkage.Record{
		{acct("a", "1", "art's delicatessen", "12224 ventura blvd.", "studio city", "818/762-1221"), acct("b", "1", "art's deli", "12224 ventura blvd.", "studio city", "818-762-1221")},
		{acct("a", "2", "hotel bel-air", "701 stone canyon rd.", "bel air", "310/472-1211"), acct("b", "2", "bel-air hotel", "701 stone canyon rd.", "bel air", "310-472-1211")},
		{acct("a", "3", "spago (los angeles)", "1114 horn ave.", "los angeles", "310/652-4025"), acct("b", "3", "spago", "1114 horn ave.", "w. hollywood", "310-652-4025")},
		{acct("a", "4", "bone's restaurant", "3130 piedmont rd.", "atlanta", "404/237-2663"), acct("b", "4", "bone's", "3130 piedmont road", "atlanta", "404-237-2663")},
		{acct("a", "5", "grill the", "9560 dayton way", "los angeles", "310/276-0615"), acct("b", "5", "grill on the alley", "9560 dayton way", "beverly hills", "310-276-0615")},
		{acct("a", "6", "fenix", "8358 sunset blvd. west", "hollywood", "213/848-6677"), acct("b", "6", "fenix at the argyle", "8358 sunset blvd.", "w. hollywood", "213-848-6677")},
		{acct("a", "7", "21 club", "21 w. 52nd st.", "new york", "212/582-7200"), acct("b", "7", "21 club", "21 w. 52nd st.", "new york city", "212-582-7200")},
		// a new area code: the last seven digits agree
		{acct("a", "8", "campanile", "624 s. la brea ave.", "los angeles", "213/938-1447"), acct("b", "8", "campanile", "624 s. la brea ave.", "los angeles", "323-938-1447")},
		// phone missing on one side: name, address and city
		{acct("a", "9", "la cachette", "10506 little santa monica blvd.", "century city", "310/470-4992"), acct("b", "9", "la cachette", "10506 little santa monica blvd.", "century city", "")},
	}
	off := int64(0)
	for _, p := range pairs {
		off++
		l.Upsert(p[0], off)
	}
	for _, p := range pairs {
		off++
		l.Upsert(p[1], off)
	}
	for _, p := range pairs {
		lk, err := l.Score(p[0].Key, p[1].Key)
		require.NoError(t, err)
		require.True(t, linked(l, p[0], p[1]), "%s / %s: %+v", p[0].Name, p[1].Name, lk)
	}
	require.Len(t, l.Clusters(), len(pairs))
}

// TestBatchesGiveSameClusters: the second source added in ten batches
// (with the model estimated along the way) gives the same clusters and
// ids as in one go, and as a replay of the same stream.
func TestBatchesGiveSameClusters(t *testing.T) {
	t.Parallel()
	recsA, recsB := synth(250)
	run := func(batches int) map[linkage.Key]string {
		l, err := linkage.New(linkage.Accounts, &linkage.Options{MinTrain: 150})
		require.NoError(t, err)
		off := int64(0)
		for _, r := range recsA {
			off++
			l.Upsert(r, off)
		}
		l.Drain()
		size := (len(recsB) + batches - 1) / batches
		for i := 0; i < len(recsB); i += size {
			end := min(i+size, len(recsB))
			for _, r := range recsB[i:end] {
				off++
				l.Upsert(r, off)
			}
			l.Drain() // a batch boundary
		}
		out := map[linkage.Key]string{}
		for _, r := range append(append([]linkage.Record{}, recsA...), recsB...) {
			out[r.Key] = l.ClusterOf(r.Key)
		}
		require.Greater(t, l.Model().Records, 0, "the model was estimated")
		return out
	}
	one := run(1)
	require.Equal(t, one, run(10))
	require.Equal(t, one, run(1))
	// and the clusters found the duplicates
	same := 0
	for i := range recsB {
		if one[recsB[i].Key] == one[recsA[i].Key] {
			same++
		}
	}
	require.Greater(t, same, len(recsB)*9/10)
}

// synth makes n businesses in source a and a reworded copy of each in b.
func synth(n int) (a, b []linkage.Record) {
	r := rand.New(rand.NewPCG(7, 7))
	words := []string{"olive", "harbor", "lantern", "willow", "saffron", "copper", "juniper", "maple", "granite", "orchard", "meadow", "pearl", "ember", "cedar", "thistle", "anchor"}
	cities := []string{"Boston", "Denver", "Austin", "Miami"}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s %s %d", words[r.IntN(len(words))], words[r.IntN(len(words))], i)
		phone := fmt.Sprintf("617%07d", 2000000+i*37)
		city := cities[r.IntN(len(cities))]
		street := fmt.Sprintf("%d %s St.", 100+r.IntN(900), words[r.IntN(len(words))])
		a = append(a, acct("a", fmt.Sprint(i), name, street, city, phone[:3]+"/"+phone[3:6]+"-"+phone[6:]))
		b = append(b, acct("b", fmt.Sprint(i), "The "+name+" Restaurant", street, city, "+1 "+phone))
	}
	return a, b
}

// TestChangeSplitsCluster: when a record changes so that its link no
// longer holds, the cluster splits; the part keeping most members keeps
// the id. A deletion that removes the only bridge splits as well.
func TestChangeSplitsCluster(t *testing.T) {
	t.Parallel()
	l := newLinker(t)
	a := acct("a", "1", "Blue Harbor Grill", "12 Pier Rd.", "Boston", "617/555-0101")
	b := acct("b", "1", "blue harbor", "12 pier road", "Boston", "+1 617 555 0101")
	c := acct("c", "1", "Blue Harbor", "12 Pier Road", "Boston", "(617) 555-0101")
	for i, r := range []linkage.Record{a, b, c} {
		l.Upsert(r, int64(i+1))
	}
	id := l.ClusterOf(a.Key)
	require.Equal(t, id, l.ClusterOf(b.Key))
	require.Equal(t, id, l.ClusterOf(c.Key))
	l.Drain()

	// c turns out to be another business
	c2 := acct("c", "1", "Granite Tavern", "980 Elm St.", "Denver", "303/555-0199")
	l.Upsert(c2, 4)
	require.Equal(t, id, l.ClusterOf(a.Key))
	require.Equal(t, id, l.ClusterOf(b.Key))
	require.NotEqual(t, id, l.ClusterOf(c.Key))
	ch := l.Drain()
	require.Equal(t, []linkage.Key{c.Key}, ch.Records)
	require.Len(t, ch.Created, 1)
	var actions []string
	for _, d := range ch.Decisions {
		actions = append(actions, d.Action)
	}
	require.Equal(t, []string{"split"}, actions)

	// a bridge: x links to both y and z, which do not link to each other
	l2 := newLinker(t)
	x := acct("a", "x", "Copper Kettle", "55 Main St.", "Austin", "512/555-0110")
	y := acct("b", "y", "Copper Kettle Cafe", "", "", "512-555-0110")
	z := acct("c", "z", "copper kettle", "55 main street", "Austin", "")
	for i, r := range []linkage.Record{y, z, x} {
		l2.Upsert(r, int64(i+1))
	}
	require.Equal(t, l2.ClusterOf(y.Key), l2.ClusterOf(z.Key), "bridged by x")
	yid := l2.ClusterOf(y.Key)
	l2.Remove(x.Key, 4)
	require.NotEqual(t, l2.ClusterOf(y.Key), l2.ClusterOf(z.Key))
	require.Equal(t, yid, l2.ClusterOf(y.Key), "the older cluster keeps its id")
}

// TestConstraints: must-link joins what the model keeps apart, cannot-link
// splits what it joins; both hold for records that arrive later.
func TestConstraints(t *testing.T) {
	t.Parallel()
	l := newLinker(t)
	a := acct("a", "1", "Northwind Traders", "", "", "")
	b := acct("b", "1", "NW Trading Co", "", "", "")
	require.NoError(t, l.Constrain(linkage.Constraint{A: a.Key, B: b.Key, Kind: linkage.MustLink}, 0))
	l.Upsert(a, 1)
	l.Upsert(b, 2)
	require.True(t, linked(l, a, b))
	lk := l.Links(l.ClusterOf(a.Key))
	require.Empty(t, lk) // no model link: the decision holds them
	c := acct("a", "2", "Blue Harbor", "12 Pier Rd.", "Boston", "617/555-0101")
	d := acct("b", "2", "Blue Harbor Grill", "12 Pier Road", "Boston", "617-555-0101")
	l.Upsert(c, 3)
	l.Upsert(d, 4)
	require.True(t, linked(l, c, d))
	require.NoError(t, l.Constrain(linkage.Constraint{A: c.Key, B: d.Key, Kind: linkage.CannotLink}, 5))
	require.False(t, linked(l, c, d))
	require.Len(t, l.Constraints(), 2)
	l.Unconstrain(c.Key, d.Key, 6)
	require.True(t, linked(l, c, d))
	require.Error(t, l.Constrain(linkage.Constraint{A: a.Key, B: a.Key, Kind: linkage.MustLink}, 7))
}

// TestContacts: the same e-mail links; the same name links under the
// same account or with the same phone; the same name alone does not.
func TestContacts(t *testing.T) {
	t.Parallel()
	l, err := linkage.New(linkage.Contacts, nil)
	require.NoError(t, err)
	p := func(src, id, first, last, email, phone, account string) linkage.Record {
		return linkage.Record{Key: linkage.Key{Source: src, ID: id}, FirstName: first, LastName: last, Email: email, Phone: phone, Account: account}
	}
	recs := []linkage.Record{
		p("a", "1", "Jane", "Doe", "jane.doe@acme.com", "", "acc1"),
		p("b", "1", "J.", "Doe", " JANE.DOE@acme.com", "", ""),
		p("a", "2", "Bob", "Stone", "", "", "acc1"),
		p("b", "2", "Bob", "Stone", "", "", "acc1"),
		p("a", "3", "Ann", "Lee", "", "+1 415 555 0111", ""),
		p("b", "3", "Ann", "Lee", "", "(415) 555-0111", ""),
		p("a", "4", "John", "Smith", "", "", "acc1"),
		p("b", "4", "John", "Smith", "", "", "acc2"),
	}
	for i, r := range recs {
		l.Upsert(r, int64(i+1))
	}
	require.True(t, linked(l, recs[0], recs[1]))
	require.True(t, linked(l, recs[2], recs[3]))
	require.True(t, linked(l, recs[4], recs[5]))
	require.False(t, linked(l, recs[6], recs[7]))
}

// TestModelRoundTrip: a trained model survives JSON.
func TestModelRoundTrip(t *testing.T) {
	t.Parallel()
	recsA, recsB := synth(300)
	l := newLinker(t)
	for i, r := range append(recsA, recsB...) {
		l.Upsert(r, int64(i+1))
	}
	m := l.Model()
	require.Equal(t, 400, m.Records) // trained at 200, then at 400 records
	b, err := jsonMarshal(m)
	require.NoError(t, err)
	back, err := linkage.UnmarshalModel(b)
	require.NoError(t, err)
	a, bb := recsA[0].Key, recsB[0].Key
	l2, err := linkage.New(linkage.Accounts, &linkage.Options{Model: back, MinTrain: -1})
	require.NoError(t, err)
	l2.Upsert(recsA[0], 1)
	l2.Upsert(recsB[0], 2)
	s1, _ := l.Score(a, bb)
	s2, _ := l2.Score(a, bb)
	require.Equal(t, s1.Weight, s2.Weight)
	_, err = linkage.UnmarshalModel([]byte(`{"kind":"account"}`))
	require.Error(t, err)
}

// TestOnePerSource: two restaurants of one hotel, listed by two guides
// with neighbourhood qualifiers, share phone and address and similar
// names; with each guide listing a restaurant once, each pairs with its
// own listing, the closest name winning.
func TestOnePerSource(t *testing.T) {
	t.Parallel()
	recs := []linkage.Record{
		acct("a", "1", "ritz-carlton cafe (buckhead)", "3434 peachtree rd.", "atlanta", "404/237-2700"),
		acct("a", "2", "ritz-carlton dining room (buckhead)", "3434 peachtree rd.", "atlanta", "404/237-2700"),
		acct("b", "1", "cafe ritz-carlton buckhead", "3434 peachtree rd.", "atlanta", "404-237-2700"),
		acct("b", "2", "dining room ritz-carlton buckhead", "3434 peachtree rd.", "atlanta", "404-237-2700"),
	}
	l, err := linkage.New(linkage.Accounts, &linkage.Options{OnePerSource: true})
	require.NoError(t, err)
	for i, r := range recs {
		l.Upsert(r, int64(i+1))
	}
	require.True(t, linked(l, recs[0], recs[2]))
	require.True(t, linked(l, recs[1], recs[3]))
	require.False(t, linked(l, recs[0], recs[1]))
}
