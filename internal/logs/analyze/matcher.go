package analyze

import "github.com/flowguard/flowguard/internal/logs/flowlog"

// Matcher returns the filter as a predicate, for readers other than the report (logs cost, logs export).
func (f Filter) Matcher() func(*flowlog.Record) bool {
	c := compile(f)
	return c.match
}
