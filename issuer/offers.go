package issuer

import (
	"context"
	"fmt"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

// placeholderSubject stands for the wallet while an offer's row is checked.
const placeholderSubject = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

// CreateOffer checks an offer's cells as IssueOne would check its row (so
// that HR hears of a mistake now, not when the wallet comes) and records
// the offer in reg. Offers are of SD-JWT VCs, and name no subject: the
// wallet's key becomes it.
func CreateOffer(ctx context.Context, reg *registry.Registry, req registry.OfferRequest) (*registry.CreatedOffer, error) {
	if reg == nil || req.Actor == "" || req.IssuerURL == "" || req.Now.IsZero() {
		return nil, fmt.Errorf("%w: an offer needs a registry, an actor, an issuer URL and a time", ErrOptions)
	}
	if req.Format != string(FormatSDJWT) {
		return nil, fmt.Errorf("%w: offers are of SD-JWT VCs (%s), not %s", ErrOptions, FormatSDJWT, req.Format)
	}
	if _, ok := req.Cells[staff.ColumnSubject]; ok {
		return nil, fmt.Errorf("%w: an offer names no subject: the wallet's key becomes it", ErrOptions)
	}
	cells := make(map[string]string, len(req.Cells)+1)
	for k, v := range req.Cells {
		cells[k] = v
	}
	cells[staff.ColumnSubject] = placeholderSubject
	row := staff.CSVRow{Cells: cells}
	if _, err := staff.ParseRow(req.Type, row, staff.DateOf(req.Now)); err != nil {
		return nil, joinFailures(rowFailures(row, err))
	}
	return reg.CreateOffer(ctx, req)
}
