package engine_test

import "github.com/flowguard/flowguard/internal/testenv/faultproxy"

// awsTelemetry answers Observability Admin calls as AWS does in an account without telemetry rules that is not
// the organization's management account: no account rule, organization calls refused. Moto does not offer
// the service (it answers HTTP 500, which the SDK retries), so benchmarks that count calls per region let the
// proxy answer them, as AWS would, instead of counting moto's retries.
func awsTelemetry(c faultproxy.Call) (int, []byte, bool) {
	if c.Service != "observabilityadmin" {
		return 0, nil, false
	}
	if c.Action == "ListTelemetryRules" {
		return 200, []byte(`{"TelemetryRuleSummaries":[]}`), true
	}
	return 403, []byte(`{"__type":"AccessDeniedException","Message":"not the management account"}`), true
}
