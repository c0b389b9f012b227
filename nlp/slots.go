package nlp

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/autonomos/autonomos/canonical"
)

// dimensionAt matches a dimension phrase at token i that metric m allows;
// it returns the dimension and the index after the phrase.
func (c *Classifier) dimensionAt(p *parse, i int, m Metric) (string, int, bool) {
	bestDim, bestEnd := "", 0
	for _, dp := range c.dimWords {
		if i+len(dp.words) > len(p.stems) || len(dp.words) <= bestEnd-i {
			continue
		}
		ok := true
		for k, w := range dp.words {
			if p.stems[i+k] != w {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, d := range dp.dims {
			if m.allows(d) {
				bestDim, bestEnd = d, i+len(dp.words)
				break
			}
		}
		if bestDim == "" {
			// "by account" on cloud spend: the cloud account.
			for _, d := range dp.dims {
				if d == "account" && m.allows("cloud_account") {
					bestDim, bestEnd = "cloud_account", i+len(dp.words)
				}
			}
		}
	}
	return bestDim, bestEnd, bestDim != ""
}

var grainAdverbs = map[string]string{"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter"}

// groupBy finds "by X", "per X", "for each X", "each X", "broken down by X",
// "top N X", "which X", "X breakdown" and the grain adverbs daily, weekly,
// monthly, quarterly.
func (c *Classifier) groupBy(p *parse, m Metric, in *Intent) {
	add := func(d string) {
		if !contains(in.GroupBy, d) {
			in.GroupBy = append(in.GroupBy, d)
		}
	}
	for i := 0; i < len(p.words); i++ {
		w := p.words[i]
		start := -1
		switch {
		case w == "by" || w == "per" || w == "each" || w == "every" || w == "across" || w == "among":
			start = i + 1
		case w == "which" || w == "what":
			start = i + 1
		case w == "top" || w == "bottom" || w == "biggest" || w == "largest" || w == "highest" || w == "worst" || w == "most":
			j := i + 1
			if n, err := strconv.Atoi(p.wordAt(j)); err == nil && n > 0 && n <= 1000 {
				in.Limit = n
				j++
			} else if n, ok := smallNumbers[p.wordAt(j)]; ok {
				in.Limit = n
				j++
			}
			start = j
		}
		if start < 0 {
			if g, ok := grainAdverbs[w]; ok && m.allows(g) && !p.used[i] {
				add(g)
				p.used[i] = true
			}
			continue
		}
		if start < len(p.words) && (p.words[start] == "the" || p.words[start] == "of") {
			start++
		}
		for j := start; j < len(p.words); {
			d, end, ok := c.dimensionAt(p, j, m)
			if !ok || p.usedAny(j, end) && !isGrain(d) {
				break
			}
			// "which customers owe us": a dimension after which/what only
			// when it is a noun of the metric, not the metric's own word.
			add(d)
			for k := i; k < end; k++ {
				if k >= start || p.words[k] == "by" || p.words[k] == "per" || p.words[k] == "each" || p.words[k] == "top" {
					p.used[k] = true
				}
			}
			p.used[i] = true
			if end < len(p.words) && (p.words[end] == "and" || p.words[end] == "then") {
				j = end + 1
				continue
			}
			break
		}
		if in.Limit > 0 && len(in.GroupBy) == 0 {
			in.Limit = 0
		}
	}
	// "X breakdown", "split by X" are covered by "by"; "breakdown of spend
	// by service" likewise.
}

func isGrain(d string) bool { return d == "day" || d == "week" || d == "month" || d == "quarter" }

var smallNumbers = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "twenty": 20}

func (p *parse) wordAt(i int) string {
	if i < 0 || i >= len(p.words) {
		return ""
	}
	return p.words[i]
}

func (p *parse) usedAny(from, to int) bool {
	for i := from; i < to && i < len(p.used); i++ {
		if p.used[i] {
			return true
		}
	}
	return false
}

// providerAliases name the cloud providers.
var providerAliases = map[string]string{"aws": "aws", "amazon": "aws", "gcp": "gcp", "google": "gcp", "azure": "azure",
	"microsoft": "azure", "oracle": "oci", "oci": "oci", "alibaba": "alibaba", "ibm": "ibm"}

// serviceAliases are well-known cloud services, kept as written when the
// tenant's own service names are not at hand.
var serviceAliases = map[string]string{"ec2": "EC2", "s3": "S3", "rds": "RDS", "lambda": "Lambda", "cloudfront": "CloudFront",
	"dynamodb": "DynamoDB", "eks": "EKS", "ecs": "ECS", "redshift": "Redshift", "sagemaker": "SageMaker", "bigquery": "BigQuery",
	"gke": "GKE", "gcs": "GCS", "aks": "AKS", "cosmosdb": "CosmosDB", "snowflake": "Snowflake", "kubernetes": "Kubernetes"}

// currencyCodes recognized as currency filters.
var currencyCodes = map[string]bool{"usd": true, "eur": true, "gbp": true, "jpy": true, "chf": true, "cad": true,
	"aud": true, "inr": true, "cny": true, "sek": true, "nok": true, "dkk": true, "brl": true, "mxn": true, "sgd": true}

// filters resolves dimension values named in the question. With the
// tenant's values, a word or phrase matches a value equal to it, a value
// containing it ("EC2" → "AmazonEC2"), or a country's code ("Germany" →
// "DE"); without them, providers, countries and currencies are recognized
// and kept as written.
func (c *Classifier) filters(p *parse, m Metric, values Values, in *Intent) {
	for i := 0; i < len(p.words); i++ {
		if p.used[i] || isFunctionWord(p.words[i]) || vagueWords[p.words[i]] {
			continue
		}
		matched := false
		for n := 3; n >= 1 && !matched; n-- {
			if i+n > len(p.words) || p.usedAny(i, i+n) {
				continue
			}
			phrase := strings.Join(p.words[i:i+n], " ")
			if dim, val, ok := c.matchValue(phrase, m, values, in); ok {
				in.Filters[dim] = val
				for k := i; k < i+n; k++ {
					p.used[k] = true
				}
				// "for Acme", "in Germany": the preposition belongs to it.
				matched = true
				i += n - 1
			}
		}
	}
}

func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matchValue finds the dimension value phrase names.
func (c *Classifier) matchValue(phrase string, m Metric, values Values, in *Intent) (string, string, bool) {
	key := alnum(phrase)
	if len(key) < 2 {
		return "", "", false
	}
	country, isCountry := "", false
	if len(key) > 3 || strings.Contains(phrase, " ") {
		country, isCountry = canonical.CountryCode(phrase)
	}
	if len(values) > 0 {
		bestDim, bestVal, bestScore := "", "", 0.0
		for _, d := range m.Dimensions {
			if _, taken := in.Filters[d]; taken {
				continue
			}
			for _, v := range values[d] {
				nv := alnum(v)
				if nv == "" {
					continue
				}
				score := 0.0
				switch {
				case nv == key:
					score = 1
				case isCountry && strings.EqualFold(v, country):
					score = 0.95
				case d == "provider" && providerAliases[key] != "" && strings.HasPrefix(nv, providerAliases[key]):
					score = 0.9
				case len(key) >= 3 && (strings.HasSuffix(nv, key) || strings.HasPrefix(nv, key)):
					score = 0.5 + 0.4*float64(len(key))/float64(len(nv))
				case len(key) >= 4 && strings.Contains(nv, key):
					score = 0.4 + 0.4*float64(len(key))/float64(len(nv))
				}
				if score > bestScore || (score == bestScore && score > 0 && len(v) < len(bestVal)) {
					bestDim, bestVal, bestScore = d, v, score
				}
			}
		}
		if bestScore > 0 {
			return bestDim, bestVal, true
		}
		return "", "", false
	}
	if a, ok := providerAliases[key]; ok && m.allows("provider") && !strings.Contains(phrase, " ") {
		return "provider", a, true
	}
	if svc, ok := serviceAliases[key]; ok && m.allows("service") {
		return "service", svc, true
	}
	if isCountry && m.allows("country") {
		return "country", country, true
	}
	if currencyCodes[key] && m.allows("currency") {
		return "currency", strings.ToUpper(key), true
	}
	return "", "", false
}
