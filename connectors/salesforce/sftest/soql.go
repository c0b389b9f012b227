package sftest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Query is a parsed SOQL query of the supported subset.
type Query struct {
	// Fields are the selected field names, in order.
	Fields []string
	// Object is the sObject after FROM.
	Object string
	// Where is the condition; nil when there is no WHERE.
	Where Expr
	// OrderBy lists the ORDER BY items; empty when there is none.
	OrderBy []Order
	// Limit is the LIMIT count; 0 when there is no LIMIT.
	Limit int
}

// Order is one ORDER BY item.
type Order struct {
	// Field is the field sorted on.
	Field string
	// Desc is true for DESC.
	Desc bool
}

// Expr is a parsed WHERE condition; only ParseSOQL makes them.
type Expr interface {
	// eval reports whether the record matches.
	eval(rec map[string]any, types map[string]string) bool
}

type orExpr struct{ l, r Expr }
type andExpr struct{ l, r Expr }
type cmpExpr struct {
	field string
	op    string
	lit   literal
}

type literal struct {
	kind string // string, datetime, date, number, bool, null
	s    string
	t    time.Time
	n    float64
	b    bool
}

func (e orExpr) eval(r map[string]any, ty map[string]string) bool {
	return e.l.eval(r, ty) || e.r.eval(r, ty)
}

func (e andExpr) eval(r map[string]any, ty map[string]string) bool {
	return e.l.eval(r, ty) && e.r.eval(r, ty)
}

func (e cmpExpr) eval(r map[string]any, _ map[string]string) bool {
	v := r[e.field]
	if e.lit.kind == "null" {
		switch e.op {
		case "=":
			return v == nil
		case "!=":
			return v != nil
		}
		return false
	}
	if v == nil {
		return e.op == "!="
	}
	c, ok := compare(v, e.lit)
	if !ok {
		return false
	}
	switch e.op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// compare orders a stored value against a literal.
func compare(v any, l literal) (int, bool) {
	switch x := v.(type) {
	case time.Time:
		if l.kind != "datetime" && l.kind != "date" {
			return 0, false
		}
		return x.Compare(l.t), true
	case string:
		if l.kind != "string" {
			return 0, false
		}
		return strings.Compare(x, l.s), true
	case float64:
		if l.kind != "number" {
			return 0, false
		}
		return cmpFloat(x, l.n), true
	case int64:
		if l.kind != "number" {
			return 0, false
		}
		return cmpFloat(float64(x), l.n), true
	case bool:
		if l.kind != "bool" {
			return 0, false
		}
		if x == l.b {
			return 0, true
		}
		if !x {
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareValues orders two stored values of one field; nil sorts first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmpFloat(x, y)
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmpFloat(float64(x), float64(y))
		}
	case bool:
		if y, ok := b.(bool); ok && x != y {
			if !x {
				return -1
			}
			return 1
		}
		return 0
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// ParseSOQL parses a query of the supported subset. Keywords are
// case-insensitive.
func ParseSOQL(q string) (*Query, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.query()
}

type token struct {
	kind string // ident, string, number, datetime, date, op, punct, eof
	text string
}

func lex(q string) ([]token, error) {
	var out []token
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == ',' || r == '(' || r == ')':
			out = append(out, token{"punct", string(r)})
			i++
		case r == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(rs) && rs[j] != '\''; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated string literal")
			}
			out = append(out, token{"string", b.String()})
			i = j + 1
		case r == '<' || r == '>' || r == '=' || r == '!':
			j := i + 1
			if j < len(rs) && rs[j] == '=' {
				j++
			}
			op := string(rs[i:j])
			if op == "!" {
				return nil, fmt.Errorf("unexpected '!'")
			}
			out = append(out, token{"op", op})
			i = j
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '.') {
				j++
			}
			out = append(out, token{"ident", string(rs[i:j])})
			i = j
		case unicode.IsDigit(r) || r == '-':
			j := i + 1
			for j < len(rs) && (unicode.IsDigit(rs[j]) || strings.ContainsRune(".-:+TZ", rs[j])) {
				j++
			}
			text := string(rs[i:j])
			kind := "number"
			switch {
			case strings.Contains(text, "T"):
				kind = "datetime"
			case strings.Count(text, "-") >= 2 && !strings.HasPrefix(text, "-"):
				kind = "date"
			}
			out = append(out, token{kind, text})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q", r)
		}
	}
	return append(out, token{kind: "eof"}), nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if t.kind == "ident" && strings.EqualFold(t.text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) error {
	if !p.keyword(kw) {
		return fmt.Errorf("expecting %s, found %q", kw, p.peek().text)
	}
	return nil
}

func (p *parser) ident() (string, error) {
	t := p.next()
	if t.kind != "ident" {
		return "", fmt.Errorf("expecting a name, found %q", t.text)
	}
	return t.text, nil
}

func (p *parser) query() (*Query, error) {
	q := &Query{}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	for {
		f, err := p.ident()
		if err != nil {
			return nil, err
		}
		q.Fields = append(q.Fields, f)
		if t := p.peek(); t.kind == "punct" && t.text == "," {
			p.next()
			continue
		}
		break
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	obj, err := p.ident()
	if err != nil {
		return nil, err
	}
	q.Object = obj
	if p.keyword("WHERE") {
		if q.Where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.keyword("ORDER") {
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		for {
			f, err := p.ident()
			if err != nil {
				return nil, err
			}
			o := Order{Field: f}
			if p.keyword("DESC") {
				o.Desc = true
			} else {
				p.keyword("ASC")
			}
			q.OrderBy = append(q.OrderBy, o)
			if t := p.peek(); t.kind == "punct" && t.text == "," {
				p.next()
				continue
			}
			break
		}
	}
	if p.keyword("LIMIT") {
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != "number" || err != nil || n < 0 {
			return nil, fmt.Errorf("LIMIT wants a count, found %q", t.text)
		}
		q.Limit = n
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, fmt.Errorf("unexpected token %q", t.text)
	}
	return q, nil
}

func (p *parser) or() (Expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *parser) and() (Expr, error) {
	l, err := p.factor()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") {
		r, err := p.factor()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *parser) factor() (Expr, error) {
	if t := p.peek(); t.kind == "punct" && t.text == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != "punct" || t.text != ")" {
			return nil, fmt.Errorf("expecting ')', found %q", t.text)
		}
		return e, nil
	}
	f, err := p.ident()
	if err != nil {
		return nil, err
	}
	op := p.next()
	if op.kind != "op" {
		return nil, fmt.Errorf("expecting an operator after %s, found %q", f, op.text)
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	return cmpExpr{field: f, op: op.text, lit: lit}, nil
}

func (p *parser) literal() (literal, error) {
	t := p.next()
	switch t.kind {
	case "string":
		return literal{kind: "string", s: t.text}, nil
	case "number":
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return literal{}, fmt.Errorf("bad number %q", t.text)
		}
		return literal{kind: "number", n: n}, nil
	case "datetime":
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.000-0700"} {
			if tm, err := time.Parse(layout, t.text); err == nil {
				return literal{kind: "datetime", t: tm.UTC()}, nil
			}
		}
		return literal{}, fmt.Errorf("bad datetime literal %q", t.text)
	case "date":
		tm, err := time.Parse(time.DateOnly, t.text)
		if err != nil {
			return literal{}, fmt.Errorf("bad date literal %q", t.text)
		}
		return literal{kind: "date", t: tm}, nil
	case "ident":
		switch strings.ToLower(t.text) {
		case "true", "false":
			return literal{kind: "bool", b: strings.EqualFold(t.text, "true")}, nil
		case "null":
			return literal{kind: "null"}, nil
		}
	}
	return literal{}, fmt.Errorf("expecting a value, found %q", t.text)
}

// fieldsUsed lists the fields an expression refers to.
func fieldsUsed(e Expr, out []string) []string {
	switch x := e.(type) {
	case orExpr:
		return fieldsUsed(x.r, fieldsUsed(x.l, out))
	case andExpr:
		return fieldsUsed(x.r, fieldsUsed(x.l, out))
	case cmpExpr:
		return append(out, x.field)
	}
	return out
}
