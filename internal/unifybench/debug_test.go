package unifybench

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/autonomos/autonomos/dcl/linkage"
)

func TestDebug(t *testing.T) {
	dir := os.Getenv("UNIFY_DEBUG")
	if dir == "" {
		return
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	pred, l, _ := Unify(d, nil)
	mb, _ := json.MarshalIndent(l.Model().Comparisons, "", " ")
	fmt.Printf("lambda %v pairs %d iters %d\n%s\n", l.Model().Lambda, l.Model().Pairs, l.Model().Iterations, mb)
	m := Score(pred, d.Truth)
	fmt.Printf("%+v\n", m)
	byID := map[string]linkage.Record{}
	for _, r := range append(append([]linkage.Record{}, d.A...), d.B...) {
		byID[r.Key.ID] = r
	}
	show := func(kind string, ps []Pair) {
		sort.Slice(ps, func(i, j int) bool { return ps[i].A < ps[j].A })
		for i, p := range ps {
			if i >= 25 {
				break
			}
			ka, kb := linkage.Key{Source: "a", ID: p.A}, linkage.Key{Source: "b", ID: p.B}
			lk, _ := l.Score(ka, kb)
			fmt.Printf("%s %v | %v\n   w=%.1f %v\n", kind, byID[p.A], byID[p.B], lk.Weight, lk.Comparisons)
		}
	}
	var fps, fns []Pair
	for p := range pred {
		if !d.Truth[p] {
			fps = append(fps, p)
		}
	}
	for p := range d.Truth {
		if !pred[p] {
			fns = append(fns, p)
		}
	}
	show("FP", fps)
	show("FN", fns)
}
