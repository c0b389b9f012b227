// Command aos is the AutonomOS operator and developer CLI.
//
// Usage:
//
//	aos <command> [flags]
//
// Commands:
//
//	agent       run a RevOps, FinOps or CFO agent on a tenant's views
//	bench       run a named benchmark (csv, jobs, ...) against its reference
//	canonical   print the canonical entity registry as JSON
//	drift       print a local tenant's drift events as JSON lines
//	events      print a local tenant's canonical events as JSON lines
//	ingest      ingest a directory of files into a local tenant's stream
//	match       map a source-schema document to a canonical entity
//	unify       list, merge or split a tenant's unified entities

//	tenant      create a tenant (tenant create)
//	token       mint an access token for a tenant's user
//	user        create a user of a tenant (user create)
//	views       print rows of a tenant's view as JSON lines
//	version     print the version
//
// Exit codes: 0 success, 1 failure, 2 invalid usage or input.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Version is the CLI's version, set at build time with
// -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

// usageError marks errors caused by the caller's input: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"agent":      {"run a RevOps, FinOps or CFO agent on a local tenant's views", runAgent},
		"bench":      {"run a named benchmark against a reference measured in the same run", runBench},
		"canonical":  {"print the canonical entity registry as JSON", runCanonical},
		"drift":      {"print a local tenant's drift events as JSON lines", runDrift},
		"events":     {"print a local tenant's canonical events as JSON lines", runEvents},
		"ingest":     {"ingest a directory of files into a local tenant's canonical stream", runIngest},
		"match":      {"map a source-schema document to a canonical entity with confidences", runMatch},
		"nlp":        {"classify or answer a question, manage the knowledge base (classify, ask, docs)", runNLP},
		"quality":    {"print a local tenant's data-quality issues as JSON lines", runQuality},
		"quarantine": {"print a local tenant's quarantined records as JSON lines", runQuarantine},
		"reviews":    {"list, approve or reject a local tenant's mapping reviews", runReviews},
		"tenant":     {"create a tenant: tenant create --name NAME", runTenant},
		"token":      {"mint an access token: token --tenant T --user U", runToken},
		"unify":      {"list a local tenant's unified entities and review pairs; merge or split them", runUnify},
		"user":       {"create a user: user create --tenant T --email E --role R", runUser},
		"version":    {"print the version", runVersion},
		"views":      {"print rows of a local tenant's view as JSON lines", runViews},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "aos: unknown command %q\n", args[0])
		printUsage(stderr, cmds)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdout, stderr); err != nil {
		if wantsHelp(args[1:]) {
			// -h and --help always succeed, also where the command has
			// no flags of its own.
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stderr, "aos %s: %s\n", args[0], cmd.summary)
			}
			return 0
		}
		fmt.Fprintf(stderr, "aos %s: %v\n", args[0], err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// wantsHelp reports whether args ask for help (-h, -help, --help).
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: aos <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	_, err := fmt.Fprintf(stdout, "aos %s\n", Version)
	return err
}
