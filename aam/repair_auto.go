package aam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
	"github.com/autonomos/autonomos/schemamatch"
)

// RepairAuthor is the author of the mapping versions AutoRepairer applies
// and of the proposals it decides itself.
const RepairAuthor = "system:repair"

// RepairStore is what AutoRepairer persists through: the mapping versions
// it applies and the proposals it records. Every Store is one.
type RepairStore interface {
	MappingStore
	ReviewStore
}

// ReviewMemory is the retrieval memory approvals feed: a *schemamatch.Matcher with
// a vector store is one. Mesh.ApproveReview feeds it through
// Options.Repairer when that implements ReviewMemory (AutoRepairer does
// when it has a Matcher).
type ReviewMemory interface {
	Remember(ctx context.Context, tenant string, approved ...schemamatch.ApprovedMapping) error
}

// RepairerOptions tunes an AutoRepairer. A nil *RepairerOptions means every
// default.
type RepairerOptions struct {
	// Policy holds the thresholds: at or above AutoApply a repair becomes a
	// new mapping version, at or above Review it waits for a person, below
	// it is recorded rejected. The zero Policy is drift.DefaultPolicy.
	Policy drift.Policy
	// Matcher, when set, gives its view of the new fields (agreement
	// raises a rename's confidence, disagreement lowers it) and proposes
	// targets for added fields. Default: none; renames rest on the diff's
	// evidence alone.
	Matcher *schemamatch.Matcher
	// Logger receives the repairer's logs. Default: discarded.
	Logger *slog.Logger
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// AutoRepairer is the Repairer of the mesh: it turns a breaking drift into
// mapping proposals, decides each with the policy, applies the confident
// ones as one new mapping version (field origin auto, author RepairAuthor,
// the evidence stored with the version) and records every proposal in the
// review queue: applied ones as applied, the review band as pending,
// the rest as rejected with the reason.
//
// It builds on the store, not on the Mesh, so it is made first and given
// to the Mesh in Options.Repairer:
//
//	r, _ := aam.NewRepairer(canon, store, &aam.RepairerOptions{Matcher: matcher})
//	mesh, _ := aam.New(canon, conns, store, &aam.Options{Repairer: r})
//
// Repair changes nothing else: the next Sync retries the object's
// quarantined records against the new version. An AutoRepairer is safe for
// concurrent use.
type AutoRepairer struct {
	canon *canonical.Registry
	store RepairStore
	opts  RepairerOptions
}

var (
	_ Repairer     = (*AutoRepairer)(nil)
	_ ReviewMemory = (*AutoRepairer)(nil)
)

// NewRepairer returns an AutoRepairer over the canonical registry and the
// store. Errors wrap ErrInvalid and name the bad argument or option. It
// does no I/O.
func NewRepairer(canon *canonical.Registry, store RepairStore, opts *RepairerOptions) (*AutoRepairer, error) {
	switch {
	case canon == nil:
		return nil, fmt.Errorf("%w: new repairer: canonical registry is nil", ErrInvalid)
	case store == nil:
		return nil, fmt.Errorf("%w: new repairer: store is nil", ErrInvalid)
	}
	var o RepairerOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("%w: new repairer: policy: %w", ErrInvalid, err)
	}
	if o.Policy == (drift.Policy{}) {
		o.Policy = drift.DefaultPolicy()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &AutoRepairer{canon: canon, store: store, opts: o}, nil
}

// Remember feeds approved mappings to the matcher's retrieval memory. It
// wraps schemamatch.ErrUnavailable when the repairer has no Matcher.
func (r *AutoRepairer) Remember(ctx context.Context, tenant string, approved ...schemamatch.ApprovedMapping) error {
	if r.opts.Matcher == nil {
		return fmt.Errorf("aam: remember approvals: %w: no matcher", schemamatch.ErrUnavailable)
	}
	return r.opts.Matcher.Remember(ctx, tenant, approved...)
}

// repairEvidence is what a repair proposal stores as its evidence.
type repairEvidence struct {
	// Change is the schema change answered.
	Change drift.Kind `json:"change"`
	// Diff is the diff's evidence for the chosen field (renames and
	// successors).
	Diff *drift.Evidence `json:"diff,omitempty"`
	// DiffScore is the diff's rename score of the chosen field.
	DiffScore float64 `json:"diff_score,omitempty"`
	// Candidates are the possible successors the diff found.
	Candidates []string `json:"candidates,omitempty"`
	// Ambiguous is set when the diff could not single out one successor.
	Ambiguous bool `json:"ambiguous,omitempty"`
	// Matcher is the matcher's view of the chosen field, when asked.
	Matcher *matcherView `json:"matcher,omitempty"`
	// MatcherError says why the matcher gave no view.
	MatcherError string `json:"matcher_error,omitempty"`
	// Confidence is the combined confidence and how it was combined.
	Confidence float64 `json:"confidence"`
	Combined   string  `json:"combined"`
}

// matcherView is the matcher's proposal for one source field.
type matcherView struct {
	CanonicalField string               `json:"canonical_field"`
	Confidence     float64              `json:"confidence"`
	Decision       schemamatch.Decision `json:"decision"`
	Agrees         bool                 `json:"agrees"`
	Evidence       schemamatch.Evidence `json:"evidence"`
}

// candidate is one repair proposal on its way to the queue.
type candidate struct {
	pr        drift.Proposal
	ev        repairEvidence
	ambiguous bool
}

// Repair proposes, decides, applies and records the repairs of one breaking
// drift (see AutoRepairer). It returns an error when the proposals cannot be
// made (a cancelled ctx) or stored; a matcher failure only leaves its view
// out. A mapping that changed since the drift was observed (a stale
// version) sends the confident proposals to review instead.
func (r *AutoRepairer) Repair(ctx context.Context, req RepairRequest) error {
	base := req.Mapping
	d := drift.Drift{
		TenantID: req.TenantID.String(), ConnectionID: req.Connection.ID.String(), Object: base.Object,
		Mapping: &base.Mapping,
		Old:     drift.Snapshot{Schema: req.Previous.Schema, Records: req.Previous.Records},
		New:     drift.Snapshot{Schema: req.Current.Schema, Records: req.Current.Records},
		Diff:    req.Diff,
	}
	views, matchErr := r.matcherViews(ctx, req, base.Mapping.Entity)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aam: repair %q: %w", base.Object, err)
	}
	cands := r.propose(d, base.Mapping, views, matchErr)
	if len(cands) == 0 {
		r.opts.Logger.InfoContext(ctx, "aam: repair: nothing to propose", "tenant", req.TenantID, "object", base.Object, "drift", req.Event.ID)
		return nil
	}

	// Decide, and build the version of the auto-applied ones.
	next := base.Mapping.Clone()
	var applied []*candidate
	taken := map[string]bool{}
	for i := range cands {
		c := &cands[i]
		dec, why := r.opts.Policy.DecideProposal(d, c.pr, r.canon)
		if dec == drift.DecisionAuto && c.ambiguous {
			dec, why = drift.DecisionReview, fmt.Sprintf("confidence %.2f, but the diff found no unique successor: a person chooses", c.pr.Confidence)
		}
		if dec == drift.DecisionAuto && taken[c.pr.Field.Target] {
			dec, why = drift.DecisionReview, fmt.Sprintf("another repair already maps %q", c.pr.Field.Target)
		}
		if dec == drift.DecisionAuto {
			after, err := c.pr.MappingAfter(&next)
			if err == nil {
				err = validMapping(r.canon, after)
			}
			if err != nil {
				dec, why = drift.DecisionReview, fmt.Sprintf("cannot apply automatically: %v", err)
			} else {
				next = after
				taken[c.pr.Field.Target] = true
				applied = append(applied, c)
			}
		}
		c.pr.Decision, c.pr.DecisionReason = dec, why
	}

	version := 0
	if len(applied) > 0 {
		v, err := r.apply(ctx, req, next, applied)
		switch {
		case errors.Is(err, ErrConflict):
			for _, c := range applied {
				c.pr.Decision = drift.DecisionReview
				c.pr.DecisionReason = fmt.Sprintf("the mapping changed since version %d: a person confirms", base.Version)
			}
		case err != nil:
			return fmt.Errorf("aam: repair %q: %w", base.Object, err)
		default:
			version = v.Version
		}
	}
	if err := r.supersede(ctx, req, cands); err != nil {
		return fmt.Errorf("aam: repair %q: %w", base.Object, err)
	}
	var errs []error
	for _, c := range cands {
		if err := r.record(ctx, req, c, version); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("aam: repair %q: record proposals: %w", base.Object, err)
	}
	return nil
}

// matcherViews asks the matcher (if any) for the fields of the current
// schema with the mapping's entity forced, by source field.
func (r *AutoRepairer) matcherViews(ctx context.Context, req RepairRequest, entity string) (map[string]schemamatch.FieldMatch, error) {
	if r.opts.Matcher == nil || len(req.Current.Schema.Fields) == 0 {
		return nil, nil
	}
	th := schemamatch.Thresholds{AutoApply: r.opts.Policy.AutoApply, Review: r.opts.Policy.Review}
	res, err := r.opts.Matcher.Match(ctx, req.Current.Schema, &schemamatch.MatchOptions{Entity: entity, Tenant: req.TenantID.String(), Thresholds: &th})
	if err != nil {
		r.opts.Logger.WarnContext(ctx, "aam: repair: matcher failed", "tenant", req.TenantID, "object", req.Current.Object, "error", err)
		return nil, err
	}
	views := make(map[string]schemamatch.FieldMatch, len(res.Mappings))
	for _, fm := range res.Mappings {
		views[fm.SourceField] = fm
	}
	return views, nil
}

// propose turns the classified diff into candidates: renames of mapped
// fields, successors (or removal) of removed mapped fields, and targets of
// added fields the matcher is sure of.
func (r *AutoRepairer) propose(d drift.Drift, base canonical.Mapping, views map[string]schemamatch.FieldMatch, matchErr error) []candidate {
	var out []candidate
	used := map[string]bool{} // new fields already proposed
	handled := map[string]bool{}
	for _, pr := range drift.ProposeRenames(d) {
		if pr.Field == nil || pr.Field.After == nil {
			continue
		}
		c := candidate{pr: pr, ev: repairEvidence{Change: drift.KindRenamed, DiffScore: pr.Change.Score}}
		ev := pr.Evidence
		c.ev.Diff = &ev
		r.combine(&c, pr.Field.After.Source, pr.Field.Target, views, matchErr)
		out = append(out, c)
		used[pr.Field.After.Source] = true
		handled[pr.Field.Target] = true
	}
	for _, ch := range d.Diff.Changes {
		if ch.Kind != drift.KindRemoved || len(ch.Targets) == 0 {
			continue
		}
		for _, target := range ch.Targets {
			if handled[target] {
				continue
			}
			before, ok := base.Field(target)
			if !ok {
				continue
			}
			handled[target] = true
			out = append(out, r.successor(ch, before, views, matchErr))
			if after := out[len(out)-1].pr.Field.After; after != nil {
				used[after.Source] = true
			}
		}
	}
	// Added fields: a target the matcher maps them to that is free, or whose
	// source is gone.
	present := map[string]bool{}
	for _, f := range d.New.Schema.Fields {
		present[strings.TrimSpace(f.Name)] = true
	}
	for _, ch := range d.Diff.Changes {
		if ch.Kind != drift.KindAdded || used[ch.Field] {
			continue
		}
		fm, ok := views[ch.Field]
		if !ok || !fm.Decision.Mapped() || fm.CanonicalField == "" || handled[fm.CanonicalField] {
			continue
		}
		var before *canonical.FieldMapping
		if cur, ok := base.Field(fm.CanonicalField); ok {
			if present[sourceHead(cur.Source)] {
				continue // the target is taken by a field that is still there
			}
			before = &cur
		}
		after := canonical.FieldMapping{Source: ch.Field, Target: fm.CanonicalField, Confidence: fm.Confidence, Origin: canonical.OriginAuto}
		c := candidate{
			pr: drift.Proposal{Object: d.Object, Change: ch, Field: &drift.FieldChange{Target: fm.CanonicalField, Before: before, After: &after},
				Confidence: fm.Confidence, Evidence: drift.Evidence{TypeCompatible: fm.Evidence.TypeCompatible}},
			ev: repairEvidence{Change: drift.KindAdded, Matcher: &matcherView{CanonicalField: fm.CanonicalField, Confidence: fm.Confidence,
				Decision: fm.Decision, Agrees: true, Evidence: fm.Evidence}, Confidence: fm.Confidence, Combined: "the matcher's confidence for the added field"},
		}
		handled[fm.CanonicalField] = true
		used[ch.Field] = true
		out = append(out, c)
	}
	return out
}

// successor proposes the repair of a removed mapped field: its best
// rename candidate, or, without any, to stop mapping the target.
func (r *AutoRepairer) successor(ch drift.Change, before canonical.FieldMapping, views map[string]schemamatch.FieldMatch, matchErr error) candidate {
	target := before.Target
	if len(ch.Candidates) == 0 {
		reason := fmt.Sprintf("field %q was removed and no other field holds its values", ch.Field)
		if ch.Required {
			reason += fmt.Sprintf("; %q is required, so a person must map it from another field", target)
		}
		return candidate{
			pr: drift.Proposal{Change: ch, Field: &drift.FieldChange{Target: target, Before: &before},
				Confidence: r.opts.Policy.Review},
			ev: repairEvidence{Change: drift.KindRemoved, Confidence: r.opts.Policy.Review, Combined: reason},
		}
	}
	// Candidates within the rename margin of the best are rivals; the
	// matcher's agreement picks among them.
	best := ch.Candidates[0]
	var rivals []drift.Candidate
	for _, cd := range ch.Candidates {
		if cd.Score >= best.Score-drift.RenameMargin {
			rivals = append(rivals, cd)
		}
	}
	for _, cd := range rivals {
		if v, ok := views[cd.Field]; ok && v.CanonicalField == target && v.Decision.Mapped() {
			best = cd
			break
		}
	}
	sum := 0.0
	names := make([]string, 0, len(ch.Candidates))
	for _, cd := range rivals {
		sum += cd.Score
	}
	for _, cd := range ch.Candidates {
		names = append(names, cd.Field)
	}
	share := 1.0
	if sum > 0 {
		share = best.Score / sum
	}
	after := before
	after.Source = best.Field
	after.Origin = canonical.OriginAuto
	ev := best.Evidence
	c := candidate{
		pr: drift.Proposal{Change: ch, Field: &drift.FieldChange{Target: target, Before: &before, After: &after},
			Confidence: best.Score * math.Sqrt(share), Evidence: ev},
		ev:        repairEvidence{Change: drift.KindRemoved, Diff: &ev, DiffScore: best.Score, Candidates: names, Ambiguous: true},
		ambiguous: true,
	}
	r.combine(&c, best.Field, target, views, matchErr)
	c.ev.Combined = fmt.Sprintf("diff score %.2f shared with %d close candidates (share %.2f); %s", best.Score, len(rivals), share, c.ev.Combined)
	return c
}

// combine adjusts a proposal's confidence with the matcher's view of its
// new source field: agreement raises it (1-(1-c)(1-m/2)), a confident
// disagreement lowers it (c(1-m/4)); the same-record evidence of the diff
// keeps the larger weight either way.
func (r *AutoRepairer) combine(c *candidate, field, target string, views map[string]schemamatch.FieldMatch, matchErr error) {
	conf := c.pr.Confidence
	if matchErr != nil {
		c.ev.MatcherError = matchErr.Error()
	}
	fm, ok := views[field]
	switch {
	case !ok || fm.CanonicalField == "":
		c.ev.Combined = "the diff's evidence alone"
	case fm.CanonicalField == target:
		conf = 1 - (1-conf)*(1-fm.Confidence/2)
		c.ev.Combined = "the diff's evidence, raised by the matcher's agreement"
	case fm.Decision.Mapped():
		conf *= 1 - fm.Confidence/4
		c.ev.Combined = fmt.Sprintf("the diff's evidence, lowered: the matcher maps %q to %q", field, fm.CanonicalField)
	default:
		c.ev.Combined = "the diff's evidence; the matcher has no confident view"
	}
	if ok && fm.CanonicalField != "" {
		c.ev.Matcher = &matcherView{CanonicalField: fm.CanonicalField, Confidence: fm.Confidence, Decision: fm.Decision,
			Agrees: fm.CanonicalField == target, Evidence: fm.Evidence}
		c.pr.Evidence.TypeCompatible = c.pr.Evidence.TypeCompatible || fm.Evidence.TypeCompatible
	}
	conf = math.Round(math.Max(0, math.Min(1, conf))*1000) / 1000
	c.pr.Confidence = conf
	c.ev.Confidence = conf
}

// apply stores the auto-applied repairs as one new mapping version.
func (r *AutoRepairer) apply(ctx context.Context, req RepairRequest, next canonical.Mapping, applied []*candidate) (MappingVersion, error) {
	parts := make([]string, 0, len(applied))
	evs := make([]proposalEvidence, 0, len(applied))
	for _, c := range applied {
		parts = append(parts, describe(c.pr))
		evs = append(evs, proposalEvidence{Target: c.pr.Field.Target, Source: sourceOf(c.pr.Field.After), repairEvidence: c.ev})
	}
	evidence, err := json.Marshal(map[string]any{"drift_event_id": req.Event.ID, "repairs": evs})
	if err != nil {
		return MappingVersion{}, fmt.Errorf("encode evidence: %w", err)
	}
	next.Version = req.Mapping.Version + 1
	v, err := r.store.PutMapping(ctx, req.TenantID, PutMapping{
		MappingKey:      req.Mapping.MappingKey,
		ExpectedVersion: req.Mapping.Version,
		Mapping:         next,
		Author:          RepairAuthor,
		Reason:          fmt.Sprintf("automatic repair of drift %s: %s", req.Event.ID, strings.Join(parts, "; ")),
		Evidence:        evidence,
	})
	if err != nil {
		return MappingVersion{}, err
	}
	r.opts.Logger.InfoContext(ctx, "aam: repair applied", "tenant", req.TenantID, "object", req.Mapping.Object, "version", v.Version, "repairs", strings.Join(parts, "; "))
	return v, nil
}

// proposalEvidence is one applied repair in a mapping version's evidence.
type proposalEvidence struct {
	Target string `json:"target"`
	Source string `json:"source"`
	repairEvidence
}

// supersede marks the pending repair proposals of the object for the
// targets this repair answers as superseded.
func (r *AutoRepairer) supersede(ctx context.Context, req RepairRequest, cands []candidate) error {
	targets := map[string]bool{}
	for _, c := range cands {
		targets[c.pr.Field.Target] = true
	}
	pending, err := r.store.Proposals(ctx, req.TenantID, StatusPending)
	if err != nil {
		return err
	}
	for _, p := range pending {
		if p.ConnectionID != req.Connection.ID || p.Object != req.Mapping.Object || p.Kind != ProposalRepair || !targets[p.Target] {
			continue
		}
		_, err := r.store.DecideProposal(ctx, req.TenantID, p.ID, ProposalDecision{Status: StatusSuperseded, By: RepairAuthor,
			Reason: fmt.Sprintf("superseded by drift %s", req.Event.ID)})
		if err != nil && !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return nil
}

// record stores one decided proposal in the review queue.
func (r *AutoRepairer) record(ctx context.Context, req RepairRequest, c candidate, version int) error {
	evidence, err := json.Marshal(c.ev)
	if err != nil {
		return fmt.Errorf("encode evidence: %w", err)
	}
	p := Proposal{
		ID: uuid.New(), ConnectionID: req.Connection.ID, Object: req.Mapping.Object, DriftEventID: req.Event.ID,
		Kind: ProposalRepair, Change: string(c.ev.Change), SourceField: sourceOf(c.pr.Field.After),
		Target: c.pr.Field.Target, Entity: req.Mapping.Mapping.Entity, Confidence: c.pr.Confidence,
		Decision: string(c.pr.Decision), Evidence: evidence, BaseVersion: req.Mapping.Version,
		Reason: reasonOf(c), CreatedAt: r.opts.Now().UTC(),
	}
	if c.pr.Field.Before != nil {
		p.PreviousSource = c.pr.Field.Before.Source
	}
	switch c.pr.Decision {
	case drift.DecisionAuto:
		p.Status, p.AppliedVersion, p.DecidedBy, p.DecidedAt = StatusApplied, version, RepairAuthor, p.CreatedAt
	case drift.DecisionReview:
		p.Status = StatusPending
	default:
		p.Status, p.DecidedBy, p.DecidedAt = StatusRejected, RepairAuthor, p.CreatedAt
	}
	_, err = r.store.AddProposal(ctx, req.TenantID, p)
	return err
}

// reasonOf says what a proposal does and why it has its decision.
func reasonOf(c candidate) string {
	what := describe(c.pr)
	if c.pr.Field.After == nil {
		what = c.ev.Combined
	}
	return strings.TrimSuffix(what+": "+c.pr.DecisionReason, ": ")
}

func sourceOf(fm *canonical.FieldMapping) string {
	if fm == nil {
		return ""
	}
	return fm.Source
}

// describe says what a proposal does, in a few words.
func describe(pr drift.Proposal) string {
	fc := pr.Field
	switch {
	case fc.After == nil:
		return fmt.Sprintf("stop mapping %s (confidence %.2f)", fc.Target, pr.Confidence)
	case fc.Before == nil:
		return fmt.Sprintf("map %s from %s (confidence %.2f)", fc.Target, fc.After.Source, pr.Confidence)
	}
	return fmt.Sprintf("map %s from %s instead of %s (confidence %.2f)", fc.Target, fc.After.Source, fc.Before.Source, pr.Confidence)
}

// sourceHead is the top-level field a mapping source reads ("Owner.id"
// reads "Owner").
func sourceHead(source string) string {
	head, _, _ := strings.Cut(source, ".")
	return head
}

// validMapping checks what Mesh.PutMapping checks: the mapping compiles and
// maps every required field of its entity.
func validMapping(canon *canonical.Registry, mp canonical.Mapping) error {
	if _, err := canonical.NewMapper(canon, mp, nil); err != nil {
		return err
	}
	missing, err := mp.MissingRequired(canon)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("required %s fields not mapped: %s", mp.Entity, strings.Join(missing, ", "))
	}
	return nil
}
