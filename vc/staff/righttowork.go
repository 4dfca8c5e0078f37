package staff

// RightToWorkRoute is how the right to work was checked (Home Office,
// "Employer's guide to right to work checks").
type RightToWorkRoute string

// Right to work check routes.
const (
	// RouteManualCheck: the employer checked original documents from
	// the Home Office lists.
	RouteManualCheck RightToWorkRoute = "manual-document-check"
	// RouteOnlineCheck: the employer used the Home Office online service
	// with the person's share code.
	RouteOnlineCheck RightToWorkRoute = "home-office-online-check"
	// RouteIdentityProvider: a certified identity service provider
	// checked a valid British or Irish passport (or Irish passport card).
	RouteIdentityProvider RightToWorkRoute = "identity-service-provider"
)

var rightToWorkRoutes = []RightToWorkRoute{RouteManualCheck, RouteOnlineCheck, RouteIdentityProvider}

// RightToWorkStatus says whether the right to work is time-limited.
type RightToWorkStatus string

// Right to work statuses.
const (
	// RightToWorkUnlimited: a continuous statutory excuse (British or
	// Irish citizen, settled status, indefinite leave).
	RightToWorkUnlimited RightToWorkStatus = "unlimited"
	// RightToWorkTimeLimited: permission to work ends on a date, and the
	// employer must check again before then.
	RightToWorkTimeLimited RightToWorkStatus = "time-limited"
)

var rightToWorkStatuses = []RightToWorkStatus{RightToWorkUnlimited, RightToWorkTimeLimited}

// RightToWork says that an employer checked a person's right to work in the
// United Kingdom (RightToWorkCredential).
type RightToWork struct {
	Route RightToWorkRoute `json:"rightToWorkRoute"`
	// IdentityProvider names the identity service provider; required for
	// RouteIdentityProvider, and only then.
	IdentityProvider string `json:"identityProvider,omitempty"`
	// ShareCodeHash is the salted hash of the Home Office share code;
	// required for RouteOnlineCheck, and only then. Never the share code.
	ShareCodeHash SaltedHash        `json:"shareCodeHash,omitzero"`
	Status        RightToWorkStatus `json:"rightToWorkStatus"`
	// PermissionExpiryDate is the day the permission to work ends;
	// required when time-limited, and only then.
	PermissionExpiryDate Date `json:"permissionExpiryDate,omitzero"`
	// FollowUpDate is the day by which the employer must check again, no
	// later than PermissionExpiryDate; required when time-limited, and
	// only then.
	FollowUpDate Date `json:"followUpDate,omitzero"`
	// WorkRestrictions lists restrictions on the work, in words ("no
	// self-employment"); only for time-limited permission.
	WorkRestrictions []string `json:"workRestrictions,omitempty"`
	// MaxHoursPerWeek caps the hours of work a week (a student visa,
	// say); 0 means no cap. Only for time-limited permission.
	MaxHoursPerWeek int  `json:"maxHoursPerWeek,omitempty"`
	CheckDate       Date `json:"checkDate"`
}

func (*RightToWork) CredentialType() string { return TypeRightToWork }
func (*RightToWork) sealed()                {}

func (v *RightToWork) Validate(issued Date) error {
	c := &checker{issued: issued}
	oneOf(c, field("rightToWorkRoute"), v.Route, true, rightToWorkRoutes)
	oneOf(c, field("rightToWorkStatus"), v.Status, true, rightToWorkStatuses)
	c.pastDate(field("checkDate"), v.CheckDate, true, "the check date")

	if v.Route == RouteIdentityProvider {
		c.text(field("identityProvider"), v.IdentityProvider, true)
		if v.Status == RightToWorkTimeLimited {
			c.add(field("rightToWorkStatus"), ErrContradiction, "an identity service provider can only check British or Irish passports, which give an unlimited right to work")
		}
	} else if v.IdentityProvider != "" {
		c.add(field("identityProvider"), ErrNotAllowed, "is only for checks by an identity service provider")
	}
	if v.Route == RouteOnlineCheck {
		c.saltedHash(field("shareCodeHash"), v.ShareCodeHash, true)
	} else if !v.ShareCodeHash.IsZero() {
		c.add(field("shareCodeHash"), ErrNotAllowed, "is only for Home Office online checks")
	}

	switch v.Status {
	case RightToWorkTimeLimited:
		if v.PermissionExpiryDate.IsZero() {
			c.add(field("permissionExpiryDate"), ErrMissing, "is required when the right to work is time-limited")
		}
		if v.FollowUpDate.IsZero() {
			c.add(field("followUpDate"), ErrMissing, "is required when the right to work is time-limited")
		}
		if !v.PermissionExpiryDate.IsZero() && !v.CheckDate.IsZero() && !v.PermissionExpiryDate.After(v.CheckDate) {
			c.add(field("permissionExpiryDate"), ErrContradiction, "the permission expiry date %s is not after the check date %s", v.PermissionExpiryDate, v.CheckDate)
		}
		if !v.FollowUpDate.IsZero() && !v.CheckDate.IsZero() && v.FollowUpDate.Before(v.CheckDate) {
			c.add(field("followUpDate"), ErrContradiction, "the follow-up date %s is before the check date %s", v.FollowUpDate, v.CheckDate)
		}
		if !v.FollowUpDate.IsZero() && !v.PermissionExpiryDate.IsZero() && v.FollowUpDate.After(v.PermissionExpiryDate) {
			c.add(field("followUpDate"), ErrContradiction, "the follow-up date %s is after the permission expires on %s", v.FollowUpDate, v.PermissionExpiryDate)
		}
		c.texts(field("workRestrictions"), v.WorkRestrictions)
		if v.MaxHoursPerWeek < 0 || v.MaxHoursPerWeek > 168 {
			c.add(field("maxHoursPerWeek"), ErrFormat, "must be 1 to 168")
		}
	case RightToWorkUnlimited:
		if !v.PermissionExpiryDate.IsZero() {
			c.add(field("permissionExpiryDate"), ErrNotAllowed, "an unlimited right to work has no expiry date")
		}
		if !v.FollowUpDate.IsZero() {
			c.add(field("followUpDate"), ErrNotAllowed, "an unlimited right to work needs no follow-up check")
		}
		if len(v.WorkRestrictions) > 0 {
			c.add(field("workRestrictions"), ErrNotAllowed, "an unlimited right to work has no work restrictions")
		}
		if v.MaxHoursPerWeek != 0 {
			c.add(field("maxHoursPerWeek"), ErrNotAllowed, "an unlimited right to work has no cap on hours")
		}
	}
	return c.err()
}
