package vc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// Kind says what a document is.
type Kind int

const (
	KindCredential            Kind = iota + 1 // a VerifiableCredential
	KindPresentation                          // a VerifiablePresentation
	KindEnvelopedCredential                   // an EnvelopedVerifiableCredential
	KindEnvelopedPresentation                 // an EnvelopedVerifiablePresentation
)

func (k Kind) String() string {
	switch k {
	case KindCredential:
		return TypeCredential
	case KindPresentation:
		return TypePresentation
	case KindEnvelopedCredential:
		return TypeEnvelopedCredential
	case KindEnvelopedPresentation:
		return TypeEnvelopedPresentation
	default:
		return "unknown"
	}
}

// Document is a parsed document of any kind: the field that matches Kind
// is set (Envelope for both enveloped kinds).
type Document struct {
	Kind         Kind
	Credential   *Credential
	Presentation *Presentation
	Envelope     *Envelope
}

// Parse parses a verifiable credential, strictly and without verifying
// it. It refuses text that is not strict JSON (internal/strictjson:
// duplicate member names, bad UTF-8, over limits.MaxDocumentBytes or
// limits.MaxJSONDepth) and then reports, in one *ValidationError, every
// rule of VCDM 2.0 (or, for a document whose first context is the VCDM
// 1.1 one, VCDM 1.1) that the document breaks and that can be judged
// without JSON-LD processing or a signature check.
//
// JSON-LD rules (every type and property maps to an IRI, protected terms
// are not redefined) are left to the JSON-LD processor, and proofs to the
// securing mechanism.
func Parse(data []byte) (*Credential, error) {
	p := newParser()
	defer p.free()
	ms, err := p.split(data, "a verifiable credential")
	if err != nil {
		return nil, err
	}
	root := loc{idx: -1}
	c := p.credential(&root, ms)
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// ParsePresentation parses a verifiable presentation and the credentials
// in it the way Parse parses a credential.
func ParsePresentation(data []byte) (*Presentation, error) {
	p := newParser()
	defer p.free()
	ms, err := p.split(data, "a verifiable presentation")
	if err != nil {
		return nil, err
	}
	root := loc{idx: -1}
	vp := p.presentation(&root, ms)
	if err := p.err(); err != nil {
		return nil, err
	}
	return vp, nil
}

// ParseDocument parses a credential, a presentation or an envelope,
// telling which by its type, with the rules of Parse. When the type tells
// nothing, a document with credentialSubject or issuer is judged as a
// credential and one with verifiableCredential or holder as a
// presentation, so that every problem is still reported.
func ParseDocument(data []byte) (*Document, error) {
	p := newParser()
	defer p.free()
	ms, err := p.split(data, "a verifiable credential or presentation")
	if err != nil {
		return nil, err
	}
	root := loc{idx: -1}
	k := kindOf(&p, &root, ms)
	d := &Document{Kind: k}
	switch k {
	case KindCredential:
		d.Credential = p.credential(&root, ms)
	case KindPresentation:
		d.Presentation = p.presentation(&root, ms)
	case KindEnvelopedCredential:
		d.Envelope = p.envelope(&root, ms, TypeEnvelopedCredential)
	case KindEnvelopedPresentation:
		d.Envelope = p.envelope(&root, ms, TypeEnvelopedPresentation)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return d, nil
}

// UnmarshalJSON parses data with Parse, so that a Credential inside
// another JSON structure is read just as strictly.
func (c *Credential) UnmarshalJSON(data []byte) error {
	v, err := Parse(data)
	if err != nil {
		return err
	}
	*c = *v
	return nil
}

// UnmarshalJSON parses data with ParsePresentation.
func (p *Presentation) UnmarshalJSON(data []byte) error {
	v, err := ParsePresentation(data)
	if err != nil {
		return err
	}
	*p = *v
	return nil
}

// split copies data (the parsed value keeps slices and substrings of the
// copy, never of the caller's buffer), checks it as strict JSON, keeping the
// lexer's tape of it, and splits the top-level object into members.
func (p *parser) split(data []byte, what string) ([]member, error) {
	invalid := func(err error) error {
		ptr, reason := "", err.Error()
		var se *strictjson.Error
		if errors.As(err, &se) {
			ptr, reason = se.Pointer, se.Reason
		}
		return &ValidationError{
			Problems: []Problem{{Pointer: ptr, Message: "the document is not strict JSON: " + reason, Err: ErrSyntax}},
			cause:    err,
		}
	}
	if len(data) > limits.MaxDocumentBytes {
		return nil, invalid(strictjson.Check(data, limits.MaxDocumentBytes))
	}
	p.src = newSource(data)
	tape, err := strictjson.Parse(p.src.buf, limits.MaxDocumentBytes)
	if err != nil {
		return nil, invalid(err)
	}
	p.src.tape = tape
	root := tape.Raw(strictjson.Root)
	ms, ok := p.members(root)
	if !ok {
		return nil, &ValidationError{Problems: []Problem{{
			Message: fmt.Sprintf("the document must be %s, a JSON object, not %s", what, kindName(root)),
			Err:     ErrSyntax,
		}}}
	}
	return ms, nil
}

// loc is where a value sits in the document, as a chain of steps kept on
// the stack; the JSON pointer is only built when a problem is reported.
type loc struct {
	up  *loc
	key string // member name, or "" for an array element
	idx int    // array index, or -1 for a member
}

func (l *loc) member(name string) loc { return loc{up: l, key: name, idx: -1} }
func (l *loc) elem(i int) loc         { return loc{up: l, idx: i} }

// pointer builds the JSON pointer. It copies each member name, so that no
// part of a loc flows into the result: escape analysis then keeps every loc
// on the stack, where the good path, which never builds a pointer, wants it.
func (l *loc) pointer() string {
	if l == nil || l.up == nil {
		return ""
	}
	if l.idx >= 0 {
		return index(l.up.pointer(), l.idx)
	}
	return child(l.up.pointer(), strings.Clone(l.key))
}

type parser struct {
	problems
	src source
	// scratch and elems hold the members of the objects and the elements
	// of the arrays being read, used as stacks: each reader takes a mark,
	// splits values onto the ends and releases back to its mark when
	// done.
	stacks  *stacks // where scratch and elems came from
	scratch []member
	elems   [][]byte
	// strings is room for the Items of type sets, handed out a piece at a
	// time so that a document's type sets share a few allocations.
	strings []string
}

// stringItems returns an empty slice with room for n strings, carved from
// p.strings; its capacity is n, so appending past it reallocates rather
// than overwrite the next piece.
func (p *parser) stringItems(n int) []string {
	if cap(p.strings)-len(p.strings) < n {
		p.strings = make([]string, 0, max(n, 8))
	}
	start := len(p.strings)
	p.strings = p.strings[:start+n]
	return p.strings[start : start : start+n]
}

// stacks are the backing arrays of a parser's scratch stacks, kept in a
// pool between parses so that each parse need not allocate them. (They
// cannot live on the goroutine's stack: escape analysis is not field
// sensitive, sees the parsed values in the parser go to the heap and
// would let the stacks go with them.)
type stacks struct {
	members []member
	elems   [][]byte
}

var stackPool = sync.Pool{New: func() any {
	return &stacks{members: make([]member, 0, 32), elems: make([][]byte, 0, 16)}
}}

// maxPooledStack caps the stacks kept in the pool, so that one large
// document does not pin a large array.
const maxPooledStack = 1024

func newParser() parser {
	st := stackPool.Get().(*stacks)
	return parser{stacks: st, scratch: st.members[:0], elems: st.elems[:0]}
}

// free returns the parser's stacks to the pool, cleared, so that the pool
// holds on to no part of the document.
func (p *parser) free() {
	if p.src.tape != nil {
		p.src.tape.Release()
		p.src.tape = nil
	}
	st := p.stacks
	if st == nil {
		return
	}
	p.stacks = nil
	if cap(p.scratch) <= maxPooledStack {
		st.members = p.scratch[:0]
	}
	if cap(p.elems) <= maxPooledStack {
		st.elems = p.elems[:0]
	}
	clear(st.members[:cap(st.members)])
	clear(st.elems[:cap(st.elems)])
	stackPool.Put(st)
}

// mark is a position on the parser's scratch stacks.
type mark struct{ members, elems int }

func (p *parser) mark() mark { return mark{len(p.scratch), len(p.elems)} }

// release truncates the scratch stacks back to m.
func (p *parser) release(m mark) {
	p.scratch = p.scratch[:m.members]
	p.elems = p.elems[:m.elems]
}

// members splits the raw JSON object d onto the scratch stack.
func (p *parser) members(d []byte) ([]member, bool) {
	start := len(p.scratch)
	var ok bool
	p.scratch, ok = p.src.appendMembers(p.scratch, d)
	if !ok {
		p.scratch = p.scratch[:start]
		return nil, false
	}
	return p.scratch[start:len(p.scratch):len(p.scratch)], true
}

// array splits the raw JSON array d onto the elems stack.
func (p *parser) array(d []byte) ([][]byte, bool) {
	start := len(p.elems)
	var ok bool
	p.elems, ok = p.src.appendElements(p.elems, d)
	if !ok {
		p.elems = p.elems[:start]
		return nil, false
	}
	return p.elems[start:len(p.elems):len(p.elems)], true
}

// str decodes the raw JSON value v if it is a string.
func (p *parser) str(v []byte) (string, bool) { return p.src.decode(v) }

func (p *parser) report(l *loc, kind error, format string, args ...any) {
	p.add(l.pointer(), kind, format, args...)
}

// find returns the raw value of member name, or nil.
func find(ms []member, name string) []byte {
	for _, m := range ms {
		if m.name == name {
			return m.value
		}
	}
	return nil
}

// raw returns v as a RawMessage that cannot grow into the bytes after it.
func raw(v []byte) json.RawMessage { return json.RawMessage(v[:len(v):len(v)]) }

func addExtra(extra *map[string]json.RawMessage, m member) {
	if *extra == nil {
		*extra = make(map[string]json.RawMessage)
	}
	(*extra)[m.name] = raw(m.value)
}

// describe shows a raw value in a message: a short string quoted, other
// values by kind.
func describe(v []byte) string {
	if s, ok := decodeString(v); ok {
		return quoteShort(s)
	}
	return kindName(v)
}

// quoteShort quotes s for a message, cut to about 80 bytes.
func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}

// kindOf tells a document's kind from its type member or, failing that,
// guesses it from the members only one kind has. It reports what it
// cannot tell; a wrong type under a guessed kind is left to the parser of
// that kind.
func kindOf(p *parser, l *loc, ms []member) Kind {
	t := find(ms, "type")
	has := func(s string) bool { return p.typeIncludes(t, s) }
	vc, vp := has(TypeCredential), has(TypePresentation)
	switch {
	case vc && vp:
		tl := l.member("type")
		p.report(&tl, ErrType, "type includes both %s and %s", TypeCredential, TypePresentation)
		return 0
	case vc:
		return KindCredential
	case vp:
		return KindPresentation
	case has(TypeEnvelopedCredential):
		return KindEnvelopedCredential
	case has(TypeEnvelopedPresentation):
		return KindEnvelopedPresentation
	case find(ms, "credentialSubject") != nil || find(ms, "issuer") != nil:
		return KindCredential
	case find(ms, "verifiableCredential") != nil || find(ms, "holder") != nil:
		return KindPresentation
	case t == nil:
		p.report(l, ErrType, "type is missing; it must include %s or %s", TypeCredential, TypePresentation)
	default:
		tl := l.member("type")
		p.report(&tl, ErrType, "type includes none of %s, %s, %s and %s", TypeCredential, TypePresentation, TypeEnvelopedCredential, TypeEnvelopedPresentation)
	}
	return 0
}

// typeIncludes reports whether the raw type member v is the string want
// or an array with that string among its entries, ignoring anything else;
// it is for telling kinds apart, not for validation.
func (p *parser) typeIncludes(v []byte, want string) bool {
	if s, ok := p.str(v); ok {
		return s == want
	}
	defer p.release(p.mark())
	els, _ := p.array(v)
	for _, e := range els {
		if s, ok := p.str(e); ok && s == want {
			return true
		}
	}
	return false
}

// context reads @context and returns it with the version it tells
// (VCDM 2.0 when it tells none, so that the rest is judged by 2.0).
func (p *parser) context(l *loc, v []byte, what string) (Set[ContextEntry], Version) {
	var set Set[ContextEntry]
	var els [][]byte
	defer p.release(p.mark())
	switch kind(v) {
	case kindString:
		set.Single = true
		p.elems = append(p.elems, v)
		els = p.elems[len(p.elems)-1:]
	case kindArray:
		els, _ = p.array(v)
		if len(els) == 0 {
			p.report(l, ErrContext, "@context is an empty array; its first entry must be %s", ContextV2)
			return set, V2
		}
		if len(els) > limits.MaxContexts {
			p.report(l, ErrLimit, "@context has %d entries, more than the limit of %d", len(els), limits.MaxContexts)
			return set, V2
		}
	default:
		p.report(l, ErrContext, "@context must be an array of URLs and objects, not %s", kindName(v))
		return set, V2
	}
	set.Items = make([]ContextEntry, 0, len(els))
	for i, e := range els {
		el := l.elem(i)
		at := &el
		if set.Single {
			at = l
		}
		switch kind(e) {
		case kindString:
			s, _ := p.str(e)
			if err := checkURL(s); err != nil {
				p.report(at, ErrContext, "@context entry %s is not a URL: it %v", describe(e), err)
			}
			set.Items = append(set.Items, ContextEntry{URL: s})
		case kindObject:
			set.Items = append(set.Items, ContextEntry{Object: raw(e)})
		default:
			p.report(at, ErrContext, "@context entries must be URLs or objects, not %s", kindName(e))
		}
	}
	first := els[0]
	var s string
	if len(set.Items) > 0 && kind(first) == kindString {
		s = set.Items[0].URL
	}
	switch s {
	case ContextV2:
		return set, V2
	case ContextV1:
		if what == TypeEnvelopedCredential || what == TypeEnvelopedPresentation {
			break
		}
		return set, V1
	}
	at := l
	if !set.Single {
		el := l.elem(0)
		at = &el
	}
	if what == TypeEnvelopedCredential || what == TypeEnvelopedPresentation {
		p.report(at, ErrContext, "the first @context entry of an %s must be %s, not %s", what, ContextV2, describe(first))
	} else {
		p.report(at, ErrContext, "the first @context entry must be %s (VCDM 2.0) or %s (VCDM 1.1), not %s", ContextV2, ContextV1, describe(first))
	}
	return set, V2
}

// id reads an id member: a single URL. The value is named owner+name in
// messages (joined only when there is a problem, to keep the good path
// free of allocations).
func (p *parser) id(l *loc, v []byte, errKind error, owner, name string) string {
	switch kind(v) {
	case kindString:
		s, _ := p.str(v)
		if err := checkURL(s); err != nil {
			p.report(l, errKind, "%s%s %s is not a URL: it %v", owner, name, describe(v), err)
		}
		return s
	case kindNull:
		p.report(l, errKind, "%s%s is null; it must be a URL", owner, name)
	case kindArray:
		p.report(l, errKind, "%s%s must be a single URL, not an array", owner, name)
	default:
		p.report(l, errKind, "%s%s must be a URL string, not %s", owner, name, kindName(v))
	}
	return ""
}

// types reads a type member: one or more non-empty strings.
func (p *parser) types(l *loc, v []byte, errKind error, what string) Set[string] {
	var set Set[string]
	switch kind(v) {
	case kindString:
		s, _ := p.str(v)
		if s == "" {
			p.report(l, errKind, "%s type is an empty string", what)
		}
		set.Single = true
		set.Items = append(p.stringItems(1), s)
		return set
	case kindArray:
	default:
		p.report(l, errKind, "%s type must be a string or an array of strings, not %s", what, kindName(v))
		return set
	}
	defer p.release(p.mark())
	els, _ := p.array(v)
	if len(els) > limits.MaxTypes {
		p.report(l, ErrLimit, "%s type has %d entries, more than the limit of %d", what, len(els), limits.MaxTypes)
		return set
	}
	set.Items = p.stringItems(len(els))
	for i, e := range els {
		s, ok := p.str(e)
		if !ok || s == "" {
			el := l.elem(i)
			p.report(&el, errKind, "%s type entries must be non-empty strings, not %s", what, describe(e))
			continue
		}
		set.Items = append(set.Items, s)
	}
	return set
}

// requireType reports a type set that lacks want.
func (p *parser) requireType(l *loc, set Set[string], v []byte, want string) {
	if v == nil || hasType(set, want) {
		return
	}
	msg := "type does not include " + want
	if l.up != nil && l.up.up == nil && (hasType(set, TypeEnvelopedCredential) || hasType(set, TypeEnvelopedPresentation)) {
		msg += "; an enveloped credential or presentation is read with ParseDocument"
	}
	p.report(l, ErrType, "%s", msg)
}

// dateTime reads a date member.
func (p *parser) dateTime(l *loc, v []byte, name string) DateTime {
	s, ok := p.str(v)
	if !ok {
		p.report(l, ErrDate, "%s must be a dateTimeStamp string, not %s", name, kindName(v))
		return DateTime{}
	}
	t, ok := parseDateTimeStamp(s)
	if !ok {
		p.report(l, ErrDate, "%s %s is not %s", name, describe(v), dateTimeForm)
		return DateTime{}
	}
	return DateTime{lexical: s, t: t}
}

// onlyIn tells which version of the data model alone defines the
// credential member name, if one does.
func onlyIn(name string) (Version, bool) {
	switch name {
	case "name", "description", "validFrom", "validUntil", "relatedResource":
		return V2, true
	case "issuanceDate", "expirationDate":
		return V1, true
	}
	return 0, false
}

// credential reads a credential from its top-level members.
func (p *parser) credential(l *loc, ms []member) *Credential {
	c := &Credential{}
	var v Version
	if ctx := find(ms, "@context"); ctx == nil {
		p.report(l, ErrContext, "@context is missing; a verifiable credential must have one whose first entry is %s", ContextV2)
		v = V2
	} else {
		cl := l.member("@context")
		c.Context, v = p.context(&cl, ctx, TypeCredential)
	}
	var typeRaw []byte
	var hasIssuer, hasSubject bool
	for _, m := range ms {
		if only, ok := onlyIn(m.name); ok && only != v {
			// A member of the other version of the data model means
			// nothing here: kept as it is, like any unknown member.
			addExtra(&c.Extra, m)
			continue
		}
		switch m.name {
		case "@context":
		case "id":
			ml := l.member("id")
			c.ID = p.id(&ml, m.value, ErrID, "the credential", " id")
		case "type":
			ml := l.member("type")
			typeRaw = m.value
			c.Type = p.types(&ml, m.value, ErrType, "the credential")
		case "issuer":
			ml := l.member("issuer")
			hasIssuer = true
			c.Issuer = p.issuer(&ml, m.value, v)
		case "credentialSubject":
			ml := l.member("credentialSubject")
			hasSubject = true
			c.CredentialSubject = p.subjects(&ml, m.value)
		case "credentialStatus":
			ml := l.member("credentialStatus")
			c.CredentialStatus = p.typedObjects(&ml, m.value, "credentialStatus", v == V1)
		case "credentialSchema":
			ml := l.member("credentialSchema")
			c.CredentialSchema = p.typedObjects(&ml, m.value, "credentialSchema", true)
		case "evidence":
			ml := l.member("evidence")
			c.Evidence = p.typedObjects(&ml, m.value, "evidence", false)
		case "termsOfUse":
			ml := l.member("termsOfUse")
			c.TermsOfUse = p.typedObjects(&ml, m.value, "termsOfUse", false)
		case "refreshService":
			ml := l.member("refreshService")
			c.RefreshService = p.typedObjects(&ml, m.value, "refreshService", v == V1)
		case "proof":
			ml := l.member("proof")
			c.Proof = p.proofs(&ml, m.value)
		case "name":
			ml := l.member("name")
			c.Name = p.text(&ml, m.value, "name")
		case "description":
			ml := l.member("description")
			c.Description = p.text(&ml, m.value, "description")
		case "validFrom":
			ml := l.member("validFrom")
			c.ValidFrom = p.dateTime(&ml, m.value, "validFrom")
		case "validUntil":
			ml := l.member("validUntil")
			c.ValidUntil = p.dateTime(&ml, m.value, "validUntil")
		case "relatedResource":
			ml := l.member("relatedResource")
			c.RelatedResource = p.relatedResources(&ml, m.value)
		case "issuanceDate":
			ml := l.member("issuanceDate")
			c.IssuanceDate = p.dateTime(&ml, m.value, "issuanceDate")
		case "expirationDate":
			ml := l.member("expirationDate")
			c.ExpirationDate = p.dateTime(&ml, m.value, "expirationDate")
		default:
			addExtra(&c.Extra, m)
		}
	}
	if typeRaw == nil {
		p.report(l, ErrType, "type is missing; a verifiable credential must have a type that includes %s", TypeCredential)
	} else {
		tl := l.member("type")
		p.requireType(&tl, c.Type, typeRaw, TypeCredential)
	}
	if !hasIssuer {
		p.report(l, ErrIssuer, "issuer is missing; a verifiable credential must have an issuer")
	}
	if !hasSubject {
		p.report(l, ErrSubject, "credentialSubject is missing; a verifiable credential must have one")
	}
	switch v {
	case V2:
		from, until := c.ValidFrom, c.ValidUntil
		if !from.IsZero() && !until.IsZero() && until.Time().Before(from.Time()) {
			ul := l.member("validUntil")
			p.report(&ul, ErrValidityPeriod, "validUntil %s is before validFrom %s", until, from)
		}
	case V1:
		if find(ms, "issuanceDate") == nil {
			p.report(l, ErrDate, "issuanceDate is missing; a VCDM 1.1 credential must have one")
		}
	}
	return c
}

// issuer reads the issuer: a URL or an object with an id URL.
func (p *parser) issuer(l *loc, v []byte, ver Version) Issuer {
	var is Issuer
	switch kind(v) {
	case kindString:
		is.ID = p.id(l, v, ErrIssuer, "issuer", "")
		return is
	case kindObject:
	case kindNull:
		p.report(l, ErrIssuer, "issuer is null; it must be a URL or an object with an id URL")
		return is
	default:
		p.report(l, ErrIssuer, "issuer must be a URL or an object with an id URL, not %s", kindName(v))
		return is
	}
	is.Object = true
	defer p.release(p.mark())
	ms, _ := p.members(v)
	hasID := false
	for _, m := range ms {
		switch m.name {
		case "id":
			hasID = true
			ml := l.member("id")
			is.ID = p.id(&ml, m.value, ErrIssuer, "issuer", " id")
		case "name":
			if ver != V2 {
				addExtra(&is.Extra, m)
				continue
			}
			ml := l.member("name")
			is.Name = p.text(&ml, m.value, "issuer name")
		case "description":
			if ver != V2 {
				addExtra(&is.Extra, m)
				continue
			}
			ml := l.member("description")
			is.Description = p.text(&ml, m.value, "issuer description")
		default:
			addExtra(&is.Extra, m)
		}
	}
	if !hasID {
		p.report(l, ErrIssuer, "the issuer object has no id; it must have an id URL")
	}
	return is
}

// holder reads a presentation's holder: a URL or an object with an id URL.
func (p *parser) holder(l *loc, v []byte) *Holder {
	h := &Holder{}
	switch kind(v) {
	case kindString:
		h.ID = p.id(l, v, ErrHolder, "holder", "")
		return h
	case kindObject:
	case kindNull:
		p.report(l, ErrHolder, "holder is null; it must be a URL or an object with an id URL")
		return h
	default:
		p.report(l, ErrHolder, "holder must be a URL or an object with an id URL, not %s", kindName(v))
		return h
	}
	h.Object = true
	defer p.release(p.mark())
	ms, _ := p.members(v)
	hasID := false
	for _, m := range ms {
		if m.name == "id" {
			hasID = true
			ml := l.member("id")
			h.ID = p.id(&ml, m.value, ErrHolder, "holder", " id")
			continue
		}
		addExtra(&h.Extra, m)
	}
	if !hasID {
		p.report(l, ErrHolder, "the holder object has no id; it must have an id URL")
	}
	return h
}

// entries are the values of a member that may be one value or an array.
type entries struct {
	one    []byte
	many   [][]byte
	single bool
	n      int
}

func (es entries) at(i int) []byte {
	if es.single {
		return es.one
	}
	return es.many[i]
}

// elements returns the entries of a member that may be one value or an
// array of values, reporting an empty array or one over max (then it
// returns no entries).
func (p *parser) elements(l *loc, v []byte, what string, errKind error, max int) entries {
	if kind(v) != kindArray {
		return entries{one: v, single: true, n: 1}
	}
	els, _ := p.array(v)
	switch {
	case len(els) == 0:
		p.report(l, errKind, "%s is an empty array; leave it out or give at least one entry", what)
		return entries{}
	case max > 0 && len(els) > max:
		p.report(l, ErrLimit, "%s has %d entries, more than the limit of %d", what, len(els), max)
		return entries{}
	}
	return entries{many: els, n: len(els)}
}

// at returns the location of entry i of a member read by elements.
func at(l *loc, i int, single bool) loc {
	if single {
		return *l
	}
	return l.elem(i)
}

// subjects reads credentialSubject: one or more objects, each with at
// least one claim.
func (p *parser) subjects(l *loc, v []byte) Set[Subject] {
	var set Set[Subject]
	defer p.release(p.mark())
	es := p.elements(l, v, "credentialSubject", ErrSubject, limits.MaxSubjects)
	set.Single = es.single
	if es.n == 0 {
		return set
	}
	set.Items = make([]Subject, 0, es.n)
	mark := p.mark()
	for i := range es.n {
		p.release(mark)
		e := es.at(i)
		el := at(l, i, es.single)
		ms, ok := p.members(e)
		if !ok {
			p.report(&el, ErrSubject, "credentialSubject entries must be objects, not %s", kindName(e))
			continue
		}
		if len(ms) == 0 {
			p.report(&el, ErrSubject, "credentialSubject entry has no claims; each subject must be the subject of at least one claim")
		}
		var s Subject
		for _, m := range ms {
			if m.name == "id" {
				ml := el.member("id")
				s.ID = p.id(&ml, m.value, ErrID, "credentialSubject", " id")
				continue
			}
			if s.Claims == nil {
				s.Claims = make(map[string]json.RawMessage, len(ms))
			}
			s.Claims[m.name] = raw(m.value)
		}
		set.Items = append(set.Items, s)
	}
	return set
}

// typedObjects reads credentialStatus, credentialSchema, evidence,
// termsOfUse or refreshService: one or more objects, each with a type and
// an id URL (required when idRequired).
func (p *parser) typedObjects(l *loc, v []byte, what string, idRequired bool) Set[TypedObject] {
	var set Set[TypedObject]
	defer p.release(p.mark())
	es := p.elements(l, v, what, ErrEntry, 0)
	set.Single = es.single
	if es.n == 0 {
		return set
	}
	set.Items = make([]TypedObject, 0, es.n)
	mark := p.mark()
	for i := range es.n {
		p.release(mark)
		e := es.at(i)
		el := at(l, i, es.single)
		ms, ok := p.members(e)
		if !ok {
			p.report(&el, ErrEntry, "%s entries must be objects, not %s", what, kindName(e))
			continue
		}
		var o TypedObject
		var hasID, hasType bool
		for _, m := range ms {
			switch m.name {
			case "id":
				hasID = true
				ml := el.member("id")
				o.ID = p.id(&ml, m.value, ErrID, what, " id")
			case "type":
				hasType = true
				ml := el.member("type")
				o.Type = p.types(&ml, m.value, ErrType, what)
			default:
				addExtra(&o.Extra, m)
			}
		}
		if !hasType {
			p.report(&el, ErrEntry, "%s entry has no type; each one must have a type", what)
		}
		if idRequired && !hasID {
			p.report(&el, ErrEntry, "%s entry has no id; each one must have an id URL", what)
		}
		set.Items = append(set.Items, o)
	}
	return set
}

// relatedResources reads relatedResource: objects with an id URL and a
// digestSRI or digestMultibase.
func (p *parser) relatedResources(l *loc, v []byte) Set[RelatedResource] {
	var set Set[RelatedResource]
	defer p.release(p.mark())
	es := p.elements(l, v, "relatedResource", ErrEntry, 0)
	set.Single = es.single
	if es.n == 0 {
		return set
	}
	set.Items = make([]RelatedResource, 0, es.n)
	mark := p.mark()
	for i := range es.n {
		p.release(mark)
		e := es.at(i)
		el := at(l, i, es.single)
		ms, ok := p.members(e)
		if !ok {
			p.report(&el, ErrEntry, "relatedResource entries must be objects, not %s", kindName(e))
			continue
		}
		var r RelatedResource
		var hasID bool
		for _, m := range ms {
			var dst *string
			var name string
			switch m.name {
			case "id":
				hasID = true
				ml := el.member("id")
				r.ID = p.id(&ml, m.value, ErrID, "relatedResource", " id")
				continue
			case "digestSRI":
				dst, name = &r.DigestSRI, "digestSRI"
			case "digestMultibase":
				dst, name = &r.DigestMultibase, "digestMultibase"
			case "mediaType":
				dst, name = &r.MediaType, "mediaType"
			default:
				addExtra(&r.Extra, m)
				continue
			}
			s, ok := p.str(m.value)
			if !ok || s == "" {
				ml := el.member(name)
				p.report(&ml, ErrEntry, "relatedResource %s must be a non-empty string, not %s", name, describe(m.value))
			}
			*dst = s
		}
		if !hasID {
			p.report(&el, ErrEntry, "relatedResource entry has no id; each one must have an id URL")
		}
		if find(ms, "digestSRI") == nil && find(ms, "digestMultibase") == nil {
			p.report(&el, ErrEntry, "relatedResource entry has neither digestSRI nor digestMultibase; it must have one")
		}
		set.Items = append(set.Items, r)
	}
	return set
}

// proofs reads proof: one or more objects, each with a type, kept raw.
func (p *parser) proofs(l *loc, v []byte) Set[json.RawMessage] {
	var set Set[json.RawMessage]
	defer p.release(p.mark())
	es := p.elements(l, v, "proof", ErrProof, limits.MaxProofs)
	set.Single = es.single
	if es.n == 0 {
		return set
	}
	set.Items = make([]json.RawMessage, 0, es.n)
	mark := p.mark()
	for i := range es.n {
		p.release(mark)
		e := es.at(i)
		el := at(l, i, es.single)
		ms, ok := p.members(e)
		if !ok {
			p.report(&el, ErrProof, "proof entries must be objects, not %s", kindName(e))
			continue
		}
		if t := find(ms, "type"); t == nil {
			p.report(&el, ErrProof, "proof has no type; each proof must have one")
		} else {
			tl := el.member("type")
			p.types(&tl, t, ErrProof, "proof")
		}
		set.Items = append(set.Items, raw(e))
	}
	return set
}

// text reads name or description: a string, a language value object or
// an array of them.
func (p *parser) text(l *loc, v []byte, what string) Set[LanguageValue] {
	var set Set[LanguageValue]
	defer p.release(p.mark())
	es := p.elements(l, v, what, ErrText, 0)
	set.Single = es.single
	if es.n == 0 {
		return set
	}
	set.Items = make([]LanguageValue, 0, es.n)
	mark := p.mark()
	for i := range es.n {
		p.release(mark)
		e := es.at(i)
		el := at(l, i, es.single)
		switch kind(e) {
		case kindString:
			s, _ := p.str(e)
			set.Items = append(set.Items, LanguageValue{Value: s})
		case kindObject:
			set.Items = append(set.Items, p.languageValue(&el, e, what))
		default:
			p.report(&el, ErrText, "%s must be a string, a language value object or an array of them, not %s", what, kindName(e))
		}
	}
	return set
}

// languageValue reads a language value object (VCDM 2.0 section 11.1).
func (p *parser) languageValue(l *loc, v []byte, what string) LanguageValue {
	lv := LanguageValue{Object: true}
	defer p.release(p.mark())
	ms, _ := p.members(v)
	hasValue := false
	for _, m := range ms {
		s, isString := p.str(m.value)
		switch m.name {
		case "@value":
			hasValue = true
			if !isString {
				ml := l.member("@value")
				p.report(&ml, ErrText, "%s @value must be a string, not %s", what, kindName(m.value))
			}
			lv.Value = s
		case "@language":
			if !isString || !isLanguageTag(s) {
				ml := l.member("@language")
				p.report(&ml, ErrText, "%s @language %s is not a BCP 47 language tag", what, describe(m.value))
			}
			lv.Language = s
		case "@direction":
			if s != "ltr" && s != "rtl" {
				ml := l.member("@direction")
				p.report(&ml, ErrText, "%s @direction must be \"ltr\" or \"rtl\", not %s", what, describe(m.value))
			}
			lv.Direction = s
		default:
			name := m.name
			ml := l.member(name)
			p.report(&ml, ErrText, "a language value object may only have @value, @language and @direction, not %s", strconv.Quote(name))
		}
	}
	if !hasValue {
		p.report(l, ErrText, "%s language value object has no @value", what)
	}
	return lv
}

// isLanguageTag checks the shape of a BCP 47 tag: subtags of one to eight
// letters or digits joined by '-', the first of two to eight letters (or
// "x" / "i" for private-use and grandfathered tags).
func isLanguageTag(s string) bool {
	if s == "" {
		return false
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			if !isAlpha(c) && (i == 0 || !isDigit(c)) {
				return false
			}
		}
		if i == 0 && len(sub) == 1 && sub != "x" && sub != "X" && sub != "i" && sub != "I" {
			return false
		}
	}
	return true
}

// presentation reads a presentation from its top-level members.
func (p *parser) presentation(l *loc, ms []member) *Presentation {
	vp := &Presentation{}
	if ctx := find(ms, "@context"); ctx == nil {
		p.report(l, ErrContext, "@context is missing; a verifiable presentation must have one whose first entry is %s", ContextV2)
	} else {
		cl := l.member("@context")
		vp.Context, _ = p.context(&cl, ctx, TypePresentation)
	}
	var typeRaw []byte
	for _, m := range ms {
		switch m.name {
		case "@context":
		case "id":
			ml := l.member("id")
			vp.ID = p.id(&ml, m.value, ErrID, "the presentation", " id")
		case "type":
			ml := l.member("type")
			typeRaw = m.value
			vp.Type = p.types(&ml, m.value, ErrType, "the presentation")
		case "holder":
			ml := l.member("holder")
			vp.Holder = p.holder(&ml, m.value)
		case "verifiableCredential":
			ml := l.member("verifiableCredential")
			vp.VerifiableCredential = p.presented(&ml, m.value)
		case "proof":
			ml := l.member("proof")
			vp.Proof = p.proofs(&ml, m.value)
		default:
			addExtra(&vp.Extra, m)
		}
	}
	if typeRaw == nil {
		p.report(l, ErrType, "type is missing; a verifiable presentation must have a type that includes %s", TypePresentation)
	} else {
		tl := l.member("type")
		p.requireType(&tl, vp.Type, typeRaw, TypePresentation)
	}
	return vp
}

// presented reads verifiableCredential: one or more objects, each a
// credential or an EnvelopedVerifiableCredential.
func (p *parser) presented(l *loc, v []byte) Set[PresentedCredential] {
	var set Set[PresentedCredential]
	defer p.release(p.mark())
	es := p.elements(l, v, "verifiableCredential", ErrEntry, limits.MaxPresentationCredentials)
	set.Single = es.single
	if es.n == 0 {
		return set
	}
	set.Items = make([]PresentedCredential, 0, es.n)
	mark := p.mark()
	for i := range es.n {
		p.release(mark)
		e := es.at(i)
		el := at(l, i, es.single)
		ms, ok := p.members(e)
		if !ok {
			p.report(&el, ErrEntry, "verifiableCredential entries must be objects (a credential or an %s), not %s", TypeEnvelopedCredential, kindName(e))
			continue
		}
		var pc PresentedCredential
		if p.typeIncludes(find(ms, "type"), TypeEnvelopedCredential) {
			pc.Envelope = p.envelope(&el, ms, TypeEnvelopedCredential)
		} else {
			pc.Credential = p.credential(&el, ms)
		}
		set.Items = append(set.Items, pc)
	}
	return set
}

// envelope reads an EnvelopedVerifiableCredential or
// EnvelopedVerifiablePresentation (want says which).
func (p *parser) envelope(l *loc, ms []member, want string) *Envelope {
	e := &Envelope{}
	if ctx := find(ms, "@context"); ctx == nil {
		p.report(l, ErrContext, "@context is missing; an %s must have one whose first entry is %s", want, ContextV2)
	} else {
		cl := l.member("@context")
		e.Context, _ = p.context(&cl, ctx, want)
	}
	var typeRaw []byte
	hasID := false
	for _, m := range ms {
		switch m.name {
		case "@context":
		case "id":
			hasID = true
			ml := l.member("id")
			s, ok := p.str(m.value)
			if !ok {
				p.report(&ml, ErrEnvelope, "the id of an %s must be a data: URL string, not %s", want, kindName(m.value))
				continue
			}
			if _, _, err := parseDataURLHeader(s); err != nil {
				p.report(&ml, ErrEnvelope, "the id of an %s must be a data: URL; %s %v", want, describe(m.value), err)
			}
			e.ID = s
		case "type":
			ml := l.member("type")
			typeRaw = m.value
			e.Type = p.types(&ml, m.value, ErrType, "the envelope")
		default:
			addExtra(&e.Extra, m)
		}
	}
	if !hasID {
		p.report(l, ErrEnvelope, "an %s must have an id, the data: URL that carries it", want)
	}
	if typeRaw == nil {
		p.report(l, ErrType, "type is missing; it must include %s", want)
	} else {
		tl := l.member("type")
		p.requireType(&tl, e.Type, typeRaw, want)
	}
	return e
}
