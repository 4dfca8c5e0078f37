package staff

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/staffpass/staffpass/vc"
)

// Staff credentials as SD-JWT VCs
//
// A staff credential issued as an SD-JWT VC (RFC 9901 and the SD-JWT VC
// draft) says what its VC Data Model form says, with two differences: its
// subject's members are the SD-JWT VC's claims (beside iss, vct, iat, nbf,
// exp, jti, sub, cnf and status), and each identifier the VC Data Model form
// holds as a salted PBKDF2 hash (a document number, a DBS certificate
// number, a share code) is the identifier itself, under the member's name
// without "Hash" (certificateNumber for certificateNumberHash), as a
// selectively disclosable claim. Its Disclosure's 128-bit random salt keeps
// a verifier who is not shown it from guessing it from the digest, so no
// slow hash is needed. The date of birth is selectively disclosable too.
// Its vct is VCTPrefix followed by the credential type.

// VCTPrefix begins the vct of every staff SD-JWT VC.
const VCTPrefix = "https://w3id.org/staffpass/vct/"

// VCT returns the vct of a staff credential type.
func VCT(credentialType string) string { return VCTPrefix + credentialType }

// hashSuffix ends the name of every salted hash member.
const hashSuffix = "Hash"

// PlaceholderClaims returns the row's claims with a placeholder in place of
// each salted hash (the shape of one, no PBKDF2), for a credential issued as
// an SD-JWT VC, and each identifier (normalised: letters upper-cased,
// spaces and hyphens dropped, as the hash would take it) by the JSON Pointer
// of its hash in the credential.
func (r *Row) PlaceholderClaims() (Claims, map[string]string, error) {
	var errs cellErrors
	plain := map[string]string{}
	claims, b := r.build(&errs, func(ptr, _, id string) (SaltedHash, error) {
		n, err := normaliseIdentifier(id)
		if err != nil {
			return SaltedHash{}, err
		}
		plain[ptr] = string(n)
		return placeholderHash(), nil
	})
	if b.hashErr != nil {
		return nil, nil, b.hashErr
	}
	if err := errs.err(r.Line); err != nil {
		return nil, nil, err
	}
	return claims, plain, nil
}

// SDJWTClaims turns the subject of a staff credential (its JSON, as the
// registry would sign it, with placeholder hashes) into the claims of its
// SD-JWT VC form: the subject's members but its id and type, each hash at a
// pointer of plain (pointers into the credential, as PlaceholderClaims
// gives them) replaced by its identifier. It returns the claims and the
// JSON Pointers, into the claims, to make selectively disclosable: the
// identifiers and the date of birth.
func SDJWTClaims(subject map[string]any, plain map[string]string) (map[string]any, []string, error) {
	out := make(map[string]any, len(subject))
	for k, v := range subject {
		if k != "id" && k != "type" {
			out[k] = v
		}
	}
	var disclosable []string
	for ptr, id := range plain {
		rel, ok := strings.CutPrefix(ptr, subjectPointer+"/")
		if !ok {
			return nil, nil, fmt.Errorf("staff: %s is not in the credential's subject", ptr)
		}
		tokens := strings.Split(rel, "/")
		parent, err := walk(out, tokens[:len(tokens)-1])
		if err != nil {
			return nil, nil, fmt.Errorf("staff: %s: %w", ptr, err)
		}
		name := tokens[len(tokens)-1]
		plainName, ok := strings.CutSuffix(name, hashSuffix)
		if !ok || plainName == "" {
			return nil, nil, fmt.Errorf("staff: %s is not a salted hash member", ptr)
		}
		if _, ok := parent[name]; !ok {
			return nil, nil, fmt.Errorf("staff: %s: no such member", ptr)
		}
		delete(parent, name)
		parent[plainName] = id
		disclosable = append(disclosable, "/"+strings.Join(append(tokens[:len(tokens)-1:len(tokens)-1], plainName), "/"))
	}
	if _, ok := out["dateOfBirth"]; ok {
		disclosable = append(disclosable, "/dateOfBirth")
	}
	slices.Sort(disclosable)
	return out, disclosable, nil
}

// walk follows JSON Pointer tokens through objects and arrays to an object.
func walk(v any, tokens []string) (map[string]any, error) {
	for _, t := range tokens {
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("no element %s", t)
			}
			v = x[i]
		default:
			return nil, errors.New("not an object or array")
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object")
	}
	return m, nil
}

// identifierNames are the plain names SD-JWT VC claims give identifiers,
// and the hash members they stand for in the VC Data Model form.
var identifierNames = map[string]string{
	"certificateNumber": "certificateNumberHash",
	"documentNumber":    "documentNumberHash",
	"shareCode":         "shareCodeHash",
}

// CredentialFromSDJWT makes, from the disclosed claims of a verified staff
// SD-JWT VC (vct VCTPrefix + type), the VC Data Model credential a role is
// judged on: issuer issuer, subject subject, valid from validFrom until
// validUntil (RFC 3339; "" for none). Every identifier, disclosed or kept
// back, stands as a placeholder hash: no role judges a number, and a
// disclosed one is the verifier's to read in the claims. A member a type
// requires that the holder kept back leaves the credential invalid for
// FromCredential, which says which.
//
// withheld counts the claims the holder kept back, by the JSON Pointer of
// the object they belong to (verifier.Result.Withheld). Staff SD-JWT VCs
// make only the identifiers and the date of birth selectively disclosable:
// a claim kept back anywhere else, or more claims kept back in an object
// than it has identifiers missing, could be one a role reads (conditions
// on a registration, a review date), and the credential is refused rather
// than judged as if the claim were absent.
func CredentialFromSDJWT(claims map[string]any, withheld map[string]int, issuer, subject, validFrom, validUntil string) (*vc.Credential, error) {
	vct, _ := claims["vct"].(string)
	typ, ok := strings.CutPrefix(vct, VCTPrefix)
	if !ok || newClaims(typ) == nil {
		return nil, fmt.Errorf("%w: vct %q is not a staff credential type", ErrType, vct)
	}
	// The claims are the caller's (a verifier's Result): work on a copy.
	data, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	claims = nil
	if err := dec.Decode(&claims); err != nil {
		return nil, err
	}
	if err := checkWithheld(typ, claims, withheld); err != nil {
		return nil, err
	}
	sub := map[string]any{"id": subject}
	for k, v := range claims {
		switch k {
		case "iss", "vct", "vct#integrity", "iat", "nbf", "exp", "jti", "sub", "cnf", "status":
			continue
		}
		sub[k] = v
	}
	placeholder, err := json.Marshal(placeholderHash())
	if err != nil {
		return nil, err
	}
	var ph any
	if err := json.Unmarshal(placeholder, &ph); err != nil {
		return nil, err
	}
	hashIdentifiers(sub, ph)
	fillKeptBack(sub, typ, ph)
	set, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	sch := set.byKey[typ]
	doc := map[string]any{
		"@context":          []any{vc.ContextV2, ContextURL},
		"type":              []any{vc.TypeCredential, typ},
		"issuer":            issuer,
		"credentialSubject": sub,
		"credentialSchema":  map[string]any{"id": sch.id, "type": TypeJSONSchema, "digestSRI": sch.sri},
	}
	if id, ok := claims["jti"].(string); ok {
		// A jti that is no URL (RFC 7519 allows any string) cannot be the
		// credential's id; the role then names it by its place.
		if u, err := url.Parse(id); err == nil && u.Scheme != "" {
			doc["id"] = id
		}
	}
	if validFrom != "" {
		doc["validFrom"] = validFrom
	}
	if validUntil != "" {
		doc["validUntil"] = validUntil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return vc.Parse(out)
}

// hashIdentifiers replaces, through v, each plain identifier with the
// placeholder hash under the hash member's name.
func hashIdentifiers(v any, ph any) {
	switch x := v.(type) {
	case map[string]any:
		for plainName, hashName := range identifierNames {
			if _, ok := x[plainName]; ok {
				delete(x, plainName)
				x[hashName] = ph
			}
		}
		for _, e := range x {
			hashIdentifiers(e, ph)
		}
	case []any:
		for _, e := range x {
			hashIdentifiers(e, ph)
		}
	}
}

// fillKeptBack puts a placeholder hash where typ requires an identifier the
// holder kept back: the DBS certificate number, the share code of a Home
// Office online check, the number of a document that has one.
func fillKeptBack(sub map[string]any, typ string, ph any) {
	put := func(m map[string]any, name string) {
		if _, ok := m[name]; !ok {
			m[name] = ph
		}
	}
	switch typ {
	case TypeDBSCheck:
		put(sub, "certificateNumberHash")
	case TypeRightToWork:
		if sub["rightToWorkRoute"] == string(RouteOnlineCheck) {
			put(sub, "shareCodeHash")
		}
	case TypeIdentityCheck:
		docs, _ := sub["documentsSeen"].([]any)
		for _, d := range docs {
			m, ok := d.(map[string]any)
			if !ok {
				continue
			}
			if t, _ := m["documentType"].(string); slices.Contains(numbered, DocumentType(t)) {
				put(m, "documentNumberHash")
			}
		}
	}
}

// withholdable are, by staff type, the claims a holder may keep back, by
// where they are: "" for the subject, "/documentsSeen/*" for each document.
var withholdable = map[string]map[string][]string{
	TypeDBSCheck:      {"": {"certificateNumber"}},
	TypeRightToWork:   {"": {"shareCode"}},
	TypeIdentityCheck: {"": {"dateOfBirth"}, "/documentsSeen/*": {"documentNumber"}},
}

// checkWithheld refuses claims kept back where a staff credential of typ
// makes nothing selectively disclosable, or more than the identifiers (and
// date of birth) missing there.
func checkWithheld(typ string, claims map[string]any, withheld map[string]int) error {
	for loc, n := range withheld {
		if n <= 0 {
			continue
		}
		pattern := loc
		if rest, ok := strings.CutPrefix(loc, "/documentsSeen/"); ok && !strings.Contains(rest, "/") {
			pattern = "/documentsSeen/*"
		}
		names := withholdable[typ][pattern]
		obj, err := walk(claims, splitPointer(loc))
		missing := 0
		if err == nil {
			for _, name := range names {
				if _, ok := obj[name]; !ok {
					missing++
				}
			}
		}
		if n > missing {
			where := loc
			if where == "" {
				where = "the credential"
			}
			return fmt.Errorf("%w: %d claim(s) of %s kept back, which a %s does not let its holder withhold: a role cannot be judged on it", ErrMissing, n, where, typ)
		}
	}
	return nil
}

func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}
