// Package accounts decides which AWS accounts a command works on and enters them: the caller's own account
// directly, the others by assuming a role in each (OrganizationAccountAccessRole by default). The list comes
// from --accounts, a file, or the organization (Organizations ListAccounts). An account that cannot be
// entered is reported, not fatal: the others go on.
package accounts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/pagination"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// DefaultRoleName is the role AWS Organizations creates in every member account it creates.
const DefaultRoleName = "OrganizationAccountAccessRole"

// DefaultSessionName is the role session name, as CloudTrail shows it.
const DefaultSessionName = "flowguard"

// Options select and enter accounts.
type Options struct {
	Org             bool     // every ACTIVE account of the organization
	Accounts        []string // explicit ids (comma lists allowed)
	AccountsFile    string   // one id per line; # comments
	RoleName        string   // --assume-role: the role entered in each account other than the caller's
	ExternalID      string
	SessionName     string
	SessionDuration time.Duration
	// Concurrency bounds the accounts entered at once.
	Concurrency int
}

// AddFlags registers the account flags: which accounts (AddSelectFlags) and how to enter them (AddEnterFlags).
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.AddSelectFlags(fs)
	o.AddEnterFlags(fs)
}

// AddSelectFlags registers --org, --accounts and --accounts-file.
func (o *Options) AddSelectFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Org, "org", false, "work on every active account of the AWS Organization (run from the management or a delegated-admin account)")
	fs.StringSliceVar(&o.Accounts, "accounts", nil, "account ids to work on, repeatable or comma-separated")
	fs.StringVar(&o.AccountsFile, "accounts-file", "", "file with one account id per line (# comments)")
}

// AddEnterFlags registers the role flowguard assumes to enter an account other than the caller's:
// --assume-role, --external-id, --session-name and --session-duration.
func (o *Options) AddEnterFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.RoleName, "assume-role", "", "role to assume in each account other than the credentials' own (default with --org/--accounts/--accounts-file: "+DefaultRoleName+")")
	fs.StringVar(&o.ExternalID, "external-id", "", "external id for --assume-role, if its trust policy requires one")
	fs.StringVar(&o.SessionName, "session-name", DefaultSessionName, "role session name for --assume-role (shows in CloudTrail)")
	fs.DurationVar(&o.SessionDuration, "session-duration", time.Hour, "role session duration for --assume-role")
}

// MultiAccount reports whether any account selection flag was given.
func (o *Options) MultiAccount() bool {
	return o.Org || len(o.Accounts) > 0 || o.AccountsFile != ""
}

// MaxAccountsFileBytes bounds --accounts-file (1 MiB: some 70,000 account ids, far more than an organization
// may hold).
const MaxAccountsFileBytes = 1 << 20

var accountID = regexp.MustCompile(`^\d{12}$`)

// List returns the explicitly named account ids (flags and file), validated and de-duplicated.
func (o *Options) List() ([]string, error) {
	var ids []string
	for _, a := range o.Accounts {
		for _, p := range strings.Split(a, ",") {
			if p = strings.TrimSpace(p); p != "" {
				if !accountID.MatchString(p) {
					return nil, fmt.Errorf("--accounts: %q is not a 12-digit account id", p)
				}
				ids = append(ids, p)
			}
		}
	}
	if o.AccountsFile != "" {
		data, err := inventory.ReadLimited(o.AccountsFile, MaxAccountsFileBytes)
		if err != nil {
			return nil, fmt.Errorf("--accounts-file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = strings.TrimSpace(line[:i])
			}
			if line == "" {
				continue
			}
			if !accountID.MatchString(line) {
				return nil, fmt.Errorf("%s:%d: %q is not a 12-digit account id", o.AccountsFile, n, line)
			}
			ids = append(ids, line)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", o.AccountsFile, err)
		}
	}
	return dedupe(ids), nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Select returns the account ids the flags name: --accounts and --accounts-file, plus the organization's
// active accounts with --org, de-duplicated in that order.
func (o *Options) Select(ctx context.Context, cfg aws.Config) ([]string, error) {
	ids, err := o.List()
	if err != nil {
		return nil, err
	}
	if o.Org {
		org, err := OrganizationAccounts(ctx, cfg)
		if err != nil {
			return nil, err
		}
		ids = dedupe(append(ids, org...))
	}
	if o.MultiAccount() && len(ids) == 0 {
		return nil, fmt.Errorf("%w: %s", inventory.ErrNothingToEvaluate, o.describe())
	}
	return ids, nil
}

// describe says where an empty account list came from.
func (o *Options) describe() string {
	var from []string
	if len(o.Accounts) > 0 {
		from = append(from, "--accounts names no account")
	}
	if o.AccountsFile != "" {
		from = append(from, fmt.Sprintf("--accounts-file %s names no account", o.AccountsFile))
	}
	if o.Org {
		from = append(from, "the organization lists no active account")
	}
	return strings.Join(from, "; ")
}

// Resolve lists the accounts to work on and enters each. It returns the targets that could be entered and a
// ReadError for each account that could not. A returned error is a configuration problem (no caller identity,
// organization not readable, bad account list) and means nothing was done.
func Resolve(ctx context.Context, cfg aws.Config, o Options) ([]awsapi.Target, []inventory.ReadError, error) {
	id, err := awsapi.CallerIdentity(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot %w", err)
	}
	self, partition := id.AccountID, id.Partition
	ids, err := o.Select(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if !o.MultiAccount() {
		ids = []string{self}
	}
	limit := o.Concurrency
	if limit <= 0 {
		limit = awsapi.DefaultConcurrency
	}
	var (
		mu      sync.Mutex
		targets []awsapi.Target
		errs    []inventory.ReadError
	)
	g := new(errgroup.Group)
	g.SetLimit(limit)
	for _, acct := range ids {
		g.Go(func() error {
			t := awsapi.Target{AccountID: acct, Partition: partition, Config: cfg}
			if acct != self {
				c, err := Enter(ctx, cfg, partition, acct, o)
				if err != nil {
					mu.Lock()
					errs = append(errs, inventory.ReadError{AccountID: acct, Collection: inventory.CollAccount,
						Operation: "sts:AssumeRole", Code: errorCode(err), Message: err.Error()})
					mu.Unlock()
					return nil
				}
				t.Config = c
			}
			mu.Lock()
			targets = append(targets, t)
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	sort.Slice(targets, func(i, j int) bool { return targets[i].AccountID < targets[j].AccountID })
	sort.Slice(errs, func(i, j int) bool { return errs[i].AccountID < errs[j].AccountID })
	return targets, errs, nil
}

// Enter returns a config whose credentials come from assuming the role in account, checked with one call so
// that an account that cannot be entered is found now, once, instead of as an error in every region.
func Enter(ctx context.Context, cfg aws.Config, partition, account string, o Options) (aws.Config, error) {
	role := o.RoleName
	if role == "" {
		role = DefaultRoleName
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, role)
	prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), arn, func(ao *stscreds.AssumeRoleOptions) {
		ao.RoleSessionName = o.SessionName
		if ao.RoleSessionName == "" {
			ao.RoleSessionName = DefaultSessionName
		}
		if o.ExternalID != "" {
			ao.ExternalID = aws.String(o.ExternalID)
		}
		if o.SessionDuration > 0 {
			ao.Duration = o.SessionDuration
		}
	})
	c := cfg.Copy()
	c.Credentials = aws.NewCredentialsCache(prov)
	if _, err := c.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("assume %s: %w", arn, err)
	}
	return c, nil
}

// OrganizationAccounts lists the ACTIVE accounts of the caller's organization.
func OrganizationAccounts(ctx context.Context, cfg aws.Config) ([]string, error) {
	var ids []string
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{},
		func(o *organizations.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return nil, fmt.Errorf("list organization accounts (organizations:ListAccounts; run from the management or a delegated-admin account): %w", err)
		}
		for _, a := range page.Accounts {
			if a.Status == orgtypes.AccountStatusActive || (a.Status == "" && a.State == orgtypes.AccountStateActive) {
				ids = append(ids, aws.ToString(a.Id))
			}
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
