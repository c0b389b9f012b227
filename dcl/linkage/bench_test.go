package linkage_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/autonomos/autonomos/dcl/linkage"
)

// businesses makes n businesses as two sources would hold them: source a
// as written, source b reworded (articles, qualifiers, generic words,
// phone formats), with chains sharing names across cities.
func businesses(n int) (a, b []linkage.Record) {
	r := rand.New(rand.NewPCG(100, 100))
	words := []string{"olive", "harbor", "lantern", "willow", "saffron", "copper", "juniper", "maple", "granite", "orchard",
		"meadow", "pearl", "ember", "cedar", "thistle", "anchor", "bramble", "cobalt", "falcon", "garnet", "hazel", "indigo"}
	cities := []string{"Boston", "Denver", "Austin", "Miami", "Seattle", "Chicago", "Atlanta", "Portland", "Dallas", "Houston"}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s %s %s", words[r.IntN(len(words))], words[r.IntN(len(words))], base36(i))
		if i%50 == 1 { // a chain branch: the previous business's name
			name = a[i-1].Name
		}
		area := 200 + r.IntN(700)
		num := fmt.Sprintf("%03d%07d", area, r.IntN(10_000_000))
		city := cities[r.IntN(len(cities))]
		street := fmt.Sprintf("%d %s St.", 1+r.IntN(9999), words[r.IntN(len(words))])
		a = append(a, acct("a", fmt.Sprint(i), name, street, city, num[:3]+"/"+num[3:6]+"-"+num[6:]))
		b = append(b, acct("b", fmt.Sprint(i), "The "+name+" ("+city+")", street, city, "+1 "+num))
	}
	return a, b
}

func base36(i int) string {
	const digits = "abcdefghijklmnopqrstuvwxyz"
	s := ""
	for {
		s = string(digits[i%26]) + s
		i /= 26
		if i == 0 {
			return s
		}
	}
}

// BenchmarkLink100k links 100,000 accounts (50,000 per source) with the
// model estimated along the way (at 200 records and at every doubling),
// and reports records/s (wall clock), the process CPU seconds (on a
// shared machine the wall clock overstates the work), the peak heap in MB
// and the pairwise F1.
//
//	go test -run '^$' -bench Link100k -benchtime 1x ./dcl/linkage/
func BenchmarkLink100k(b *testing.B) {
	as, bs := businesses(50_000)
	for b.Loop() {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		peak := uint64(0)
		sample := func() {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak {
				peak = m.HeapAlloc
			}
		}
		cpu0 := cpuTime()
		l, err := linkage.New(linkage.Accounts, nil)
		if err != nil {
			b.Fatal(err)
		}
		off := int64(0)
		for _, src := range [][]linkage.Record{as, bs} {
			for _, r := range src {
				off++
				l.Upsert(r, off)
				if off%5000 == 0 {
					sample()
					l.Drain()
				}
			}
		}
		sample()
		tp, fp := 0, 0
		for i := range as {
			if l.ClusterOf(as[i].Key) == l.ClusterOf(bs[i].Key) {
				tp++
			}
		}
		for _, c := range l.Clusters() {
			na, nb := 0, 0
			for _, k := range c.Members() {
				if k.Source == "a" {
					na++
				} else {
					nb++
				}
			}
			fp += na * nb
		}
		fp -= tp
		prec := float64(tp) / float64(tp+fp)
		rec := float64(tp) / float64(len(as))
		b.ReportMetric(float64(len(as)+len(bs))/b.Elapsed().Seconds(), "records/s")
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s")
		b.ReportMetric(float64(peak-min(peak, base.HeapAlloc))/(1<<20), "peak-heap-MB")
		b.ReportMetric(2*prec*rec/(prec+rec), "F1")
		b.ReportMetric(float64(l.Model().Records), "trained-on")
	}
}

// cpuTime is the CPU time (user and system) of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
