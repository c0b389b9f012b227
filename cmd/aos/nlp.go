package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/nlp"
	"github.com/autonomos/autonomos/nlp/kb"
	"github.com/autonomos/autonomos/nlp/pii"
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
	kbase, err := kb.OpenLocal(ctx, filepath.Join(l.dataDir, "nlp", "kb"), &kb.Options{Redact: pii.New(nil).Redact})
	if err != nil {
		return err
	}
	defer kbase.Close()
	hist, err := nlp.NewFileHistory(filepath.Join(l.dataDir, "nlp", "history"))
	if err != nil {
		return err
	}
	g, err := nlp.NewGateway(&nlp.GatewayOptions{Knowledge: nlp.Knowledge(kbase.KB), History: hist})
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

// nlpDocs is `aos nlp docs add|list|delete --data-dir D --tenant T [FILE|NAME]`.
func nlpDocs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "delete") {
		return usagef("nlp docs: name a subcommand: add FILE, list or delete NAME")
	}
	sub := args[0]
	fs := newFlags("nlp docs "+sub, stderr)
	var l localFlags
	l.register(fs)
	arg, err := parseWithText(fs, args[1:])
	if err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	if sub != "list" && arg == "" {
		return usagef("nlp docs %s: name a file or document", sub)
	}
	var text []byte
	if sub == "add" {
		if text, err = readDocument(arg); err != nil {
			return err
		}
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	tenant, err := findTenant(ctx, p, l.tenant, sub == "add")
	if err != nil {
		return err
	}
	// Text sent to the embedder is redacted, the tenant's contact names
	// included when it has views.
	var names []string
	if eng, err := dcl.Open(ctx, p.Config().DataDir, tenant.ID, nil); err == nil {
		names, err = nlp.ContactNames(ctx, eng)
		eng.Close()
		if err != nil {
			return err
		}
	}
	kbase, err := kb.OpenLocal(ctx, filepath.Join(l.dataDir, "nlp", "kb"), &kb.Options{Redact: pii.New(&pii.Options{Names: names}).Redact})
	if err != nil {
		return err
	}
	defer kbase.Close()
	switch sub {
	case "add":
		info, err := kbase.Add(ctx, tenant.ID, filepath.Base(arg), string(text))
		if errors.Is(err, kb.ErrInvalid) {
			return usageError{err.Error()}
		}
		if err != nil {
			return err
		}
		return printJSON(stdout, info)
	case "delete":
		err := kbase.Delete(ctx, tenant.ID, arg)
		if errors.Is(err, kb.ErrNotFound) {
			return usageError{err.Error()}
		}
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]string{"deleted": arg})
	}
	docs, err := kbase.Documents(ctx, tenant.ID)
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"documents": docs})
}

// readDocument reads a Markdown or text file, at most kb.MaxDocumentBytes.
func readDocument(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("nlp docs add: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, kb.MaxDocumentBytes+1))
	if err != nil {
		return nil, usagef("nlp docs add: %v", err)
	}
	if len(b) > kb.MaxDocumentBytes {
		return nil, usagef("nlp docs add: %s is larger than %d bytes", path, kb.MaxDocumentBytes)
	}
	return b, nil
}
