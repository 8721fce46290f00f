package cmdutil

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// AddMaxDeliveryLagFlag registers --max-delivery-lag: how old the newest delivered record may be before
// vpc-flow-logs-delivering says STALE (and how long a new flow log may take to deliver its first records).
func AddMaxDeliveryLagFlag(fs *pflag.FlagSet, p *time.Duration) {
	fs.DurationVar(p, "max-delivery-lag", engine.DefaultMaxDeliveryLag(),
		"vpc-flow-logs-delivering: the oldest the newest record may be, and the grace period of a new flow log (AWS: up to 10 min aggregation + 5-10 min delivery + up to 1 h until a log stream's last event time is updated)")
}

// DeliveryOptions are the options of a live read that collects delivery evidence when enabled: when one of
// the checks run requires the "delivery" collection (checks.Need), or a query reads delivery fields. The
// window read reaches at least twice the lag accepted. p, when not nil, shows the destinations read on a
// terminal.
func DeliveryOptions(enabled bool, maxLag time.Duration, now func() time.Time, p *Progress) awsapi.DeliveryOptions {
	o := awsapi.DeliveryOptions{Enabled: enabled, Window: max(inventory.DeliveryWindow, 2*maxLag), Now: now}
	if p != nil && p.Enabled() {
		o.Progress = func(done, total int) {
			p.Show(fmt.Sprintf("reading flow-log destinations: %d/%d (log groups, bucket prefixes, delivery streams)", done, total))
		}
	}
	return o
}
