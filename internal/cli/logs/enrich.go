package logs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/source"
)

// EnrichOptions join the records to an inventory: a saved snapshot (--snapshot) or a live read (--enrich).
type EnrichOptions struct {
	Snapshot       string
	Live           bool
	By             string
	SensitivePorts []int
}

func (o *EnrichOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Snapshot, "snapshot", "", "join the records to this saved inventory (scan --read-network --save-snapshot): resources, reject causes, exposure")
	fs.BoolVar(&o.Live, "enrich", false, "join the records to the inventory read live from AWS (--profile, --region): resources, reject causes, exposure")
	fs.StringVar(&o.By, "by", analyze.ByAddress, "key the top lists by address or resource (needs --snapshot or --enrich; JSON and HTML carry both)")
	ports := make([]int, len(enrich.DefaultSensitivePorts))
	for i, p := range enrich.DefaultSensitivePorts {
		ports[i] = int(p)
	}
	fs.IntSliceVar(&o.SensitivePorts, "sensitive-ports", ports, "destination ports whose ACCEPTed internet traffic is exposure evidence")
}

// enabled says whether an inventory is to be joined.
func (o *EnrichOptions) enabled() bool { return o.Snapshot != "" || o.Live }

// check validates the flags (a usage error) and returns the sensitive ports.
func (o *EnrichOptions) check(fs *pflag.FlagSet) ([]int32, error) {
	if o.Snapshot != "" && o.Live {
		return nil, cmdutil.UsageError("use --snapshot or --enrich, not both")
	}
	if o.By != analyze.ByAddress && o.By != analyze.ByResource {
		return nil, cmdutil.UsageError("--by %q: want address or resource", o.By)
	}
	if !o.enabled() {
		for _, name := range []string{"by", "sensitive-ports"} {
			if f := fs.Lookup(name); f != nil && f.Changed {
				return nil, cmdutil.UsageError("--%s needs an inventory: --snapshot FILE or --enrich", name)
			}
		}
		return nil, nil
	}
	out := []int32{}
	for _, p := range o.SensitivePorts {
		if p < 0 || p > 65535 {
			return nil, cmdutil.UsageError("bad --sensitive-ports %d", p)
		}
		out = append(out, int32(p))
	}
	return out, nil
}

// loadIndex reads the inventory and builds the lookup index. Read problems inside the estate (a region
// whose security groups could not be read) become notes of the report; an inventory that cannot be used at
// all is an error.
func loadIndex(ctx context.Context, o *ReportOptions, ports []int32) (*enrich.Index, error) {
	src, err := source.FromOptions(source.Options{Snapshot: o.Enrich.Snapshot, Regions: o.AWS.NormalizedRegions(),
		Concurrency: cmdutil.DefaultConcurrency, Network: inventory.NetworkCollections,
		AWSConfig: func(ctx context.Context) (aws.Config, error) { return o.AWSConfig(ctx, o.AWS) }})
	if err != nil {
		return nil, cmdutil.UsageError("%v", err)
	}
	snap, err := src.Load(ctx)
	if err != nil {
		return nil, cmdutil.InputError("", fmt.Errorf("inventory (%s): %w", src.Describe(), err))
	}
	ix := enrich.New(snap, enrich.Options{SensitivePorts: ports})
	for _, e := range readErrors(snap) {
		ix.Notes = append(ix.Notes, "inventory not complete: "+e.Error())
	}
	return ix, nil
}

func readErrors(s *inventory.Snapshot) []inventory.ReadError {
	out := append([]inventory.ReadError{}, s.Errors...)
	for _, r := range s.Regions {
		out = append(out, r.Errors...)
	}
	return out
}
