package canonical

// SchemaVersion is the version of the built-in canonical schema (the
// "version" of the canonical schema document) and the schema_version every
// event carries.
const SchemaVersion = 1

// builtinEntities returns the five built-in entities, in the canonical
// schema document's order. Each call returns fresh slices, so a Registry
// owns its copy.
func builtinEntities() []Entity {
	return []Entity{
		{
			Name:        "account",
			Description: "A customer organisation (company, organization, account).",
			Fields: []Field{
				{Name: "account_id", Type: String, Required: true, Description: "source system's record id"},
				{Name: "account_name", Type: String, Required: true, Description: "legal or display name"},
				{Name: "industry", Type: String},
				{Name: "account_type", Type: String, Description: "customer, prospect, partner ..."},
				{Name: "website", Type: URL},
				{Name: "phone", Type: Phone},
				{Name: "annual_revenue", Type: Decimal},
				{Name: "employee_count", Type: Integer},
				{Name: "billing_street", Type: String},
				{Name: "billing_city", Type: String},
				{Name: "billing_state", Type: String},
				{Name: "billing_postal_code", Type: String},
				{Name: "billing_country", Type: Country},
				{Name: "parent_account_id", Type: Ref, Ref: "account"},
				{Name: "owner_id", Type: String, Description: "owning user in the source system"},
				{Name: "description", Type: String},
				{Name: "created_at", Type: Timestamp},
				{Name: "updated_at", Type: Timestamp},
			},
		},
		{
			Name:        "contact",
			Description: "A person at an account (contact, person, lead converted).",
			Fields: []Field{
				{Name: "contact_id", Type: String, Required: true},
				{Name: "account_id", Type: Ref, Ref: "account"},
				{Name: "first_name", Type: String},
				{Name: "last_name", Type: String, Required: true},
				{Name: "email", Type: Email},
				{Name: "phone", Type: Phone},
				{Name: "mobile_phone", Type: Phone},
				{Name: "title", Type: String, Description: "job title"},
				{Name: "department", Type: String},
				{Name: "mailing_city", Type: String},
				{Name: "mailing_country", Type: Country},
				{Name: "lead_source", Type: String},
				{Name: "owner_id", Type: String},
				{Name: "created_at", Type: Timestamp},
				{Name: "updated_at", Type: Timestamp},
			},
		},
		{
			Name:        "opportunity",
			Description: "A potential sale (opportunity, deal).",
			Fields: []Field{
				{Name: "opportunity_id", Type: String, Required: true},
				{Name: "account_id", Type: Ref, Ref: "account"},
				{Name: "opportunity_name", Type: String, Required: true},
				{Name: "amount", Type: Decimal},
				{Name: "currency", Type: Currency},
				{Name: "stage", Type: String},
				{Name: "probability", Type: Percent},
				{Name: "close_date", Type: Date, Description: "expected or actual close date"},
				{Name: "is_closed", Type: Boolean},
				{Name: "is_won", Type: Boolean},
				{Name: "forecast_category", Type: String},
				{Name: "opportunity_type", Type: String, Description: "new business, renewal, upsell ..."},
				{Name: "lead_source", Type: String},
				{Name: "owner_id", Type: String},
				{Name: "created_at", Type: Timestamp},
				{Name: "updated_at", Type: Timestamp},
			},
		},
		{
			Name:        "invoice",
			Description: "A bill issued to a customer (invoice).",
			Fields: []Field{
				{Name: "invoice_id", Type: String, Required: true},
				{Name: "account_id", Type: Ref, Ref: "account", Description: "billed customer"},
				{Name: "invoice_number", Type: String},
				{Name: "total_amount", Type: Decimal, Required: true},
				{Name: "amount_due", Type: Decimal, Description: "still unpaid"},
				{Name: "amount_paid", Type: Decimal},
				{Name: "currency", Type: Currency},
				{Name: "status", Type: String, Description: "draft, open, paid, void ..."},
				{Name: "issue_date", Type: Date},
				{Name: "due_date", Type: Date},
				{Name: "paid_at", Type: Timestamp},
				{Name: "created_at", Type: Timestamp},
				{Name: "updated_at", Type: Timestamp},
			},
		},
		{
			Name:        "cloud_cost",
			Description: "One cost line of a cloud bill (FinOps), aligned with the FOCUS specification's core columns.",
			Fields: []Field{
				{Name: "cost_id", Type: String, Required: true, Description: "line item id"},
				{Name: "provider", Type: String, Description: "aws, gcp, azure ..."},
				{Name: "billing_account_id", Type: String, Description: "payer / billing account"},
				{Name: "cloud_account_id", Type: String, Description: "usage account, project or subscription"},
				{Name: "service", Type: String, Description: "service or product name"},
				{Name: "region", Type: String},
				{Name: "resource_id", Type: String},
				{Name: "usage_date", Type: Date, Required: true, Description: "charge period start (day)"},
				{Name: "cost", Type: Decimal, Required: true, Description: "billed cost"},
				{Name: "currency", Type: Currency},
				{Name: "usage_quantity", Type: Decimal},
				{Name: "usage_unit", Type: String},
			},
		},
	}
}

// eventDoc describes the canonical event in the canonical schema document.
func eventDoc() *EventDoc {
	return &EventDoc{
		Description: "A canonical event: one normalized record, as published to the canonical stream.",
		Fields: EventFieldDocs{
			{Name: "event_id", Description: "UUID, unique"},
			{Name: "entity", Description: "one of the entity names above"},
			{Name: "op", Description: "upsert | delete"},
			{Name: "data", Description: "object: canonical field -> normalized value (only fields of the entity)"},
			{Name: "extras", Description: "object: source fields kept but not mapped (optional)"},
			{Name: "meta", Description: "object: tenant_id (UUID), trace_id, mapping_version (int), schema_version (int), emitted_at (timestamp)"},
			{Name: "source", Description: "object: system (e.g. salesforce), connection_id (UUID), object (e.g. Account), record_id, record_hash (content hash used for idempotency)"},
		},
	}
}
