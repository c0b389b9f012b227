package rag

import "strings"

// A phrase starting with "~" is weak: a common word that names the field
// only when nothing more specific is there, so its matches count 0.9.
//
// The domain lexicon: how CRMs (Salesforce, HubSpot, Dynamics, Pipedrive,
// Zoho), billing systems (Stripe, Chargebee, Zuora, QuickBooks, Xero,
// NetSuite) and cloud cost exports (FOCUS, AWS CUR, Azure, GCP) name the
// canonical fields. Phrases are plain words; they go through the same
// tokenizer as source names, so "created date" also covers "CreatedDate",
// "created_date" and "createddate".

// genericSynonyms apply to a canonical field of that name in any entity.
var genericSynonyms = map[string][]string{
	"created_at": {"created at", "created", "created date", "create date", "creation date", "created time",
		"created on", "date created", "creation time", "create time", "add time", "added at", "date added",
		"created timestamp", "inserted at", "date entered", "created datetime", "creation timestamp", "created date time"},
	"updated_at": {"updated at", "updated", "last modified date", "last modified", "modified", "modified date",
		"modified on", "last updated", "date modified", "last modified time", "update time", "updated time",
		"last update", "last updated at", "modified time", "changed at", "updated date", "last modified at",
		"last modified timestamp", "last changed", "update date", "last update date", "updated on"},
	"owner_id": {"owner id", "owner", "record owner", "hubspot owner id", "assigned to", "assigned user id",
		"assigned user", "sales rep", "owner user id", "user id", "owner name", "assigned to id", "sales owner"},
	"currency": {"currency", "currency code", "currency iso code", "iso currency code", "transaction currency",
		"deal currency code", "currency type", "currency ref"},
	"account_id": {"account id", "account", "company id", "organization id", "org id",
		"customer id", "customer", "associated company id", "parent customer id", "client id",
		"account ref", "company ref", "account name id", "customer account id"},
	"phone": {"phone", "phone number", "business phone", "work phone", "office phone", "telephone",
		"direct phone", "main phone", "primary phone", "phone main"},
	"lead_source": {"lead source", "~source", "original source", "lead origin", "~channel", "acquisition channel",
		"lead channel", "analytics source", "source channel", "origin"},
	"description": {"description", "about", "~summary", "~notes", "~note", "~background", "~details", "~comments"},
}

// entitySynonyms are the names of one entity's fields.
var entitySynonyms = map[string]map[string][]string{
	"account": {
		"account_id":   {"id", "account id", "company id", "organization id", "record id", "object id", "key", "customer id", "hs object id", "uuid"},
		"account_name": {"name", "account name", "company name", "organization name", "business name", "legal name", "display name", "customer name", "~company", "~organization", "registered name", "trading name"},
		"industry":     {"industry", "industry code", "sector", "vertical", "industry type", "industry name", "business sector"},
		"account_type": {"type", "account type", "company type", "customer type", "customer type code", "relationship type", "~classification", "account category", "customer category", "account classification"},
		"website":      {"website", "website url", "web site", "~url", "domain", "homepage", "company domain", "domain name", "company website", "web address", "~site"},
		"phone":        {"phone", "phone number", "main phone", "business phone", "office phone", "company phone", "telephone", "switchboard"},
		"annual_revenue": {"annual revenue", "revenue", "yearly revenue", "turnover", "annual turnover", "sales revenue",
			"total revenue", "annual sales", "revenue amount"},
		"employee_count": {"employee count", "number of employees", "employees", "~employee", "headcount", "head count", "staff count",
			"company size", "employee number", "number employees", "total employees", "size", "workforce", "staff"},
		"billing_street": {"billing street", "street", "street address", "address", "address line", "billing address",
			"billing address line", "address street", "billing street address", "street line", "line", "billing line"},
		"billing_city":  {"billing city", "city", "town", "address city", "billing address city", "billing town", "locality", "address locality"},
		"billing_state": {"billing state", "state", "province", "state or province", "address state", "billing province", "state code", "billing state code", "billing address state", "state province", "county"},
		"billing_postal_code": {"billing postal code", "postal code", "zip", "zip code", "post code", "billing zip", "billing zip code",
			"address postal code", "billing address postal code", "postal", "billing post code"},
		"billing_country": {"billing country", "country", "country code", "address country", "nation", "billing country code", "billing address country", "country name"},
		"parent_account_id": {"parent id", "parent account id", "parent account", "parent company", "parent company id",
			"parent organization", "parent", "parent organization id", "parent customer id", "ultimate parent id"},
		"owner_id":    {"account owner", "account owner id", "account manager", "account manager id"},
		"description": {"company description", "about us", "account description"},
	},
	"contact": {
		"contact_id":      {"id", "contact id", "person id", "record id", "object id", "vid", "key", "hs object id", "people id", "uuid"},
		"account_id":      {"account name", "company name", "parent customer", "employer", "organization name"},
		"first_name":      {"first name", "given name", "forename", "first", "firstname"},
		"last_name":       {"last name", "surname", "family name", "last", "lastname"},
		"email":           {"email", "email address", "primary email", "work email", "business email", "email id", "contact email", "email primary"},
		"mobile_phone":    {"mobile phone", "mobile", "cell phone", "mobile number", "cell", "mobile phone number", "cell number", "mobile tel", "personal phone"},
		"title":           {"title", "job title", "~position", "~role", "designation", "job role", "job position", "~job"},
		"department":      {"department", "division", "team", "business unit", "dept name", "department name"},
		"mailing_city":    {"mailing city", "city", "address city", "mailing address city", "home city", "town", "locality"},
		"mailing_country": {"mailing country", "country", "address country", "country code", "mailing address country", "country name", "nation"},
	},
	"opportunity": {
		"opportunity_id":    {"id", "opportunity id", "deal id", "record id", "object id", "key", "hs object id", "uuid"},
		"account_id":        {"account name", "company name", "customer name", "associated company", "org", "organization name", "potential account"},
		"opportunity_name":  {"name", "opportunity name", "deal name", "~title", "deal title", "~subject", "~topic", "potential name"},
		"amount":            {"amount", "deal amount", "opportunity amount", "~value", "deal value", "opportunity value", "estimated value", "est value", "deal size", "contract value", "total contract value", "amount in company currency"},
		"stage":             {"stage", "stage name", "deal stage", "sales stage", "pipeline stage", "stage id", "sales stage code", "step name", "opportunity stage"},
		"probability":       {"probability", "win probability", "close probability", "deal probability", "probability percent", "closing probability", "likelihood", "chance", "win chance", "deal stage probability"},
		"close_date":        {"close date", "expected close date", "closing date", "estimated close date", "actual close date", "close time", "closed date", "expected close", "close on", "est close date", "estimated close"},
		"is_closed":         {"is closed", "closed", "closed flag", "is closed lost"},
		"is_won":            {"is won", "won", "closed won", "is closed won", "won flag"},
		"forecast_category": {"forecast category", "forecast category name", "forecast", "forecast status", "forecast category code", "forecast type"},
		"opportunity_type":  {"type", "opportunity type", "deal type", "business type", "sales type", "opportunity category"},
	},
	"invoice": {
		"invoice_id":     {"id", "invoice id", "record id", "object id", "key", "invoice key", "internal id", "uuid", "bill id"},
		"account_id":     {"account id", "account", "customer account id", "client id", "client", "customer", "customer id", "customer ref", "customer reference", "bill to", "bill to customer", "billed customer", "entity", "subscriber id", "customer account", "contact id", "payer id"},
		"invoice_number": {"number", "invoice number", "doc number", "document number", "reference number", "tran id", "invoice code", "display number", "invoice num"},
		"total_amount":   {"total", "total amount", "~amount", "invoice total", "grand total", "amount total", "total including tax", "total incl tax", "gross amount", "invoice amount", "total gross"},
		"amount_due":     {"amount due", "balance", "balance due", "amount remaining", "outstanding amount", "amount outstanding", "open balance", "remaining amount", "due amount", "unpaid amount", "outstanding", "remaining balance"},
		"amount_paid":    {"amount paid", "paid amount", "total paid", "amount received", "payment amount", "payments total", "amount credited", "paid total"},
		"status":         {"status", "invoice status", "~state", "invoice state", "payment state"},
		"issue_date":     {"issue date", "invoice date", "~date", "issued at", "issued on", "document date", "transaction date", "txn date", "tran date", "bill date", "posted date", "date issued", "invoice issue date", "posting date"},
		"due_date":       {"due date", "payment due date", "due", "due on", "date due", "due at", "due by", "payment due"},
		"paid_at":        {"paid at", "paid date", "payment date", "paid on", "date paid", "fully paid date", "paid time", "paid timestamp", "fully paid on", "last payment date", "payment received date"},
	},
	"cloud_cost": {
		"cost_id":            {"id", "line item id", "cost id", "record id", "charge id", "identity line item id", "row id", "key", "uuid", "line id"},
		"provider":           {"provider", "provider name", "cloud provider", "~cloud", "~vendor", "cloud name", "cloud vendor", "service provider"},
		"billing_account_id": {"billing account id", "payer account id", "bill payer account id", "billing account", "master account id", "management account id", "billing profile id", "payer account", "enrollment number", "billing id"},
		"cloud_account_id":   {"sub account id", "usage account id", "linked account id", "account id", "project id", "subscription id", "subscription guid", "~project", "~subscription", "usage account", "member account id", "sub account", "linked account", "tenant id", "~account"},
		"service":            {"service", "service name", "product name", "~product", "service description", "meter category", "consumed service", "product family"},
		"region":             {"region", "region id", "~location", "resource location", "location region", "meter region", "region code", "availability region"},
		"resource_id":        {"resource id", "~resource", "instance id", "resource uri", "resource arn", "arn", "~instance"},
		"usage_date":         {"usage date", "usage start date", "usage start time", "charge period start", "~date", "usage start", "usage day", "usage date time", "~start date", "~start time", "~day", "usage time", "billing date", "interval start"},
		"cost":               {"cost", "billed cost", "unblended cost", "cost in billing currency", "pretax cost", "pre tax cost", "~charge", "~amount", "line item cost", "total cost", "cost amount", "cost usd", "billed amount", "net cost", "charge amount", "extended cost"},
		"currency":           {"billing currency", "billing currency code", "currency code", "cost currency", "pricing currency"},
		"usage_quantity":     {"usage quantity", "usage amount", "consumed quantity", "quantity", "~usage", "consumed usage", "usage qty", "usage value", "metered quantity"},
		"usage_unit":         {"usage unit", "consumed unit", "~unit", "unit of measure", "uom", "usage unit of measure", "~measure", "unit measure"},
	},
}

// objectSynonyms name the source objects that hold each entity.
var objectSynonyms = map[string][]string{
	"account":     {"account", "company", "organization", "customer", "client", "business", "firm", "org", "customer account", "companies"},
	"contact":     {"contact", "person", "people", "lead", "individual", "prospect", "customer contact", "persons"},
	"opportunity": {"opportunity", "deal", "pipeline", "potential", "sales opportunity"},
	"invoice":     {"invoice", "bill", "billing document", "receivable", "sales invoice", "customer invoice", "invoice header", "ar invoice"},
	"cloud_cost":  {"cost", "cost and usage", "usage", "billing export", "cur", "cost report", "line item", "charge", "focus", "consumption", "usage detail", "cost export", "cost usage report", "cloud cost", "amortized cost", "actual cost", "billing line item"},
}

// contextTokens are the words of an entity's own name that source systems
// prefix its fields with ("OpportunityType", "dealname"); matching also
// compares names without them.
var contextTokens = map[string][]string{
	"account":     {"account", "company", "organization"},
	"contact":     {"contact", "person"},
	"opportunity": {"opportunity", "deal"},
	"invoice":     {"invoice"},
}

// lexicon is the compiled vocabulary of all phrases.
type lexicon struct {
	phrases []string
}

func (l *lexicon) words() []string {
	var out []string
	for _, p := range l.phrases {
		out = append(out, strings.Fields(strings.TrimPrefix(p, "~"))...)
	}
	return out
}

func builtinLexicon() *lexicon {
	l := &lexicon{}
	for _, ps := range genericSynonyms {
		l.phrases = append(l.phrases, ps...)
	}
	for _, fs := range entitySynonyms {
		for _, ps := range fs {
			l.phrases = append(l.phrases, ps...)
		}
	}
	for _, ps := range objectSynonyms {
		l.phrases = append(l.phrases, ps...)
	}
	return l
}
