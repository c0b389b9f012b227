package nlp

import (
	"strings"

	"github.com/autonomos/autonomos/nlp/timeframe"
)

// abbreviations expand executives' shorthand, token by token.
var abbreviations = map[string][]string{
	"rn": {"right", "now"}, "atm": {"right", "now"}, "asap": nil, "pls": nil, "plz": nil, "pl": nil,
	"u": {"you"}, "ur": {"your"}, "r": {"are"}, "whats": {"what", "is"}, "hows": {"how", "is"}, "wheres": {"where", "is"},
	"whos": {"who", "is"}, "thats": {"that", "is"}, "opps": {"opportunities"}, "opp": {"opportunity"}, "oppty": {"opportunity"},
	"opptys": {"opportunities"}, "acct": {"account"}, "accts": {"accounts"}, "cust": {"customer"}, "custs": {"customers"},
	"inv": {"invoice"}, "invs": {"invoices"}, "amt": {"amount"}, "num": {"number"}, "nr": {"number"},
	"conn": {"connection"}, "conns": {"connections"}, "svc": {"service"}, "svcs": {"services"}, "biz": {"business"},
	"tot": {"total"}, "vs": {"versus"}, "w": {"with"}, "wk": {"week"}, "wks": {"weeks"}, "mo": {"month"}, "mos": {"months"},
	"yr": {"year"}, "yrs": {"years"}, "qtr": {"quarter"}, "qtrs": {"quarters"}, "prev": {"previous"}, "k8s": {"kubernetes"},
	"avg": {"average"}, "approx": {"approximately"}, "info": {"information"}, "cnt": {"count"}, "doin": {"doing"},
	"gonna": {"going", "to"}, "wanna": {"want", "to"}, "gimme": {"give", "me"}, "lemme": {"let", "me"}, "ya": {"you"},
	"thx": nil, "ty": nil, "hey": nil, "hi": {"hello"}, "dont": {"do", "not"}, "didnt": {"did", "not"}, "hasnt": {"has", "not"},
	"havent": {"have", "not"}, "isnt": {"is", "not"}, "arent": {"are", "not"}, "cant": {"can", "not"}, "wont": {"will", "not"},
	"theyre": {"they", "are"}, "were": {"were"}, "weve": {"we", "have"}, "im": {"i", "am"}, "ive": {"i", "have"},
	"lm": {"last", "month"}, "lw": {"last", "week"}, "lq": {"last", "quarter"}, "ly": {"last", "year"}, "tm": {"this", "month"},
	"ttl": {"total"}, "rev": {"revenue"}, "revs": {"revenue"}, "pipe": {"pipeline"}, "recv": {"receivables"},
	"rcvbl": {"receivables"}, "rcvbls": {"receivables"}, "aging": {"ageing"}, "aged": {"ageing"},
}

// phraseFixes rewrite multi-character shorthand before tokenizing.
var phraseFixes = strings.NewReplacer("a/r", " ar ", "A/R", " ar ", "w/o", " without ", "w/", " with ", "p&l", " pnl ",
	"P&L", " pnl ", "win/loss", " win loss ", "y/y", " yoy ", "m/m", " mom ", "q/q", " qoq ", "e-mail", "email",
	"closed-won", "closed won", "closed/won", "closed won", "past-due", "past due", "sign-ups", "signups", "sign ups", "signups",
	"day-over-day", "day over day", "30-60-90", " 30 60 90 ", "0-30", " 0 30 ", "90+", " 90 plus ")

// tokens turns a question into normalized tokens: phrase fixes,
// tokenizing, abbreviations expanded.
func tokens(text string) []string {
	raw := timeframe.Tokenize(phraseFixes.Replace(text))
	out := make([]string, 0, len(raw))
	for _, t := range raw {
		if exp, ok := abbreviations[t]; ok {
			out = append(out, exp...)
			continue
		}
		out = append(out, t)
	}
	return out
}

// stem folds simple English plurals so "invoices" matches "invoice".
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 4 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		return w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance, giving up above max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
