package autonomos

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Mode says which backends a Platform runs on.
type Mode string

// The two modes.
const (
	// ModeLocal runs on an embedded DuckDB control file under the data
	// directory and in-process queue and limiter. It needs no services.
	ModeLocal Mode = "local"
	// ModeProduction runs on PostgreSQL (DatabaseURL) and Redis (RedisURL).
	ModeProduction Mode = "production"
)

// Config configures a Platform. The zero value is a valid local-mode
// configuration using ./data.
type Config struct {
	// DataDir holds the local control file and the per-tenant DuckDB files.
	// Default "./data". Env AOS_DATA_DIR.
	DataDir string
	// DatabaseURL selects production mode together with RedisURL: the
	// PostgreSQL system of record. Env DATABASE_URL.
	DatabaseURL string
	// RedisURL is the Redis server for queues, limits and live events in
	// production mode. Env REDIS_URL.
	RedisURL string
	// JWTSecret signs access tokens (at least 32 bytes); required in
	// production mode. In local mode, when empty, a key is generated once
	// and kept in the data directory (jwt.key), so tokens minted by
	// `aos token` verify on the server. Env AOS_JWT_SECRET.
	JWTSecret string
	// JWTKeyID is the kid of JWTSecret. Default "primary". Env AOS_JWT_KID.
	JWTKeyID string
	// JWTVerifyKeys are retired keys still accepted for verification during
	// a rotation, as "kid:secret" pairs separated by commas. Default none.
	// Env AOS_JWT_VERIFY_KEYS.
	JWTVerifyKeys string
	// RateLimit is the default requests per minute per tenant. Default 60.
	// Env AOS_RATE_LIMIT.
	RateLimit int
	// RateLimitFailClosed refuses requests (503) when the limiter's backend
	// fails. Default false: fail open, with a metric and a log line.
	// Env AOS_RATE_LIMIT_FAIL=closed.
	RateLimitFailClosed bool
	// RegistrationClosed turns off POST /api/v1/auth/register. Default
	// false. Env AOS_OPEN_REGISTRATION=false.
	RegistrationClosed bool
	// SecretKey encrypts connection secrets at rest. Env AOS_SECRET_KEY.
	SecretKey string
	// FileSourceRoot is the directory file connections may read under.
	// Env AOS_FILESOURCE_ROOT.
	FileSourceRoot string
	// GeminiAPIKey enables the Gemini LLM and embeddings. Optional.
	// Env GEMINI_API_KEY.
	GeminiAPIKey string
	// Logger receives the platform's logs; default slog.Default().
	Logger *slog.Logger

	// envErr is a malformed environment value ConfigFromEnv met; Open
	// reports it.
	envErr error
}

// ConfigFromEnv reads a Config from the contract's environment variables.
// Malformed numbers and booleans are kept as an error for Open to report
// (see Config.EnvErr).
func ConfigFromEnv() Config {
	c := Config{
		DataDir:        os.Getenv("AOS_DATA_DIR"),
		DatabaseURL:    os.Getenv("DATABASE_URL"),
		RedisURL:       os.Getenv("REDIS_URL"),
		JWTSecret:      os.Getenv("AOS_JWT_SECRET"),
		SecretKey:      os.Getenv("AOS_SECRET_KEY"),
		FileSourceRoot: os.Getenv("AOS_FILESOURCE_ROOT"),
		GeminiAPIKey:   os.Getenv("GEMINI_API_KEY"),
		JWTKeyID:       os.Getenv("AOS_JWT_KID"),
		JWTVerifyKeys:  os.Getenv("AOS_JWT_VERIFY_KEYS"),
	}
	c.readTenancyEnv()
	return c
}

// Mode returns the mode the configuration selects: production when a
// database or Redis URL is set, local otherwise.
func (c Config) Mode() Mode {
	if c.DatabaseURL != "" || c.RedisURL != "" {
		return ModeProduction
	}
	return ModeLocal
}

// withDefaults returns c with defaults applied.
func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// validate reports the first invalid field, by its environment name.
func (c Config) validate() error {
	if err := c.validateTenancy(); err != nil {
		return err
	}
	if c.Mode() == ModeProduction {
		if c.DatabaseURL == "" {
			return fmt.Errorf("%w: DATABASE_URL is required in production mode (REDIS_URL is set)", ErrInvalidConfig)
		}
		if c.RedisURL == "" {
			return fmt.Errorf("%w: REDIS_URL is required in production mode (DATABASE_URL is set)", ErrInvalidConfig)
		}
		if len(c.JWTSecret) < 32 {
			return fmt.Errorf("%w: AOS_JWT_SECRET must be set to at least 32 bytes in production mode", ErrInvalidConfig)
		}
	}
	if strings.ContainsRune(c.DataDir, 0) {
		return fmt.Errorf("%w: AOS_DATA_DIR contains a NUL byte", ErrInvalidConfig)
	}
	return nil
}
