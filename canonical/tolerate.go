package canonical

import "errors"

// Tolerate lets a record through despite invalid values in optional
// fields. Given the record and the event and field errors Apply returned
// for it, it splits the errors: issues are invalid values of optional
// fields, blocking are the rest (required fields, unknown ops). When
// nothing blocks, the event is kept with those fields absent and each raw
// value (as read from the record) stored in ev.Extras under its source
// field, and issues are returned for the caller to record as data-quality
// issues. When something blocks, ev is left as it was and every error is
// returned as blocking, so the record is set aside whole. It is safe for
// concurrent use.
func (mp *Mapper) Tolerate(record map[string]any, ev *Event, errs []FieldError) (issues, blocking []FieldError) {
	for _, fe := range errs {
		if !mp.tolerable(fe) {
			return nil, errs
		}
	}
	for _, fe := range errs {
		raw, _ := lookupPath(record, fe.Source)
		if ev.Extras == nil {
			ev.Extras = make(map[string]any)
		}
		ev.Extras[fe.Source] = raw
	}
	return errs, nil
}

// tolerable reports whether fe is an invalid value of an optional field.
func (mp *Mapper) tolerable(fe FieldError) bool {
	if !errors.Is(fe.Err, ErrInvalidValue) || fe.Field == "" || fe.Source == "" {
		return false
	}
	f, ok := mp.entity.field(fe.Field)
	return ok && !f.Required
}
