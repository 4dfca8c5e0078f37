package staff

import "slices"

// DBSLevel is the level of a Disclosure and Barring Service check.
type DBSLevel string

// DBS check levels, from least to most.
const (
	DBSBasic                   DBSLevel = "basic"
	DBSStandard                DBSLevel = "standard"
	DBSEnhanced                DBSLevel = "enhanced"
	DBSEnhancedWithBarredLists DBSLevel = "enhanced-with-barred-lists"
)

var dbsLevels = []DBSLevel{DBSBasic, DBSStandard, DBSEnhanced, DBSEnhancedWithBarredLists}

// rank returns 1 to 4 from basic to enhanced with barred lists, 0 for an
// unknown level.
func (l DBSLevel) rank() int { return slices.Index(dbsLevels, l) + 1 }

func (l DBSLevel) enhanced() bool { return l == DBSEnhanced || l == DBSEnhancedWithBarredLists }

// Workforce is the workforce an enhanced DBS check was made for.
type Workforce string

// DBS workforces.
const (
	WorkforceAdult         Workforce = "adult"
	WorkforceChild         Workforce = "child"
	WorkforceAdultAndChild Workforce = "adult-and-child"
	WorkforceOther         Workforce = "other"
)

var workforces = []Workforce{WorkforceAdult, WorkforceChild, WorkforceAdultAndChild, WorkforceOther}

// covers reports whether a check for workforce w also covers want.
func (w Workforce) covers(want Workforce) bool {
	return w == want || (w == WorkforceAdultAndChild && (want == WorkforceAdult || want == WorkforceChild))
}

// BarredList is one of the two DBS barred lists.
type BarredList string

// DBS barred lists.
const (
	BarredListAdults   BarredList = "adults"
	BarredListChildren BarredList = "children"
)

var barredLists = []BarredList{BarredListAdults, BarredListChildren}

// DBSCheck says that an employer saw a DBS certificate (DBSCheckCredential).
// It never holds what the certificate disclosed.
type DBSCheck struct {
	Level DBSLevel `json:"dbsLevel"`
	// Workforce is required for the enhanced levels, and only for them.
	Workforce Workforce `json:"dbsWorkforce,omitempty"`
	// BarredListsChecked is required for DBSEnhancedWithBarredLists, and
	// only for it; each list must fall within the workforce (adults for
	// the adult workforce, children for the child workforce).
	BarredListsChecked []BarredList `json:"barredListsChecked,omitempty"`
	// CertificateNumberHash is the salted hash of the certificate number,
	// never the number itself.
	CertificateNumberHash SaltedHash `json:"certificateNumberHash"`
	CertificateIssueDate  Date       `json:"certificateIssueDate"`
	// UpdateServiceSubscribed says the certificate is registered with the
	// DBS Update Service.
	UpdateServiceSubscribed bool `json:"updateServiceSubscribed"`
	// UpdateServiceCheckDate is the date of the last status check on the
	// Update Service; required when subscribed, and only then.
	UpdateServiceCheckDate Date `json:"updateServiceCheckDate,omitzero"`
	CheckDate              Date `json:"checkDate"`
}

func (*DBSCheck) CredentialType() string { return TypeDBSCheck }
func (*DBSCheck) sealed()                {}

func (v *DBSCheck) Validate(issued Date) error {
	c := &checker{issued: issued}
	oneOf(c, field("dbsLevel"), v.Level, true, dbsLevels)
	oneOf(c, field("dbsWorkforce"), v.Workforce, false, workforces)
	switch {
	case v.Level.enhanced() && v.Workforce == "":
		c.add(field("dbsWorkforce"), ErrMissing, "is required for an enhanced check")
	case (v.Level == DBSBasic || v.Level == DBSStandard) && v.Workforce != "":
		c.add(field("dbsWorkforce"), ErrNotAllowed, "only enhanced checks are made for a workforce, and this one is %s", v.Level)
	}

	lists := field("barredListsChecked")
	switch {
	case v.Level == DBSEnhancedWithBarredLists && len(v.BarredListsChecked) == 0:
		c.add(lists, ErrMissing, "an enhanced check with barred lists must name the lists checked")
	case v.Level != DBSEnhancedWithBarredLists && len(v.BarredListsChecked) > 0:
		c.add(lists, ErrNotAllowed, "a %s check does not include the barred lists", v.Level)
	case len(v.BarredListsChecked) > len(barredLists):
		c.add(lists, ErrFormat, "there are only two barred lists")
	default:
		for i, l := range v.BarredListsChecked {
			p := index(lists, i)
			oneOf(c, p, l, true, barredLists)
			if slices.Contains(v.BarredListsChecked[:i], l) {
				c.add(p, ErrContradiction, "repeats %q", l)
			}
			switch {
			case l == BarredListAdults && !v.Workforce.covers(WorkforceAdult) && v.Workforce != "":
				c.add(p, ErrContradiction, "the adults' barred list can only be checked for the adult workforce, and this check is for %q", v.Workforce)
			case l == BarredListChildren && !v.Workforce.covers(WorkforceChild) && v.Workforce != "":
				c.add(p, ErrContradiction, "the children's barred list can only be checked for the child workforce, and this check is for %q", v.Workforce)
			}
		}
	}

	c.saltedHash(field("certificateNumberHash"), v.CertificateNumberHash, true)
	c.pastDate(field("certificateIssueDate"), v.CertificateIssueDate, true, "the certificate issue date")
	c.pastDate(field("checkDate"), v.CheckDate, true, "the check date")
	if !v.CertificateIssueDate.IsZero() && !v.CheckDate.IsZero() && v.CheckDate.Before(v.CertificateIssueDate) {
		c.add(field("checkDate"), ErrContradiction, "the check date %s is before the certificate was issued on %s", v.CheckDate, v.CertificateIssueDate)
	}
	if v.UpdateServiceSubscribed {
		c.pastDate(field("updateServiceCheckDate"), v.UpdateServiceCheckDate, true, "the Update Service check date")
		if !v.UpdateServiceCheckDate.IsZero() && !v.CertificateIssueDate.IsZero() && v.UpdateServiceCheckDate.Before(v.CertificateIssueDate) {
			c.add(field("updateServiceCheckDate"), ErrContradiction, "the Update Service check date %s is before the certificate was issued on %s", v.UpdateServiceCheckDate, v.CertificateIssueDate)
		}
	} else if !v.UpdateServiceCheckDate.IsZero() {
		c.add(field("updateServiceCheckDate"), ErrNotAllowed, "there is no Update Service check without a subscription")
	}
	return c.err()
}
