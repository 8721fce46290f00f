// Package athena takes flow-log reports to Athena for volumes one machine should not read: the CREATE TABLE
// statement for a flow-log bucket (text or Parquet, partition projection over the delivery layout), the
// reports as SQL, and a runner for the Athena API (start, poll, page through results).
package athena

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/layout"
)

// Table describes a flow-log table over a bucket.
type Table struct {
	Database string // default "default"
	Name     string // default "vpc_flow_logs"
	// Location is the bucket and prefix that holds AWSLogs/, e.g. s3://my-bucket/ or s3://my-bucket/flow/.
	Location string
	Format   *flowlog.Format // the flow log's LogFormat; DefaultFormat if nil
	Layout   layout.Options
	Accounts []string // projected partition values
	Regions  []string
	// ProjectionStart is the first day of the projected date range (the range ends at NOW).
	ProjectionStart time.Time
}

// Partition columns. They have their own names so they never clash with record fields such as region.
const (
	colAccount = "p_account"
	colRegion  = "p_region"
	colDate    = "dt"
)

var (
	identRe   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	s3Re      = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*'()/=\-]*)?$`)
)

func (t *Table) fill() error {
	if t.Database == "" {
		t.Database = "default"
	}
	if t.Name == "" {
		t.Name = "vpc_flow_logs"
	}
	if t.Format == nil {
		t.Format = flowlog.DefaultFormat
	}
	if !identRe.MatchString(t.Database) || !identRe.MatchString(t.Name) {
		return fmt.Errorf("database and table names must be lower-case letters, digits and underscores: %q.%q", t.Database, t.Name)
	}
	return nil
}

// Ref is the quoted "database"."table".
func (t Table) Ref() string {
	if err := t.fill(); err != nil {
		return ""
	}
	return fmt.Sprintf(`"%s"."%s"`, t.Database, t.Name)
}

func columnType(f flowlog.Field) string {
	switch f.Kind() {
	case flowlog.KindInt32:
		return "int"
	case flowlog.KindInt64:
		return "bigint"
	}
	return "string"
}

// ColumnName is a format column's name in Athena: hyphens become underscores.
func ColumnName(name string) string { return strings.ReplaceAll(name, "-", "_") }

// DateFormat is the Java date pattern of the dt partition for a layout.
func DateFormat(o layout.Options) (pattern string, perHour bool) {
	switch {
	case o.Hive && o.PerHour:
		return "'year='yyyy'/month='MM'/day='dd'/hour='HH", true
	case o.Hive:
		return "'year='yyyy'/month='MM'/day='dd", false
	case o.PerHour:
		return "yyyy/MM/dd/HH", true
	}
	return "yyyy/MM/dd", false
}

// DateValue renders t as a dt partition value for a layout.
func DateValue(t time.Time, o layout.Options) string {
	t = t.UTC()
	s := layout.DatePath(t, o)
	return strings.TrimSuffix(s, "/")
}

// DDL returns the CREATE EXTERNAL TABLE statement with partition projection over accounts, regions and dates.
func (t Table) DDL() (string, error) {
	if err := t.fill(); err != nil {
		return "", err
	}
	loc := strings.TrimSuffix(t.Location, "/") + "/"
	if !s3Re.MatchString(strings.TrimSuffix(loc, "/")) {
		return "", fmt.Errorf("bad location %q: want s3://bucket/prefix/ (the folder that holds AWSLogs/)", t.Location)
	}
	if len(t.Accounts) == 0 || len(t.Regions) == 0 {
		return "", fmt.Errorf("give the accounts and regions the bucket holds (partition projection enumerates them)")
	}
	for _, a := range t.Accounts {
		if !accountRe.MatchString(a) {
			return "", fmt.Errorf("bad account id %q", a)
		}
	}
	for _, r := range t.Regions {
		if !regionRe.MatchString(r) {
			return "", fmt.Errorf("bad region %q", r)
		}
	}
	start := t.ProjectionStart
	if start.IsZero() {
		start = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s`.`%s` (\n", t.Database, t.Name)
	for i, f := range t.Format.Fields {
		typ := "string"
		if f != flowlog.FieldNone {
			typ = columnType(f)
		}
		sep := ","
		if i == len(t.Format.Fields)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  `%s` %s%s\n", ColumnName(t.Format.Names[i]), typ, sep)
	}
	fmt.Fprintf(&b, ")\nPARTITIONED BY (`%s` string, `%s` string, `%s` string)\n", colAccount, colRegion, colDate)
	if t.Layout.Parquet {
		b.WriteString("STORED AS PARQUET\n")
	} else {
		b.WriteString("ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '\n")
	}
	fmt.Fprintf(&b, "LOCATION '%sAWSLogs/'\nTBLPROPERTIES (\n", loc)
	props := [][2]string{}
	if !t.Layout.Parquet {
		props = append(props, [2]string{"skip.header.line.count", "1"})
	}
	pattern, perHour := DateFormat(t.Layout)
	unit := "DAYS"
	if perHour {
		unit = "HOURS"
	}
	tmpl := loc + "AWSLogs/${" + colAccount + "}/vpcflowlogs/${" + colRegion + "}/${" + colDate + "}/"
	if t.Layout.Hive {
		tmpl = loc + "AWSLogs/aws-account-id=${" + colAccount + "}/aws-service=vpcflowlogs/aws-region=${" + colRegion + "}/${" + colDate + "}/"
	}
	props = append(props,
		[2]string{"projection.enabled", "true"},
		[2]string{"projection." + colAccount + ".type", "enum"},
		[2]string{"projection." + colAccount + ".values", strings.Join(t.Accounts, ",")},
		[2]string{"projection." + colRegion + ".type", "enum"},
		[2]string{"projection." + colRegion + ".values", strings.Join(t.Regions, ",")},
		[2]string{"projection." + colDate + ".type", "date"},
		[2]string{"projection." + colDate + ".format", pattern},
		[2]string{"projection." + colDate + ".range", DateValue(start, t.Layout) + ",NOW"},
		[2]string{"projection." + colDate + ".interval", "1"},
		[2]string{"projection." + colDate + ".interval.unit", unit},
		[2]string{"storage.location.template", tmpl},
	)
	for i, p := range props {
		sep := ","
		if i == len(props)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  \"%s\" = \"%s\"%s\n", p[0], p[1], sep)
	}
	b.WriteString(")\n")
	return b.String(), nil
}
