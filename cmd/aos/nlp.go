package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/autonomos/autonomos/nlp"
)

// runNLP is `aos nlp classify|ask|docs ...`.
func runNLP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("nlp: name a subcommand: classify, ask or docs")
	}
	switch args[0] {
	case "classify":
		return nlpClassify(ctx, args[1:], stdout, stderr)
	case "ask":
		return nlpAsk(ctx, args[1:], stdout, stderr)
	case "docs":
		return nlpDocs(ctx, args[1:], stdout, stderr)
	}
	return usagef("nlp: unknown subcommand %q (classify, ask, docs)", args[0])
}

// parseWithText parses flags placed anywhere among the arguments; the
// other arguments, joined by spaces, are the text.
func parseWithText(fs *flag.FlagSet, args []string) (string, error) {
	var text []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return "", usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		text = append(text, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	return strings.TrimSpace(strings.Join(text, " ")), nil
}

func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usagef("-as-of %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// nlpClassify is `aos nlp classify [--as-of YYYY-MM-DD] "TEXT"`.
func nlpClassify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("nlp classify", stderr)
	asOf := fs.String("as-of", "", "resolve timeframes as of this date, YYYY-MM-DD (default today)")
	text, err := parseWithText(fs, args)
	if err != nil {
		return err
	}
	if text == "" {
		return usagef("nlp classify: give the question as an argument")
	}
	when, err := parseAsOf(*asOf)
	if err != nil {
		return err
	}
	c, err := nlp.NewClassifier(nil, nil)
	if err != nil {
		return err
	}
	res, err := c.Classify(nlp.Question{Text: text, AsOf: when})
	if err != nil {
		return usageError{err.Error()}
	}
	return printJSON(stdout, res)
}

// nlpAsk is `aos nlp ask --data-dir D --tenant T [--as-of DATE] "TEXT"`.
func nlpAsk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("nlp ask", stderr)
	var l localFlags
	l.register(fs)
	asOf := fs.String("as-of", "", "answer as of this date, YYYY-MM-DD (default today)")
	text, err := parseWithText(fs, args)
	if err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	if text == "" {
		return usagef("nlp ask: give the question as an argument")
	}
	if *asOf != "" {
		if _, err := parseAsOf(*asOf); err != nil {
			return err
		}
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	tenant, err := findTenant(ctx, p, l.tenant, false)
	if err != nil {
		return err
	}
	eng, err := openViews(ctx, p, l.tenant)
	if err != nil {
		return err
	}
	defer eng.Close()
	g, err := nlp.NewGateway(nil)
	if err != nil {
		return err
	}
	ans, err := g.Ask(ctx, nlp.Tenant{ID: tenant.ID, Views: eng, Platform: p.Store()}, nlp.Request{Query: text, AsOf: *asOf})
	if errors.Is(err, nlp.ErrInvalid) {
		return usageError{err.Error()}
	}
	if err != nil {
		return err
	}
	return printJSON(stdout, ans)
}

func nlpDocs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("nlp docs: not built yet")
}
