// Package layout knows where VPC flow logs land in S3: the object key of a delivery (plain or
// Hive-compatible prefixes, daily or per-hour partitions), and the date prefixes that cover a time range, so
// readers list only the days (or hours) they need.
package layout

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Options are a flow log's S3 DestinationOptions.
type Options struct {
	Hive    bool // HiveCompatiblePartitions
	PerHour bool // PerHourPartition
	Parquet bool // FileFormat parquet
}

// Prefix is the directory of one account and region, below the bucket prefix (which ends in "/" or is empty).
func Prefix(bucketPrefix, account, region string, o Options) string {
	if o.Hive {
		return fmt.Sprintf("%sAWSLogs/aws-account-id=%s/aws-service=vpcflowlogs/aws-region=%s/", bucketPrefix, account, region)
	}
	return fmt.Sprintf("%sAWSLogs/%s/vpcflowlogs/%s/", bucketPrefix, account, region)
}

// DatePath is the partition path of time t: "2026/01/02/" or "year=2026/month=01/day=02/" (plus the hour).
func DatePath(t time.Time, o Options) string {
	t = t.UTC()
	if o.Hive {
		s := fmt.Sprintf("year=%04d/month=%02d/day=%02d/", t.Year(), t.Month(), t.Day())
		if o.PerHour {
			s += fmt.Sprintf("hour=%02d/", t.Hour())
		}
		return s
	}
	s := fmt.Sprintf("%04d/%02d/%02d/", t.Year(), t.Month(), t.Day())
	if o.PerHour {
		s += fmt.Sprintf("%02d/", t.Hour())
	}
	return s
}

// ObjectName is the file name of a delivery ending at t.
func ObjectName(account, region, flowLogID string, t time.Time, hash string, o Options) string {
	ext := ".log.gz"
	if o.Parquet {
		ext = ".log.parquet"
	}
	return fmt.Sprintf("%s_vpcflowlogs_%s_%s_%s_%s%s", account, region, flowLogID, t.UTC().Format("20060102T1504Z"), hash, ext)
}

// Key is the full object key of a delivery.
func Key(bucketPrefix, account, region, flowLogID string, t time.Time, hash string, o Options) string {
	return Prefix(bucketPrefix, account, region, o) + DatePath(t, o) + ObjectName(account, region, flowLogID, t, hash, o)
}

// DayPrefixes lists the date directories ("2026/01/02/" or "year=2026/month=01/day=02/") of the days that
// overlap [since, until]. hive selects the naming.
func DayPrefixes(since, until time.Time, hive bool) []string {
	var out []string
	d := time.Date(since.UTC().Year(), since.UTC().Month(), since.UTC().Day(), 0, 0, 0, 0, time.UTC)
	for ; !d.After(until.UTC()); d = d.AddDate(0, 0, 1) {
		out = append(out, DatePath(d, Options{Hive: hive}))
	}
	return out
}

var (
	plainYear = regexp.MustCompile(`^\d{4}/$`)
	hiveYear  = regexp.MustCompile(`^year=\d{4}/$`)
	keyTime   = regexp.MustCompile(`_(\d{8}T\d{4}Z)_[^/_]*?(?:\.log)?(?:\.gz|\.parquet)?$`)
	dateInKey = regexp.MustCompile(`(?:^|/)(?:year=)?(\d{4})/(?:month=)?(\d{2})/(?:day=)?(\d{2})/(?:(?:hour=)?(\d{2})/)?`)
)

// IsYearDir reports whether a listed directory component ("2026/" or "year=2026/") starts the date levels,
// and whether it is Hive-style.
func IsYearDir(component string) (isYear, hive bool) {
	switch {
	case plainYear.MatchString(component):
		return true, false
	case hiveYear.MatchString(component):
		return true, true
	}
	return false, false
}

// KeyTime is the delivery time in an object's name, if it has one.
func KeyTime(key string) (time.Time, bool) {
	m := keyTime.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T1504Z", m[1])
	return t, err == nil
}

// KeyHour is the partition hour (or day, at hour -1) that the date directories of a key name.
func KeyHour(key string) (day time.Time, hour int, ok bool) {
	m := dateInKey.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, 0, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	hour = -1
	if m[4] != "" {
		hour, _ = strconv.Atoi(m[4])
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), hour, true
}
