// Package kb is a tenant's knowledge base for the NLP gateway: Markdown or
// text documents (definitions, policies, runbooks) split into chunks and
// found by hybrid retrieval, a lexical index and a vector store fused by
// reciprocal rank.
//
// Lexical retrieval is any Lexical index: Bleve's BM25 (BleveIndex) in
// local mode. Vector retrieval uses a rag.VectorStore with a rag.Embedder.
// Chunk texts and the document list live in a Catalog (FileCatalog in
// local mode). Text sent to the embedder goes through Options.Redact.
//
// # Concurrency
//
// A KB is safe for concurrent use; writes to one tenant are serialized.
package kb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/rag"
)

// Errors of the package; test with errors.Is.
var (
	ErrInvalid  = errors.New("kb: invalid argument")
	ErrNotFound = errors.New("kb: not found")
)

// MaxDocumentBytes bounds a document.
const MaxDocumentBytes = 4 << 20

// Collection is the vector-store collection of knowledge chunks.
const Collection = "nlp_knowledge"

// Chunk is a stored piece of a document.
type Chunk struct {
	// ID is "DOCUMENT#N", N counting from 1.
	ID       string `json:"id"`
	Document string `json:"document"`
	Heading  string `json:"heading,omitempty"`
	Text     string `json:"text"`
}

// Hit is a retrieved chunk with its score (for the fused ranking, the
// reciprocal-rank sum).
type Hit struct {
	Chunk
	Score float64 `json:"score"`
}

// DocumentInfo describes a stored document.
type DocumentInfo struct {
	Name    string    `json:"name"`
	Bytes   int       `json:"bytes"`
	Chunks  int       `json:"chunks"`
	AddedAt time.Time `json:"added_at"`
}

// Lexical is a full-text index of chunks.
type Lexical interface {
	Index(ctx context.Context, tenant uuid.UUID, chunks []Chunk) error
	Delete(ctx context.Context, tenant uuid.UUID, ids []string) error
	// Search returns up to k chunk ids with scores, best first.
	Search(ctx context.Context, tenant uuid.UUID, query string, k int) ([]Scored, error)
}

// Scored is a chunk id with a score.
type Scored struct {
	ID    string
	Score float64
}

// Catalog keeps the documents and their chunks' texts.
type Catalog interface {
	// Put replaces a document and its chunks.
	Put(ctx context.Context, tenant uuid.UUID, doc DocumentInfo, chunks []Chunk) error
	// Documents lists the tenant's documents by name.
	Documents(ctx context.Context, tenant uuid.UUID) ([]DocumentInfo, error)
	// Chunks returns the chunks with these ids (missing ones left out).
	Chunks(ctx context.Context, tenant uuid.UUID, ids []string) (map[string]Chunk, error)
	// ChunkIDs returns a document's chunk ids; ErrNotFound if none.
	ChunkIDs(ctx context.Context, tenant uuid.UUID, name string) ([]string, error)
	// Delete removes a document; ErrNotFound if none.
	Delete(ctx context.Context, tenant uuid.UUID, name string) error
}

// Mode selects the retrievers.
type Mode string

// Retrieval modes.
const (
	Hybrid      Mode = "hybrid"
	LexicalOnly Mode = "lexical"
	VectorOnly  Mode = "vector"
)

// Options configures a KB; nil means the defaults.
type Options struct {
	// Embedder: default rag.NewLocalEmbedder().
	Embedder rag.Embedder
	// Redact is applied to every text sent to the embedder: default none.
	Redact func(string) string
	// Candidates each retriever returns before fusion: default 20.
	Candidates int
	// RRFK is the reciprocal-rank constant k in 1/(k+rank): default 60.
	RRFK int
	// Now: default time.Now.
	Now func() time.Time
}

// KB is a knowledge base over a catalog, a lexical index and a vector store.
type KB struct {
	cat  Catalog
	lex  Lexical
	vec  rag.VectorStore
	opts Options
	mu   sync.Mutex
}

// New returns a KB. A nil catalog, index or store wraps ErrInvalid.
func New(cat Catalog, lex Lexical, vec rag.VectorStore, opts *Options) (*KB, error) {
	if cat == nil || lex == nil || vec == nil {
		return nil, fmt.Errorf("%w: catalog, lexical index and vector store are required", ErrInvalid)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Embedder == nil {
		o.Embedder = rag.NewLocalEmbedder()
	}
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	if o.Candidates <= 0 {
		o.Candidates = 20
	}
	if o.RRFK <= 0 {
		o.RRFK = 60
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &KB{cat: cat, lex: lex, vec: vec, opts: o}, nil
}

var docNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$`)

// Add stores (or replaces) a document and returns its description. A bad
// name (letters, digits, ". _ -" and spaces, up to 200), an empty,
// oversized or non-UTF-8 text wraps ErrInvalid.
func (k *KB) Add(ctx context.Context, tenant uuid.UUID, name, text string) (DocumentInfo, error) {
	if !docNameRE.MatchString(name) {
		return DocumentInfo{}, fmt.Errorf("kb: add: %w: document name %q", ErrInvalid, name)
	}
	if len(text) > MaxDocumentBytes {
		return DocumentInfo{}, fmt.Errorf("kb: add: %w: document is larger than %d bytes", ErrInvalid, MaxDocumentBytes)
	}
	if !utf8.ValidString(text) {
		return DocumentInfo{}, fmt.Errorf("kb: add: %w: document is not UTF-8 text", ErrInvalid)
	}
	pieces := Split(text)
	if len(pieces) == 0 {
		return DocumentInfo{}, fmt.Errorf("kb: add: %w: document %q has no text", ErrInvalid, name)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.deleteLocked(ctx, tenant, name); err != nil && !errors.Is(err, ErrNotFound) {
		return DocumentInfo{}, err
	}
	chunks := make([]Chunk, len(pieces))
	texts := make([]string, len(pieces))
	for i, p := range pieces {
		chunks[i] = Chunk{ID: name + "#" + strconv.Itoa(i+1), Document: name, Heading: p.Heading, Text: p.Text}
		texts[i] = k.opts.Redact(embedText(chunks[i]))
	}
	vecs, err := k.opts.Embedder.Embed(ctx, texts)
	if err != nil {
		return DocumentInfo{}, fmt.Errorf("kb: add: embed: %w", err)
	}
	docs := make([]rag.Document, len(chunks))
	for i, c := range chunks {
		docs[i] = rag.Document{ID: c.ID, Collection: Collection, Text: texts[i], Vector: vecs[i]}
	}
	info := DocumentInfo{Name: name, Bytes: len(text), Chunks: len(chunks), AddedAt: k.opts.Now().UTC()}
	// The catalog is written last: a document is listed only once both
	// indexes hold it.
	if err := k.vec.Upsert(ctx, tenant.String(), docs); err != nil {
		return DocumentInfo{}, fmt.Errorf("kb: add: vectors: %w", err)
	}
	if err := k.lex.Index(ctx, tenant, chunks); err != nil {
		return DocumentInfo{}, fmt.Errorf("kb: add: lexical: %w", err)
	}
	if err := k.cat.Put(ctx, tenant, info, chunks); err != nil {
		return DocumentInfo{}, fmt.Errorf("kb: add: catalog: %w", err)
	}
	return info, nil
}

func embedText(c Chunk) string {
	if c.Heading == "" {
		return c.Text
	}
	return c.Heading + "\n" + c.Text
}

// Documents lists the tenant's documents.
func (k *KB) Documents(ctx context.Context, tenant uuid.UUID) ([]DocumentInfo, error) {
	return k.cat.Documents(ctx, tenant)
}

// Delete removes a document; ErrNotFound if there is none.
func (k *KB) Delete(ctx context.Context, tenant uuid.UUID, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.deleteLocked(ctx, tenant, name)
}

func (k *KB) deleteLocked(ctx context.Context, tenant uuid.UUID, name string) error {
	ids, err := k.cat.ChunkIDs(ctx, tenant, name)
	if err != nil {
		return err
	}
	if err := k.vec.Delete(ctx, tenant.String(), Collection, ids); err != nil {
		return fmt.Errorf("kb: delete: vectors: %w", err)
	}
	if err := k.lex.Delete(ctx, tenant, ids); err != nil {
		return fmt.Errorf("kb: delete: lexical: %w", err)
	}
	return k.cat.Delete(ctx, tenant, name)
}

// Search returns up to n chunks for query by mode, best first. Hybrid
// fuses the lexical and vector rankings by reciprocal rank:
// score = Σ 1/(RRFK + rank).
func (k *KB) Search(ctx context.Context, tenant uuid.UUID, query string, n int, mode Mode) ([]Hit, error) {
	if n <= 0 || n > 100 {
		return nil, fmt.Errorf("kb: search: %w: n %d is outside 1..100", ErrInvalid, n)
	}
	if query == "" || len(query) > 4000 {
		return nil, fmt.Errorf("kb: search: %w: query must be 1..4000 bytes", ErrInvalid)
	}
	var rankings [][]string
	if mode == Hybrid || mode == LexicalOnly {
		lex, err := k.lex.Search(ctx, tenant, query, k.opts.Candidates)
		if err != nil {
			return nil, fmt.Errorf("kb: search: lexical: %w", err)
		}
		ids := make([]string, len(lex))
		for i, s := range lex {
			ids[i] = s.ID
		}
		rankings = append(rankings, ids)
	}
	if mode == Hybrid || mode == VectorOnly {
		v, err := k.opts.Embedder.Embed(ctx, []string{k.opts.Redact(query)})
		if err != nil {
			return nil, fmt.Errorf("kb: search: embed: %w", err)
		}
		hits, err := k.vec.Search(ctx, tenant.String(), Collection, v[0], k.opts.Candidates)
		if err != nil {
			return nil, fmt.Errorf("kb: search: vectors: %w", err)
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		rankings = append(rankings, ids)
	}
	if len(rankings) == 0 {
		return nil, fmt.Errorf("kb: search: %w: mode %q", ErrInvalid, mode)
	}
	fused := Fuse(rankings, k.opts.RRFK)
	if len(fused) > n {
		fused = fused[:n]
	}
	ids := make([]string, len(fused))
	for i, f := range fused {
		ids[i] = f.ID
	}
	chunks, err := k.cat.Chunks(ctx, tenant, ids)
	if err != nil {
		return nil, fmt.Errorf("kb: search: %w", err)
	}
	out := make([]Hit, 0, len(fused))
	for _, f := range fused {
		if c, ok := chunks[f.ID]; ok {
			out = append(out, Hit{Chunk: c, Score: f.Score})
		}
	}
	return out, nil
}

// Fuse combines rankings (ids best first) by reciprocal rank fusion:
// each id scores Σ 1/(k + rank), rank counting from 1; ties go to the id
// seen first.
func Fuse(rankings [][]string, k int) []Scored {
	score := map[string]float64{}
	first := map[string]int{}
	n := 0
	for _, r := range rankings {
		for i, id := range r {
			score[id] += 1 / float64(k+i+1)
			if _, ok := first[id]; !ok {
				first[id] = n
				n++
			}
		}
	}
	out := make([]Scored, 0, len(score))
	for id, s := range score {
		out = append(out, Scored{ID: id, Score: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return first[out[i].ID] < first[out[j].ID]
	})
	return out
}
