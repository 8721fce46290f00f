package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Overview is the dashboard's main page and `flowguard history`'s report: the same numbers from the same
// queries.
type Overview struct {
	Filter Filter `json:"-"`
	// Latest is the newest scan the filter selects (nil when there is none).
	Latest *ScanInfo          `json:"latest"`
	Trend  []TrendPoint       `json:"trend"`
	Change *TrendPoint        `json:"change,omitempty"` // the latest point's changes
	Delta  *float64           `json:"compliance_delta"` // latest compliance minus the first point's
	First  *TrendPoint        `json:"first,omitempty"`
	Groups map[string][]Group `json:"breakdown"`
	// Changes are the changes in the filter's time range (newest first, bounded).
	Changes      []Change `json:"changes"`
	OpenFailures int      `json:"open_failures"`
	FixStats     FixStats `json:"time_to_fix"`
	Expiring     int      `json:"exceptions_expiring"`
	Expired      int      `json:"exceptions_expired"`
}

// MaxOverviewChanges bounds the changes an overview lists.
const MaxOverviewChanges = 200

// BuildOverview reads the overview of f at time now.
func BuildOverview(ctx context.Context, s Store, f Filter, now time.Time) (*Overview, error) {
	o := &Overview{Filter: f, Groups: map[string][]Group{}}
	trend, err := s.Trend(ctx, f)
	if err != nil {
		return nil, err
	}
	o.Trend = trend
	if len(trend) > 0 {
		last := trend[len(trend)-1]
		o.Change, o.First = &last, &trend[0]
		if last.Compliance != nil && trend[0].Compliance != nil {
			d := *last.Compliance - *trend[0].Compliance
			o.Delta = &d
		}
		si, err := s.Scan(ctx, last.ScanID)
		if err != nil {
			return nil, err
		}
		o.Latest = &si
		for _, d := range []Dimension{ByAccount, ByRegion, ByCheck} {
			g, err := s.Breakdown(ctx, last.ScanID, d, f)
			if err != nil {
				return nil, err
			}
			o.Groups[string(d)] = g
		}
	}
	// The changes of the time range, or (with no range) of the latest scan.
	cf := f
	cf.Limit = MaxOverviewChanges
	if f.Since.IsZero() && f.Until.IsZero() && f.Scan == 0 && o.Latest != nil {
		cf.Scan = o.Latest.ID
	}
	if o.Changes, err = s.Changes(ctx, cf); err != nil {
		return nil, err
	}
	of := f
	of.Limit = 1
	_, stats, err := s.OpenFailures(ctx, of, now)
	if err != nil {
		return nil, err
	}
	o.FixStats = stats
	if o.OpenFailures, err = s.CountOpen(ctx, f); err != nil {
		return nil, err
	}
	ex, err := s.Exceptions(ctx, Filter{Account: f.Account, Within: f.Within}, now)
	if err != nil {
		return nil, err
	}
	for _, e := range ex {
		switch e.Urgency {
		case "soon":
			o.Expiring++
		case "expired":
			o.Expired++
		}
	}
	return o, nil
}

// ParseTime reads an RFC 3339 time, a date (2026-01-02, UTC) or an age before now (30d, 12h); "" is zero.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if strings.HasSuffix(s, "d") {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n >= 0 && n < 100000 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: want a date (2026-01-02), an RFC 3339 time or an age (30d, 12h)", s)
}
