package linkage_test

import (
	"fmt"

	"github.com/autonomos/autonomos/dcl/linkage"
)

// Link two listings of one restaurant written differently, and keep a
// chain branch in another city apart.
func ExampleLinker() {
	l, err := linkage.New(linkage.Accounts, nil)
	if err != nil {
		panic(err)
	}
	a := linkage.Record{Key: linkage.Key{Source: "fodors", ID: "1"}, Name: "Art's Delicatessen",
		Street: "12224 Ventura Blvd.", City: "Studio City", Phone: "818/762-1221"}
	b := linkage.Record{Key: linkage.Key{Source: "zagat", ID: "7"}, Name: "art's deli",
		Street: "12224 ventura boulevard", City: "studio city", Phone: "+1 818-762-1221"}
	c := linkage.Record{Key: linkage.Key{Source: "zagat", ID: "8"}, Name: "Art's Deli",
		Street: "1 Main St.", City: "Pasadena", Phone: "626-555-0100"}
	l.Upsert(a, 1)
	l.Upsert(b, 2)
	l.Upsert(c, 3)
	fmt.Println(l.ClusterOf(a.Key) == l.ClusterOf(b.Key), l.ClusterOf(a.Key) == l.ClusterOf(c.Key))
	link := l.Links(l.ClusterOf(a.Key))[0]
	fmt.Println(link.Agreeing(l.Model()), link.Probability > 0.99)
	// Output:
	// true false
	// [name phone address city] true
}
