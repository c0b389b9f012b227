package autonomos

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/connectors/mongosource"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/connectors/salesforce"
	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/pgstore"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
	"github.com/autonomos/autonomos/rag/gemini"
	"github.com/autonomos/autonomos/rag/pgvec"
	"github.com/autonomos/autonomos/redisflow"
	"github.com/autonomos/autonomos/schemamatch"
)

// localKeyFile holds the generated connection-secret key of a local data
// directory when AOS_SECRET_KEY is not set.
const localKeyFile = "secret.key"

// newConnectorRegistry registers the built-in connector types. File
// connections are confined to root when root is set.
func newConnectorRegistry(root string) (*connectors.Registry, error) {
	reg := connectors.NewRegistry()
	fileFactory := filesource.Factory
	if root != "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("%w: AOS_FILESOURCE_ROOT: %v", ErrInvalidConfig, err)
		}
		fileFactory = confineFileSource(abs)
	}
	if err := reg.Register(filesource.Spec(), fileFactory); err != nil {
		return nil, err
	}
	for _, register := range []func(*connectors.Registry) error{pgsource.Register, salesforce.Register, mongosource.Register} {
		if err := register(reg); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// confineFileSource wraps the file source factory so that a connection's
// root must lie under the platform's file-source root.
func confineFileSource(root string) connectors.Factory {
	return func(cfg connectors.Config) (connectors.Connector, error) {
		dir := cfg["root"]
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		dir = filepath.Clean(dir)
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%w: filesource root %q is outside AOS_FILESOURCE_ROOT", connectors.ErrInvalidConfig, cfg["root"])
		}
		// Symbolic links in the path must not lead out either.
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			realRoot, rerr := filepath.EvalSymlinks(root)
			if rerr == nil {
				if rel, err := filepath.Rel(realRoot, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
					return nil, fmt.Errorf("%w: filesource root %q resolves outside AOS_FILESOURCE_ROOT", connectors.ErrInvalidConfig, cfg["root"])
				}
			}
		}
		confined := make(connectors.Config, len(cfg))
		for k, v := range cfg {
			confined[k] = v
		}
		confined["root"] = dir
		// Opened through an os.Root of root on every call, so a link put
		// in the path later cannot lead out either.
		s, err := filesource.NewConfined(root, confined)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// secretKey returns the connection-secret key: AOS_SECRET_KEY when set;
// in local mode otherwise a key generated once and kept in the data
// directory; in production mode otherwise none (connections with secrets
// are then refused with a clear error).
func (p *Platform) secretKey() ([]byte, error) {
	if p.cfg.SecretKey != "" {
		k, err := aam.ParseSecretKey(p.cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("%w: AOS_SECRET_KEY: %v", ErrInvalidConfig, err)
		}
		return k, nil
	}
	if p.mode != ModeLocal {
		return nil, nil
	}
	path := filepath.Join(p.cfg.DataDir, localKeyFile)
	b, err := readOrCreateKeyFile(path, "secret key")
	if err != nil {
		return nil, err
	}
	k, err := aam.ParseSecretKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("autonomos: local secret key %s: %w", path, err)
	}
	return k, nil
}

// openMesh builds the canonical registry, the connector registry, the aam
// store of the mode's backend and the Mesh.
func (p *Platform) openMesh(ctx context.Context) error {
	canon, err := canonical.NewRegistry()
	if err != nil {
		return err
	}
	conns, err := newConnectorRegistry(p.cfg.FileSourceRoot)
	if err != nil {
		return err
	}
	key, err := p.secretKey()
	if err != nil {
		return err
	}
	opts := &aam.Options{SecretKey: key, Logger: p.log, Metrics: p.metrics}
	var store aam.Store
	switch p.mode {
	case ModeLocal:
		s, err := duckstore.NewAAM(p.control)
		if err != nil {
			return err
		}
		store = s
	case ModeProduction:
		s, err := pgstore.NewAAM(p.pg)
		if err != nil {
			return err
		}
		store = s
		bus, err := redisflow.New(p.redis, nil)
		if err != nil {
			return err
		}
		opts.FlowBus = bus
	}
	matcher, err := p.newMatcher(ctx, canon)
	if err != nil {
		return err
	}
	repairer, err := aam.NewRepairer(canon, store, &aam.RepairerOptions{Matcher: matcher, Logger: p.log})
	if err != nil {
		return fmt.Errorf("autonomos: repairer: %w", err)
	}
	opts.Repairer = repairer
	mesh, err := aam.New(canon, conns, store, opts)
	if err != nil {
		return fmt.Errorf("autonomos: mesh: %w", err)
	}
	// The connections' source metrics (replication slot lag) are scraped
	// from the sources whether or not a sync runs.
	if err := p.metrics.Register(mesh.SourceCollector()); err != nil {
		return fmt.Errorf("autonomos: source metrics: %w", err)
	}
	p.canon, p.conns, p.store, p.mesh, p.matcher = canon, conns, store, mesh, matcher
	return nil
}

// newMatcher builds the schema matcher: the local embedder, the tenants'
// approved-mapping memory (DuckDB in local mode; pgvector in production
// when the extension is installed, otherwise no memory, logged), and the
// Gemini re-ranker when GEMINI_API_KEY is set.
func (p *Platform) newMatcher(ctx context.Context, canon *canonical.Registry) (*schemamatch.Matcher, error) {
	embedder := rag.NewLocalEmbedder()
	mopts := &schemamatch.MatcherOptions{}
	switch p.mode {
	case ModeLocal:
		vs, err := duckvec.New(ctx, p.control.DB(), embedder.Dimension(), nil)
		if err != nil {
			return nil, fmt.Errorf("autonomos: matcher memory: %w", err)
		}
		mopts.Store = vs
	case ModeProduction:
		vs, err := pgvec.New(ctx, p.pg.Pool(), embedder.Dimension(), nil)
		switch {
		case err == nil:
			mopts.Store = vs
		case errors.Is(err, rag.ErrUnavailable):
			p.log.Warn("autonomos: approved-mapping memory is off: the pgvector extension is not installed", "error", err)
		default:
			return nil, fmt.Errorf("autonomos: matcher memory: %w", err)
		}
	}
	if p.cfg.GeminiAPIKey != "" {
		llm, err := gemini.NewLLM(ctx, p.cfg.GeminiAPIKey, &gemini.Options{Metrics: p.metrics})
		if err != nil {
			return nil, fmt.Errorf("autonomos: GEMINI_API_KEY: %w", err)
		}
		mopts.LLM = llm
		p.closers = append(p.closers, llm.Close)
	}
	m, err := schemamatch.NewMatcher(canon, mopts)
	if err != nil {
		return nil, fmt.Errorf("autonomos: matcher: %w", err)
	}
	return m, nil
}

// Matcher returns the platform's schema matcher.
func (p *Platform) Matcher() *schemamatch.Matcher { return p.matcher }

// Canonical returns the canonical entity registry.
func (p *Platform) Canonical() *canonical.Registry { return p.canon }

// Connectors returns the connector registry (the built-in types).
func (p *Platform) Connectors() *connectors.Registry { return p.conns }

// Store returns the aam store of the platform's backend.
func (p *Platform) Store() aam.Store { return p.store }

// Mesh returns the platform's Adaptive API Mesh: connections, sync,
// observer.
func (p *Platform) Mesh() *aam.Mesh { return p.mesh }
