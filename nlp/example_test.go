package nlp_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/autonomos/autonomos/nlp"
)

func ExampleClassifier_Classify() {
	c, _ := nlp.NewClassifier(nil, nil)
	res, _ := c.Classify(nlp.Question{
		Text: "What is our cloud spend this month?",
		AsOf: time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC),
	})
	b, _ := json.Marshal(res.Intent)
	fmt.Println(res.Persona)
	fmt.Println(string(b))
	// Output:
	// COO
	// {"kind":"metric","metric":"cloud_spend","timeframe":{"start":"2025-02-01","end":"2025-03-01","label":"this month"},"filters":{},"group_by":[],"confidence":0.61}
}

func ExampleClassifier_Classify_values() {
	c, _ := nlp.NewClassifier(nil, nil)
	res, _ := c.Classify(nlp.Question{
		Text:   "top 3 regions by EC2 spend last week",
		AsOf:   time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC),
		Values: nlp.Values{"service": {"AmazonEC2", "AmazonS3"}, "region": {"us-east-1", "eu-west-1"}},
	})
	fmt.Println(res.Intent.Metric, res.Intent.Filters, res.Intent.GroupBy, res.Intent.Limit, res.Intent.Timeframe.Start, res.Intent.Timeframe.End)
	// Output: cloud_spend map[service:AmazonEC2] [region] 3 2025-02-10 2025-02-17
}

func ExampleGateway_Classify() {
	g, _ := nlp.NewGateway(nil)
	res, _ := g.Classify(nlp.Request{Query: "delete all invoices"})
	fmt.Println(res.Intent.Kind)
	res, _ = g.Classify(nlp.Request{Query: "How do we define ARR?"})
	fmt.Println(res.Intent.Kind, res.Persona)
	// Output:
	// unsupported
	// knowledge CFO
}
