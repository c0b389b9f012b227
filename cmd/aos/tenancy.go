package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/tenancy"
)

// backendFlags choose where the tenancy commands work: the local data
// directory, or production (DATABASE_URL and REDIS_URL, with
// AOS_JWT_SECRET).
type backendFlags struct {
	dataDir     string
	databaseURL string
	redisURL    string
}

func (b *backendFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.dataDir, "data-dir", envOr("AOS_DATA_DIR", "./data"), "local data directory (AOS_DATA_DIR)")
	fs.StringVar(&b.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL; with -redis-url works on production (DATABASE_URL)")
	fs.StringVar(&b.redisURL, "redis-url", os.Getenv("REDIS_URL"), "Redis URL, production (REDIS_URL)")
}

// open opens the platform the flags name: production when a URL is set,
// the local data directory otherwise (which must not be in use by a
// running server).
func (b *backendFlags) open(ctx context.Context, stderr io.Writer) (*autonomos.Platform, error) {
	if b.databaseURL == "" && b.redisURL == "" {
		return openLocal(ctx, b.dataDir, stderr)
	}
	cfg := autonomos.ConfigFromEnv()
	cfg.DataDir, cfg.DatabaseURL, cfg.RedisURL = b.dataDir, b.databaseURL, b.redisURL
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return autonomos.Open(ctx, cfg)
}

// usageFor turns tenancy's input errors into usage errors (exit 2).
func usageFor(err error) error {
	if errors.Is(err, tenancy.ErrInvalid) || errors.Is(err, tenancy.ErrConflict) || errors.Is(err, tenancy.ErrNotFound) {
		if m := tenancy.PublicMessage(err); m != "" {
			return usagef("%s", m)
		}
		return usageError{err.Error()}
	}
	return err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// runTenant is `aos tenant create --name NAME [--rate-limit N]`.
func runTenant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: aos tenant create --name NAME [--rate-limit N] [--data-dir D | --database-url URL --redis-url URL]")
	}
	fs := newFlags("tenant create", stderr)
	var b backendFlags
	b.register(fs)
	name := fs.String("name", "", "tenant name: 1 to 63 letters, digits, '-' or '_' (required)")
	rate := fs.Int("rate-limit", 0, "the tenant's requests per minute; 0 for the platform default")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := tenancy.ValidateTenantName(*name); err != nil {
		return usageFor(err)
	}
	if *rate < 0 {
		return usagef("-rate-limit must not be negative")
	}
	p, err := b.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	t, err := p.Tenancy().CreateTenant(ctx, *name)
	if err != nil {
		return usageFor(err)
	}
	if *rate > 0 {
		if err := p.Tenancy().Store().SetRateLimit(ctx, t.ID, *rate); err != nil {
			return err
		}
		t.RateLimit = *rate
	}
	return printJSON(stdout, t)
}

// runUser is `aos user create --tenant T --email E [--role R]`, with the
// password from AOS_USER_PASSWORD or the first line of standard input
// (--password-stdin); never from an argument, which other users can see.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: aos user create --tenant T --email E [--role admin|editor|viewer] [--password-stdin]")
	}
	return runUserCreate(ctx, args[1:], os.Stdin, stdout, stderr)
}

func runUserCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user create", stderr)
	var b backendFlags
	b.register(fs)
	tenantRef := fs.String("tenant", "", "tenant name or id (required)")
	email := fs.String("email", "", "the user's e-mail (required)")
	roleName := fs.String("role", "admin", "admin, editor or viewer (a tenant's first user is always admin)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (else AOS_USER_PASSWORD)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	role, err := tenancy.ParseRole(*roleName)
	if err != nil {
		return usageFor(err)
	}
	if *tenantRef == "" || *email == "" {
		return usagef("-tenant and -email are required")
	}
	password := os.Getenv("AOS_USER_PASSWORD")
	if *fromStdin {
		line, err := bufio.NewReader(io.LimitReader(stdin, tenancy.MaxPasswordBytes+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return usagef("no password: set AOS_USER_PASSWORD or pass --password-stdin")
	}
	if err := tenancy.ValidatePassword(password); err != nil {
		return usageFor(err)
	}
	p, err := b.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	t, err := lookupTenant(ctx, p.Tenancy(), *tenantRef)
	if err != nil {
		return err
	}
	u, err := p.Tenancy().CreateUser(ctx, t.ID, tenancy.NewUser{Email: *email, Password: password, Role: role}, nil)
	if err != nil {
		return usageFor(err)
	}
	return printJSON(stdout, u)
}

// lookupTenant finds a tenant by id or name.
func lookupTenant(ctx context.Context, svc *tenancy.Service, ref string) (tenancy.Tenant, error) {
	var (
		t   tenancy.Tenant
		err error
	)
	if id, perr := uuid.Parse(ref); perr == nil {
		t, err = svc.Store().Tenant(ctx, id)
	} else {
		t, err = svc.Store().TenantByName(ctx, ref)
	}
	if errors.Is(err, tenancy.ErrNotFound) {
		return t, usagef("no tenant %q", ref)
	}
	return t, err
}

// tokenOutput is what `aos token` prints: the login response's shape.
type tokenOutput struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// runToken is `aos token --tenant T --user U [--role R]`: it mints an
// access token for operators. With a tenant id, a user id and --role and
// AOS_JWT_SECRET set it needs no store; otherwise it opens the local data
// directory (or production) to find the tenant and the user, whose role
// the token carries (--role may only lower it).
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token", stderr)
	var b backendFlags
	b.register(fs)
	tenantRef := fs.String("tenant", "", "tenant name or id (required)")
	userRef := fs.String("user", "", "user e-mail or id (required)")
	roleName := fs.String("role", "", "role to put in the token; at most the user's own")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tenantRef == "" || *userRef == "" {
		return usagef("-tenant and -user are required")
	}
	var want tenancy.Role
	if *roleName != "" {
		r, err := tenancy.ParseRole(*roleName)
		if err != nil {
			return usageFor(err)
		}
		want = r
	}
	tenantID, terr := uuid.Parse(*tenantRef)
	userID, uerr := uuid.Parse(*userRef)
	cfg := autonomos.ConfigFromEnv()
	if terr == nil && uerr == nil && want != "" && cfg.JWTSecret != "" {
		auth, err := cfg.Authenticator()
		if err != nil {
			return err
		}
		return mint(stdout, auth, tenancy.Claims{TenantID: tenantID, UserID: userID, Role: want})
	}
	p, err := b.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Tenancy()
	t, err := lookupTenant(ctx, svc, *tenantRef)
	if err != nil {
		return err
	}
	users, err := svc.Users(ctx, t.ID)
	if err != nil {
		return err
	}
	ref := strings.ToLower(strings.TrimSpace(*userRef))
	for _, u := range users {
		if u.Email != ref && u.ID.String() != ref {
			continue
		}
		role := u.Role
		if want != "" {
			if !u.Role.Allows(want) {
				return usagef("user %q is %s and cannot get a %s token", u.Email, u.Role, want)
			}
			role = want
		}
		return mint(stdout, svc.Authenticator(), tenancy.Claims{TenantID: t.ID, UserID: u.ID, Role: role})
	}
	return usagef("tenant %q has no user %q", t.Name, *userRef)
}

func mint(stdout io.Writer, auth *tenancy.Authenticator, c tenancy.Claims) error {
	tok, _, err := auth.Issue(c)
	if err != nil {
		return usageFor(err)
	}
	return printJSON(stdout, tokenOutput{AccessToken: tok, TokenType: "bearer", ExpiresIn: int(auth.TTL() / time.Second)})
}
