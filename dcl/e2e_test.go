package dcl_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
)

// twoSources is a Salesforce-like and a HubSpot-like source with
// accounts, contacts and deals, some of them the same companies and
// people.
type twoSources struct {
	sf, hs *source
}

func newTwoSources(t *testing.T) *twoSources {
	t.Helper()
	sf := newSource(t, "salesforce",
		canonical.Mapping{Entity: "account", Object: "Account", Version: 2, Fields: []canonical.FieldMapping{
			fm("Id", "account_id"), fm("Name", "account_name"), fm("Website", "website"), fm("Phone", "phone"),
			fm("BillingCountry", "billing_country"), fm("AnnualRevenue", "annual_revenue"), fm("NumberOfEmployees", "employee_count"),
			fm("CreatedDate", "created_at"),
		}},
		canonical.Mapping{Entity: "contact", Object: "Contact", Version: 1, Fields: []canonical.FieldMapping{
			fm("Id", "contact_id"), fm("AccountId", "account_id"), fm("FirstName", "first_name"), fm("LastName", "last_name"), fm("Email", "email"),
		}},
		canonical.Mapping{Entity: "opportunity", Object: "Opportunity", Version: 1, Fields: []canonical.FieldMapping{
			fm("Id", "opportunity_id"), fm("AccountId", "account_id"), fm("Name", "opportunity_name"), fm("Amount", "amount"),
			fm("StageName", "stage"), fm("Probability", "probability"), fm("CloseDate", "close_date"), fm("IsClosed", "is_closed"), fm("IsWon", "is_won"),
		}},
	)
	hs := newSource(t, "hubspot",
		canonical.Mapping{Entity: "account", Object: "companies", Version: 1, Fields: []canonical.FieldMapping{
			fm("hs_object_id", "account_id"), fm("name", "account_name"), fm("domain", "website"), fm("phone", "phone"), fm("country", "billing_country"),
		}},
		canonical.Mapping{Entity: "contact", Object: "contacts", Version: 1, Fields: []canonical.FieldMapping{
			fm("hs_object_id", "contact_id"), fm("associatedcompanyid", "account_id"), fm("firstname", "first_name"), fm("lastname", "last_name"), fm("email", "email"),
		}},
		canonical.Mapping{Entity: "opportunity", Object: "deals", Version: 4, Fields: []canonical.FieldMapping{
			fm("hs_object_id", "opportunity_id"), fm("company", "account_id"), fm("dealname", "opportunity_name"), fm("amount", "amount"),
			fm("dealstage", "stage"), fm("closedate", "close_date"),
		}},
	)
	return &twoSources{sf: sf, hs: hs}
}

// load appends the first wave of both sources to the stream.
func (s *twoSources) load(t *testing.T, f *fixture) {
	t.Helper()
	f.src.Append(f.tenant, s.sf.events(t, f.tenant, "Account", `
Id,Name,Website,Phone,BillingCountry,AnnualRevenue,NumberOfEmployees,CreatedDate
001A,"Acme, Inc.",https://www.acme.com/about,+1 415 555 0100,US,1200000.50,250,2024-01-15T10:00:00Z
001B,Globex Corporation,globex.com,+1 212 555 0199,US,,,2024-02-01T09:30:00Z
001C,Initech LLC,,,United States,,,
001D,Acme Analytics,acme-analytics.io,,US,,,
`, "")...)
	f.src.Append(f.tenant, s.sf.events(t, f.tenant, "Contact", `
Id,AccountId,FirstName,LastName,Email
003A,001A,Jane,Doe,jane.doe@acme.com
003B,001B,John,Smith,john@globex.com
003C,001A,Bob,Stone,
`, "")...)
	f.src.Append(f.tenant, s.sf.events(t, f.tenant, "Opportunity", `
Id,AccountId,Name,Amount,StageName,Probability,CloseDate,IsClosed,IsWon
006A,001A,Acme renewal,50000,Negotiation,60%,2024-07-15,false,false
006B,001B,Globex expansion,1234.56,Closed Won,100,2024-05-02,true,true
`, "")...)
	f.src.Append(f.tenant, s.hs.events(t, f.tenant, "companies", `
hs_object_id,name,domain,phone,country
9001,ACME Inc,acme.com,(415) 555-0100,United States
9002,Globex,globex.co.uk,,United Kingdom
9003,Initech,,,USA
9004,Umbrella Corp,umbrella.com,,
`, "")...)
	f.src.Append(f.tenant, s.hs.events(t, f.tenant, "contacts", `
hs_object_id,associatedcompanyid,firstname,lastname,email
7001,9001,Jane,Doe,JANE.DOE@acme.com
7002,9001,Bob,Stone,
7003,9002,John,Smith,
`, "")...)
	f.src.Append(f.tenant, s.hs.events(t, f.tenant, "deals", `
hs_object_id,company,dealname,amount,dealstage,closedate
5001,9004,Umbrella pilot,"$12,500.00",appointmentscheduled,07/30/2024
`, "")...)
}

// second appends updates and a delete.
func (s *twoSources) second(t *testing.T, f *fixture) {
	t.Helper()
	f.src.Append(f.tenant, s.sf.events(t, f.tenant, "Account", `
Id,Name,Website,Phone,BillingCountry,AnnualRevenue,NumberOfEmployees,CreatedDate
001B,Globex Corp.,globex.com,+1 212 555 0199,US,5000000,80,2024-02-01T09:30:00Z
`, "")...)
	f.src.Append(f.tenant, s.hs.events(t, f.tenant, "deals", `
hs_object_id,company,dealname,amount,dealstage,closedate
5001,9004,Umbrella pilot,"$12,500.00",appointmentscheduled,07/30/2024
`, canonical.OpDelete)...)
}

func byRecord(rows []dcl.Row) map[string]dcl.Row {
	out := map[string]dcl.Row{}
	for _, r := range rows {
		out[r[dcl.ColRecordID].(string)] = r
	}
	return out
}

func TestEndToEndTwoSources(t *testing.T) {
	t.Parallel()
	f := setup(t, &dcl.Options{BatchSize: 4})
	s := newTwoSources(t)
	s.load(t, f)
	res, err := f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	require.Equal(t, 17, res.Events)
	require.Equal(t, int64(17), res.Offset)
	require.Equal(t, 5, res.Batches) // 17 events in batches of 4

	accounts := byRecord(dump(t, f.ctx, f.eng, "accounts"))
	require.Len(t, accounts, 8)
	a := accounts["001A"]
	require.Equal(t, "Acme, Inc.", a["account_name"])
	require.Equal(t, "https://www.acme.com/about", a["website"])
	require.Equal(t, "+14155550100", a["phone"])
	require.Equal(t, "US", a["billing_country"])
	require.True(t, decimal.RequireFromString("1200000.5").Equal(a["annual_revenue"].(decimal.Decimal)))
	require.Equal(t, int64(250), a["employee_count"])
	require.Equal(t, time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC), a["created_at"])
	require.Equal(t, "salesforce", a[dcl.ColSourceSystem])
	require.Equal(t, "Account", a[dcl.ColSourceObject])
	require.Equal(t, int64(2), a[dcl.ColMappingVersion])
	require.Equal(t, int64(1), a[dcl.ColOffset])
	require.Equal(t, "+14155550100", accounts["9001"]["phone"]) // region from the country
	require.Equal(t, "US", accounts["9003"]["billing_country"])

	uid := func(rec string) string { return accounts[rec][dcl.ColUnifiedID].(string) }
	// same company in both sources: name + domain + phone
	require.Equal(t, uid("001A"), uid("9001"))
	// same name, country agrees, nothing conflicts
	require.Equal(t, uid("001C"), uid("9003"))
	// near misses that must not merge: same name but another domain and
	// country; a name that only starts the same with the same domain root
	require.NotEqual(t, uid("001B"), uid("9002"))
	require.NotEqual(t, uid("001A"), uid("001D"))
	require.NotEqual(t, uid("9004"), uid("001A"))
	distinct := map[string]bool{}
	for _, r := range accounts {
		distinct[r[dcl.ColUnifiedID].(string)] = true
	}
	require.Len(t, distinct, 6)

	// the merge is explained
	dec, err := f.eng.Explain(f.ctx, "account", uid("001A"))
	require.NoError(t, err)
	require.Len(t, dec, 2)
	require.Equal(t, "new", dec[0].Action)
	require.Equal(t, "001A", dec[0].RecordID)
	require.Equal(t, "join", dec[1].Action)
	require.Equal(t, "9001", dec[1].RecordID)
	require.Equal(t, "001A", dec[1].MatchedRecordID)
	require.Equal(t, []string{"name", "domain", "phone", "country"}, dec[1].MatchedKeys)

	contacts := byRecord(dump(t, f.ctx, f.eng, "contacts"))
	require.Len(t, contacts, 6)
	cid := func(rec string) string { return contacts[rec][dcl.ColUnifiedID].(string) }
	require.Equal(t, "jane.doe@acme.com", contacts["7001"]["email"])
	require.Equal(t, cid("003A"), cid("7001")) // e-mail
	require.Equal(t, cid("003C"), cid("7002")) // name + unified account
	// same name, but the accounts are different companies
	require.NotEqual(t, cid("003B"), cid("7003"))
	dec, err = f.eng.Explain(f.ctx, "contact", cid("7002"))
	require.NoError(t, err)
	require.Equal(t, []string{"name", "account"}, dec[len(dec)-1].MatchedKeys)

	opps := byRecord(dump(t, f.ctx, f.eng, "opportunities"))
	require.Len(t, opps, 3)
	o := opps["5001"]
	require.True(t, decimal.NewFromInt(12500).Equal(o["amount"].(decimal.Decimal)))
	require.Equal(t, canonical.CivilDate{Year: 2024, Month: 7, Day: 30}, o["close_date"])
	require.Equal(t, "hubspot", o[dcl.ColSourceSystem])
	require.True(t, decimal.NewFromInt(60).Equal(opps["006A"]["probability"].(decimal.Decimal)))
	require.Equal(t, true, opps["006B"]["is_won"])
	require.True(t, decimal.RequireFromString("1234.56").Equal(opps["006B"]["amount"].(decimal.Decimal)))

	// updates and deletes
	s.second(t, f)
	res, err = f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	require.Equal(t, 2, res.Events)
	require.Equal(t, 1, res.Deletes)
	accounts = byRecord(dump(t, f.ctx, f.eng, "accounts"))
	require.Equal(t, "Globex Corp.", accounts["001B"]["account_name"])
	require.Equal(t, int64(80), accounts["001B"]["employee_count"])
	require.Equal(t, uid("001B"), accounts["001B"][dcl.ColUnifiedID]) // stable across updates
	opps = byRecord(dump(t, f.ctx, f.eng, "opportunities"))
	require.Len(t, opps, 2)
	require.NotContains(t, opps, "5001")

	// a sync with nothing new does nothing
	res, err = f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	require.Zero(t, res.Events)

	before := map[string][]dcl.Row{}
	for _, v := range f.eng.Views() {
		before[v.Name] = dump(t, f.ctx, f.eng, v.Name)
	}
	explainBefore, err := f.eng.Explain(f.ctx, "account", uid("001A"))
	require.NoError(t, err)

	// rebuild: drop the file, replay the stream; identical views and ids
	res, err = f.eng.Rebuild(f.ctx, f.src)
	require.NoError(t, err)
	require.Equal(t, 19, res.Events)
	for _, v := range f.eng.Views() {
		require.Equal(t, before[v.Name], dump(t, f.ctx, f.eng, v.Name), "view %s", v.Name)
	}
	explainAfter, err := f.eng.Explain(f.ctx, "account", uid("001A"))
	require.NoError(t, err)
	require.Equal(t, explainBefore, explainAfter)

	// another engine of the same tenant in another directory, fed one event
	// per batch, reaches the same state: ids do not depend on batching
	other, err := dcl.Open(f.ctx, t.TempDir(), f.tenant, &dcl.Options{BatchSize: 1})
	require.NoError(t, err)
	defer func() { require.NoError(t, other.Close()) }()
	_, err = other.Sync(f.ctx, f.src)
	require.NoError(t, err)
	for _, v := range other.Views() {
		require.Equal(t, before[v.Name], dump(t, f.ctx, other, v.Name), "view %s", v.Name)
	}

	// reopening the file restores the unification state: a new record
	// joins an existing cluster
	require.NoError(t, other.Close())
	other, err = dcl.Open(f.ctx, f.dir, f.tenant, nil)
	require.NoError(t, err)
	f.src.Append(f.tenant, s.hs.events(t, f.tenant, "companies", `
hs_object_id,name,domain,phone,country
9005,Globex Corporation,https://globex.com,,US
`, "")...)
	require.NoError(t, f.eng.Close())
	_, err = other.Sync(f.ctx, f.src)
	require.NoError(t, err)
	accounts = byRecord(dump(t, f.ctx, other, "accounts"))
	require.Equal(t, uid("001B"), accounts["9005"][dcl.ColUnifiedID])
}

func TestUnifyMergesClustersAndKeepsOlderID(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	s := newTwoSources(t)
	// two records that do not match each other (no corroborating key),
	// then a third that matches both: the clusters merge into the older
	f.src.Append(f.tenant, s.sf.events(t, f.tenant, "Account", `
Id,Name,Website,Phone,BillingCountry
A1,Hooli,,+1 650 555 0000,
`, "")...)
	f.src.Append(f.tenant, s.hs.events(t, f.tenant, "companies", `
hs_object_id,name,domain,phone,country
H1,Hooli Inc,hooli.com,,
H2,Hooli,hooli.com,+1 650 555 0000,
`, "")...)
	_, err := f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	acc := byRecord(dump(t, f.ctx, f.eng, "accounts"))
	first := acc["A1"][dcl.ColUnifiedID]
	require.Equal(t, first, acc["H1"][dcl.ColUnifiedID])
	require.Equal(t, first, acc["H2"][dcl.ColUnifiedID])
	dec, err := f.eng.Explain(f.ctx, "account", first.(string))
	require.NoError(t, err)
	var actions []string
	for _, d := range dec {
		actions = append(actions, d.Action)
	}
	require.Equal(t, []string{"new", "new", "join", "merge"}, actions)
	require.Equal(t, []string{"name", "domain"}, dec[3].MatchedKeys)
}
