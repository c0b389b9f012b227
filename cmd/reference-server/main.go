// Command reference-server runs the AutonomOS reference server: it reads its
// configuration from flags and environment variables, opens the platform
// (local mode unless DATABASE_URL and REDIS_URL are set) and serves HTTP
// until SIGINT or SIGTERM, then shuts down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/httpapi"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "reference-server:", err)
		os.Exit(1)
	}
}

// options are the server's settings: the platform Config plus HTTP ones.
type options struct {
	addr     string
	logLevel string
	cfg      autonomos.Config
	// openRegistration and rateLimitFail are the flag forms of
	// cfg.RegistrationClosed and cfg.RateLimitFailClosed.
	openRegistration bool
	rateLimitFail    string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	env := autonomos.ConfigFromEnv()
	o := options{cfg: env}
	fs := flag.NewFlagSet("reference-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", envOr("AOS_ADDR", ":8080"), "listen address (AOS_ADDR)")
	fs.StringVar(&o.logLevel, "log-level", envOr("AOS_LOG_LEVEL", "info"), "debug, info, warn or error (AOS_LOG_LEVEL)")
	fs.StringVar(&o.cfg.DataDir, "data-dir", envOr("AOS_DATA_DIR", "./data"), "data directory (AOS_DATA_DIR)")
	fs.StringVar(&o.cfg.DatabaseURL, "database-url", env.DatabaseURL, "PostgreSQL URL; with -redis-url selects production mode (DATABASE_URL)")
	fs.StringVar(&o.cfg.RedisURL, "redis-url", env.RedisURL, "Redis URL (REDIS_URL)")
	fs.StringVar(&o.cfg.JWTSecret, "jwt-secret", env.JWTSecret, "JWT signing secret, required in production mode (AOS_JWT_SECRET)")
	fs.StringVar(&o.cfg.SecretKey, "secret-key", env.SecretKey, "key encrypting connection secrets (AOS_SECRET_KEY)")
	fs.StringVar(&o.cfg.FileSourceRoot, "filesource-root", env.FileSourceRoot, "root directory for file connections (AOS_FILESOURCE_ROOT)")
	fs.StringVar(&o.cfg.GeminiAPIKey, "gemini-api-key", env.GeminiAPIKey, "Gemini API key, optional (GEMINI_API_KEY)")
	fs.StringVar(&o.cfg.JWTKeyID, "jwt-kid", envOr("AOS_JWT_KID", "primary"), "key id of the JWT signing secret (AOS_JWT_KID)")
	fs.StringVar(&o.cfg.JWTVerifyKeys, "jwt-verify-keys", env.JWTVerifyKeys, "retired JWT keys still accepted, kid:secret,... (AOS_JWT_VERIFY_KEYS)")
	fs.IntVar(&o.cfg.RateLimit, "rate-limit", max(env.RateLimit, 0), "requests per minute per tenant; 0 means 60 (AOS_RATE_LIMIT)")
	fs.StringVar(&o.rateLimitFail, "rate-limit-fail", envOr("AOS_RATE_LIMIT_FAIL", "open"), "when the limiter's backend fails: open (allow) or closed (503) (AOS_RATE_LIMIT_FAIL)")
	fs.BoolVar(&o.openRegistration, "open-registration", !env.RegistrationClosed, "allow POST /api/v1/auth/register (AOS_OPEN_REGISTRATION)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.cfg.RegistrationClosed = !o.openRegistration
	closed, err := autonomos.ParseFailMode(o.rateLimitFail)
	if err != nil {
		return o, err
	}
	o.cfg.RateLimitFailClosed = closed
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return o, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("AOS_LOG_LEVEL %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(o.logLevel, stderr)
	if err != nil {
		return err
	}
	o.cfg.Logger = logger
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	platform, err := autonomos.Open(ctx, o.cfg)
	if err != nil {
		return err
	}
	defer platform.Close()

	// Bind the port before starting workers: a second instance whose port
	// is taken must exit without having run a single job.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	defer ln.Close()
	handler, err := newMux(platform, logger)
	if err != nil {
		return err
	}

	workers, err := platform.StartWorkers(ctx, nil)
	if err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := workers.Stop(stopCtx); err != nil {
			logger.Error("reference-server: stop workers", "error", err)
		}
	}()
	srv := &http.Server{
		Handler:           handler,
		MaxHeaderBytes:    httpapi.MaxHeaderBytes,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	logger.Info("reference-server: listening", "addr", ln.Addr().String(), "mode", string(platform.Mode()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("reference-server: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
