package dcl

import (
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// unifiedNamespace is the UUIDv5 namespace of unified ids.
var unifiedNamespace = uuid.MustParse("6f1c2a8e-3d4b-5c6d-8e9f-0a1b2c3d4e5f")

// memberKey identifies a source record within a view.
type memberKey struct{ conn, rec string }

// member is one source record taking part in unification.
type member struct {
	key     memberKey
	cluster *cluster
	// accounts
	name, domain, phone, country string
	// contacts
	email, person, accountRef string
}

// cluster is one unified entity: the records believed to be the same.
type cluster struct {
	id      string
	created int64
	members map[memberKey]*member
}

// unifyLog is one recorded unification decision.
type unifyLog struct {
	UnifiedID  string
	Action     string
	Member     memberKey
	Matched    memberKey
	AbsorbedID string
	Keys       []string
	Offset     int64
}

// unifier clusters the records of one entity (account or contact). It is
// deterministic: the same events in the same order give the same clusters
// and ids, whatever the batch boundaries. Not safe for concurrent use; the
// engine serializes writers.
type unifier struct {
	entity   string
	members  map[memberKey]*member
	clusters map[string]*cluster
	index    map[string]map[memberKey]*member
	accounts *unifier // contacts only: resolves account refs

	// per-batch outputs
	dirty          map[memberKey]bool
	newClusters    map[string]*cluster
	removeClusters map[string]bool
	logs           []unifyLog
}

func newUnifier(entity string, accounts *unifier) *unifier {
	u := &unifier{entity: entity, accounts: accounts}
	u.reset()
	return u
}

// reset empties all state.
func (u *unifier) reset() {
	u.members = map[memberKey]*member{}
	u.clusters = map[string]*cluster{}
	u.index = map[string]map[memberKey]*member{}
	u.beginBatch()
}

// beginBatch clears the per-batch outputs.
func (u *unifier) beginBatch() {
	u.dirty = map[memberKey]bool{}
	u.newClusters = map[string]*cluster{}
	u.removeClusters = map[string]bool{}
	u.logs = nil
}

// unifiedID returns the cluster id of a record, or "" if unknown.
func (u *unifier) unifiedID(k memberKey) string {
	if m, ok := u.members[k]; ok {
		return m.cluster.id
	}
	return ""
}

func (u *unifier) indexKeys(m *member) []string {
	var ks []string
	if u.entity == "account" {
		if m.name != "" {
			ks = append(ks, "n:"+m.name)
		}
		if m.domain != "" && m.phone != "" {
			ks = append(ks, "dp:"+m.domain+"|"+m.phone)
		}
	} else {
		if m.email != "" {
			ks = append(ks, "e:"+m.email)
		}
		if m.person != "" {
			ks = append(ks, "p:"+m.person)
		}
	}
	return ks
}

func (u *unifier) addIndex(m *member) {
	for _, k := range u.indexKeys(m) {
		s := u.index[k]
		if s == nil {
			s = map[memberKey]*member{}
			u.index[k] = s
		}
		s[m.key] = m
	}
}

func (u *unifier) removeIndex(m *member) {
	for _, k := range u.indexKeys(m) {
		if s := u.index[k]; s != nil {
			delete(s, m.key)
			if len(s) == 0 {
				delete(u.index, k)
			}
		}
	}
}

// accountCluster returns the unified account a contact belongs to.
func (u *unifier) accountCluster(m *member) string {
	if u.accounts == nil || m.accountRef == "" {
		return ""
	}
	return u.accounts.unifiedID(memberKey{conn: m.key.conn, rec: m.accountRef})
}

// conflicts reports evidence that a and b are different entities.
func (u *unifier) conflicts(a, b *member) bool {
	if u.entity == "account" {
		if a.domain != "" && b.domain != "" && a.domain != b.domain {
			return true
		}
		if a.country != "" && b.country != "" && a.country != b.country {
			return true
		}
		sameDomain := a.domain != "" && a.domain == b.domain
		return a.phone != "" && b.phone != "" && a.phone != b.phone && !sameDomain
	}
	return a.person != "" && b.person != "" && a.person != b.person
}

// matchKeys returns the keys on which a and b match, or nil when they are
// not the same entity. See the package documentation for the rules.
func (u *unifier) matchKeys(a, b *member) []string {
	if u.conflicts(a, b) {
		return nil
	}
	if u.entity == "account" {
		if a.name != "" && a.name == b.name {
			keys := []string{"name"}
			if a.domain != "" && a.domain == b.domain {
				keys = append(keys, "domain")
			}
			if a.phone != "" && a.phone == b.phone {
				keys = append(keys, "phone")
			}
			if a.country != "" && a.country == b.country {
				keys = append(keys, "country")
			}
			if len(keys) > 1 {
				return keys
			}
			return nil
		}
		if a.domain != "" && a.domain == b.domain && a.phone != "" && a.phone == b.phone {
			return []string{"domain", "phone"}
		}
		return nil
	}
	if a.email != "" && a.email == b.email {
		if a.person != "" && a.person == b.person {
			return []string{"email", "name"}
		}
		return []string{"email"}
	}
	if a.person != "" && a.person == b.person && !(a.email != "" && b.email != "") {
		ac := u.accountCluster(a)
		if ac != "" && ac == u.accountCluster(b) {
			return []string{"name", "account"}
		}
	}
	return nil
}

// compatible reports whether no member of c conflicts with any of ms.
func (u *unifier) compatible(c *cluster, ms []*member) bool {
	for _, x := range c.members {
		for _, y := range ms {
			if x != y && u.conflicts(x, y) {
				return false
			}
		}
	}
	return true
}

func sortedMembers(c *cluster) []*member {
	out := make([]*member, 0, len(c.members))
	for _, m := range c.members {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].key.conn != out[j].key.conn {
			return out[i].key.conn < out[j].key.conn
		}
		return out[i].key.rec < out[j].key.rec
	})
	return out
}

// older orders clusters by creation offset, then id.
func older(a, b *cluster) bool {
	if a.created != b.created {
		return a.created < b.created
	}
	return a.id < b.id
}

type clusterMatch struct {
	c    *cluster
	with *member
	keys []string
}

// upsert adds or updates a record at the given stream offset.
func (u *unifier) upsert(m *member, offset int64) {
	old, exists := u.members[m.key]
	if exists {
		u.removeIndex(old)
		old.name, old.domain, old.phone, old.country = m.name, m.domain, m.phone, m.country
		old.email, old.person, old.accountRef = m.email, m.person, m.accountRef
		m = old
	}
	u.addIndex(m)

	// candidate members, via the index, in a deterministic order
	seen := map[memberKey]bool{}
	var cands []*member
	for _, k := range u.indexKeys(m) {
		for ck, c := range u.index[k] {
			if ck != m.key && !seen[ck] {
				seen[ck] = true
				cands = append(cands, c)
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.cluster != b.cluster {
			return older(a.cluster, b.cluster)
		}
		if a.key.conn != b.key.conn {
			return a.key.conn < b.key.conn
		}
		return a.key.rec < b.key.rec
	})
	var matches []clusterMatch
	for _, c := range cands {
		if exists && c.cluster == m.cluster {
			continue
		}
		if len(matches) > 0 && matches[len(matches)-1].c == c.cluster {
			continue
		}
		keys := u.matchKeys(m, c)
		if keys == nil || !u.compatible(c.cluster, []*member{m}) {
			continue
		}
		matches = append(matches, clusterMatch{c: c.cluster, with: c, keys: keys})
	}

	if !exists {
		u.members[m.key] = m
		if len(matches) == 0 {
			c := &cluster{
				id:      uuid.NewSHA1(unifiedNamespace, []byte(u.entity+"\x00"+m.key.conn+"\x00"+m.key.rec+"\x00"+strconv.FormatInt(offset, 10))).String(),
				created: offset,
				members: map[memberKey]*member{m.key: m},
			}
			m.cluster = c
			u.clusters[c.id] = c
			u.newClusters[c.id] = c
			u.dirty[m.key] = true
			u.logs = append(u.logs, unifyLog{UnifiedID: c.id, Action: "new", Member: m.key, Offset: offset})
			return
		}
		first := matches[0]
		m.cluster = first.c
		first.c.members[m.key] = m
		u.dirty[m.key] = true
		u.logs = append(u.logs, unifyLog{UnifiedID: first.c.id, Action: "join", Member: m.key, Matched: first.with.key, Keys: first.keys, Offset: offset})
		matches = matches[1:]
	}
	// merge the remaining matching clusters (and, for an update, the
	// record's own cluster) into the oldest of them, when no members
	// conflict.
	for _, mt := range matches {
		a, b := m.cluster, mt.c
		if !u.compatible(a, sortedMembers(b)) {
			continue
		}
		if older(b, a) {
			a, b = b, a
		}
		for k, x := range b.members {
			x.cluster = a
			a.members[k] = x
			u.dirty[k] = true
		}
		delete(u.clusters, b.id)
		if u.newClusters[b.id] != nil {
			delete(u.newClusters, b.id)
		} else {
			u.removeClusters[b.id] = true
		}
		u.logs = append(u.logs, unifyLog{UnifiedID: a.id, Action: "merge", Member: m.key, Matched: mt.with.key, AbsorbedID: b.id, Keys: mt.keys, Offset: offset})
	}
}

// remove deletes a record; its cluster lives on while it has members.
func (u *unifier) remove(k memberKey, offset int64) {
	m, ok := u.members[k]
	if !ok {
		return
	}
	u.removeIndex(m)
	delete(u.members, k)
	delete(u.dirty, k)
	c := m.cluster
	delete(c.members, k)
	u.logs = append(u.logs, unifyLog{UnifiedID: c.id, Action: "leave", Member: k, Offset: offset})
	if len(c.members) == 0 {
		delete(u.clusters, c.id)
		if u.newClusters[c.id] != nil {
			delete(u.newClusters, c.id)
		} else {
			u.removeClusters[c.id] = true
		}
	}
}

// memberFromData builds the comparison attributes of a record from its
// event data.
func (u *unifier) memberFromData(k memberKey, data map[string]any) *member {
	str := func(f string) string {
		if s, ok := data[f].(string); ok {
			return s
		}
		return ""
	}
	m := &member{key: k}
	if u.entity == "account" {
		m.name = NormalizeName(str("account_name"))
		m.domain = NormalizeDomain(str("website"))
		m.phone = NormalizePhone(str("phone"))
		m.country = strings.ToUpper(strings.TrimSpace(str("billing_country")))
	} else {
		m.email = NormalizeEmail(str("email"))
		m.person = NormalizePerson(str("first_name"), str("last_name"))
		m.accountRef = str("account_id")
	}
	return m
}
